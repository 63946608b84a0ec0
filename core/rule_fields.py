"""Reading what a planner types into the structured fields of a context rule.

A planner answers in words ("Oct-Dec", "14 days, 10 to 21", "supplier acme"); each
reader returns the canonical value or raises `AnswerError` with a sentence that says what
was wrong and an example that would have worked, so the interview can ask again
instead of storing something no one can match on later."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from core.context_settings import ENTITY_KINDS

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
QUARTERS = {"q1": MONTHS[0:3], "q2": MONTHS[3:6], "q3": MONTHS[6:9], "q4": MONTHS[9:12]}
CONFIDENCES = ("low", "medium", "high")
NONE_WORDS = {"always", "none", "-", "no", "n/a", "any", "all year", "every time"}
TRIGGER_WORDS = ("when ", "if ", "whenever ", "after ", "before ", "during ", "trigger ")

MAGNITUDE_EXAMPLE = "`14 days (10-21)`: likely 14, between 10 and 21, in days"
CONDITION_EXAMPLE = (
    "`oct, nov, dec` or `Q4` (months), `on mon, fri` (weekdays), "
    "`when the PO confirmation comes on a Friday` (a trigger in words), "
    "or `always`"
)


class AnswerError(ValueError):
    """An answer that cannot become a rule field; `str()` is the re-ask sentence."""

    def __init__(self, problem: str, example: str) -> None:
        super().__init__(f"{problem} For example: {example}")
        self.problem = problem
        self.example = example


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,;/&+]+|\band\b", text.lower()) if t]


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0][:3]}?)" if close else ""


def _one_of(word: str, short: tuple[str, ...], full: tuple[str, ...]) -> str | None:
    if word in short:
        return word
    if word in full:
        return short[full.index(word)]
    if len(word) >= 3 and any(f.startswith(word) for f in full):
        return short[next(i for i, f in enumerate(full) if f.startswith(word))]
    return None


def _spans(
    text: str,
    short: tuple[str, ...],
    full: tuple[str, ...],
    what: str,
    example: str,
    extra: Mapping[str, tuple[str, ...]] | None = None,
) -> list[str]:
    """`oct-dec`, `october to december`, `oct, nov`: the named items in calendar order."""
    picked: set[str] = set()
    text = re.sub(r"\s+(?:to|until|through|-)\s+", "-", text.strip().lower())
    for token in _tokens(text):
        if extra and token in extra:
            picked.update(extra[token])
            continue
        ends = token.split("-")
        found = [_one_of(e, short, full) for e in ends]
        for end, value in zip(ends, found, strict=True):
            if value is None:
                raise AnswerError(
                    f"I don't know the {what} '{end}'{_suggest(end, full + short)}.", example
                )
        values = [v for v in found if v]
        if len(values) == 2:
            start, stop = short.index(values[0]), short.index(values[1])
            span = (
                range(start, stop + 1)
                if start <= stop
                else [*range(start, len(short)), *range(0, stop + 1)]
            )
            picked.update(short[i] for i in span)
        elif len(values) == 1:
            picked.add(values[0])
        else:
            raise AnswerError(f"I could not read '{token}' as a {what}.", example)
    if not picked:
        raise AnswerError(f"Name at least one {what}.", example)
    return [s for s in short if s in picked]


def parse_months(text: str) -> list[str]:
    return _spans(
        text, MONTHS, MONTH_NAMES, "month", "`oct, nov, dec`, `Oct-Dec` or `Q4`", QUARTERS
    )


def parse_weekdays(text: str) -> list[str]:
    return _spans(text, DAYS, DAY_NAMES, "weekday", "`mon, fri` or `mon-wed`")


def parse_condition(text: str) -> dict[str, object]:
    """Months, weekdays, a trigger in words, or nothing (the rule always applies)."""
    cleaned = text.strip()
    lowered = cleaned.lower()
    if not cleaned or lowered in NONE_WORDS:
        return {}
    if lowered.startswith(TRIGGER_WORDS):
        return {"trigger": cleaned}
    for prefix in ("weekdays", "weekday", "on"):
        if lowered.startswith(prefix + " ") or lowered.startswith(prefix + ":"):
            return {"weekdays": parse_weekdays(cleaned[len(prefix) + 1 :])}
    for prefix in ("months", "month", "in"):
        if lowered.startswith(prefix + " ") or lowered.startswith(prefix + ":"):
            cleaned = cleaned[len(prefix) + 1 :]
            break
    try:
        return {"months": parse_months(cleaned)}
    except AnswerError as months_error:
        try:
            return {"weekdays": parse_weekdays(cleaned)}
        except AnswerError:
            raise AnswerError(months_error.problem, CONDITION_EXAMPLE) from None


_NUMBER = r"(?:(?<!\w)[-+])?\d+(?:[.,]\d+)?"  # "10-21" is a range, not -21
# What may follow the likely value and its unit: a low-high range and nothing else.
_RANGE = re.compile(
    rf"^\s*[(,;]?\s*(?:range|between)?\s*{_NUMBER}\s*(?:-|–|to|and)\s*{_NUMBER}\s*\)?\s*\.?\s*$",
    re.IGNORECASE,
)


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_magnitude(text: str) -> dict[str, object]:
    """`14 days (10-21)`, `+20 % range 15 to 25`, `48 h`: likely, low, high, unit."""
    numbers = re.findall(_NUMBER, text)
    if not numbers:
        raise AnswerError(
            f"'{text.strip()}' has no number in it; I need how much it changes.", MAGNITUDE_EXAMPLE
        )
    if len(numbers) not in (1, 3):
        raise AnswerError(
            "Give one likely value, or a likely value and a low-high range.", MAGNITUDE_EXAMPLE
        )
    likely = _number(numbers[0])
    after = text.split(numbers[0], 1)[1]
    unit_match = re.match(r"\s*(%|[A-Za-z][A-Za-z ]*?)(?=\s*(?:[(,;]|range|between|$|\d))", after)
    unit = unit_match.group(1).strip() if unit_match else None
    rest = after[unit_match.end() :] if unit_match else after
    if len(numbers) == 3 and not _RANGE.match(rest):
        # "6 of the last 8 Q4 POs" holds three numbers but no range: reading it as
        # "likely 6 (4-8)" would store what the planner never said. Ask again.
        raise AnswerError(
            f"I can't tell a likely value and a range in '{text.strip()}'; write the "
            "range after the value.",
            MAGNITUDE_EXAMPLE,
        )
    result: dict[str, object] = {"likely": likely}
    if len(numbers) == 3:
        low, high = sorted((_number(numbers[1]), _number(numbers[2])))
        if not low <= likely <= high:
            raise AnswerError(
                f"The likely value {numbers[0]} should lie between the low and "
                f"the high value ({low:g}-{high:g}).",
                MAGNITUDE_EXAMPLE,
            )
        result.update(low=low, high=high)
    if unit and unit.lower() not in ("range", "between"):
        result["unit"] = unit
    return result


def parse_confidence(text: str) -> str:
    word = text.strip().lower()
    found = next((c for c in CONFIDENCES if len(word) >= 1 and c.startswith(word)), None)
    if found is None:
        raise AnswerError(
            f"'{text.strip()}' is not a confidence{_suggest(word, CONFIDENCES)}.",
            "`low`, `medium` or `high`",
        )
    return found


def parse_types(text: str, known: Iterable[str]) -> list[str]:
    """Recommendation type names; `all` means every type (an empty list)."""
    choices = list(known)
    if text.strip().lower() in ("all", "any", "every", "all types"):
        return []
    picked = []
    for token in _tokens(text.replace("-", "_")):
        if token not in choices:
            raise AnswerError(
                f"I don't know the recommendation type '{token}'{_suggest(token, choices)}.",
                f"`{', '.join(choices[:2])}` or `all`",
            )
        picked.append(token)
    return picked


def parse_entity(
    text: str, *, default_kind: str | None, known: Mapping[str, Iterable[str]]
) -> tuple[str, str]:
    """`supplier ACME`, `supplier: acme` or just `ACME` when the template names the kind.
    A kind with known names (configuration, routes, recommendations seen) accepts only
    those, spelt as the configuration spells them."""
    cleaned = text.strip().strip("`")
    head, _, rest = cleaned.partition(" ")
    head = head.rstrip(":").lower()
    if head.replace("-", "_") in ENTITY_KINDS and rest.strip():
        kind, value = head.replace("-", "_"), rest.strip().lstrip(":").strip()
    else:
        kind, value = default_kind or "", cleaned
    names = sorted(set(known.get(kind, ())))
    example = f"`{kind or 'supplier'} {names[0] if names else 'ACME'}`"
    if kind not in ENTITY_KINDS:
        raise AnswerError(f"Say which kind of entity: one of {', '.join(ENTITY_KINDS)}.", example)
    if not value:
        raise AnswerError(f"Name the {kind}.", example)
    if not names:
        return kind, value
    by_lower = {n.lower(): n for n in names}
    if value.lower() in by_lower:
        return kind, by_lower[value.lower()]
    close = difflib.get_close_matches(value.upper(), names, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]}?" if close else ""
    listed = ", ".join(names[:6]) + (" ..." if len(names) > 6 else "")
    raise AnswerError(
        f"The configuration does not know the {kind} '{value}'.{hint} Known: {listed}.", example
    )
