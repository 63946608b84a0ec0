"""The one reading of a number a person types into a form (the Override form's
alternative value, any numeric field), the same on every chat platform.

People write numbers as their locale taught them, so one string has one reading here:

- digits with an optional sign (`+`, `-`, or the minus sign U+2212): `1200`, `-3`;
- a thousands separator between groups of exactly three digits: a comma (`1,200`), a
  space, a no-break space U+00A0 or a narrow no-break space U+202F (`1 200`), or, when
  there is more than one, dots (`1.200.000`);
- a decimal mark followed by at least one digit: `1200.5`, `1200,5`, `.5`.

Which of `.` and `,` is the decimal mark:

- **both appear**: the last one is the decimal mark and the other one separates
  thousands (`1,200.5` and German `1.200,5` both read 1200.5);
- **only commas**: a single comma followed by exactly three digits, with no other
  separator in the number and a first group not starting with 0, separates thousands
  (`1,200` = 1200, `12,345` = 12345); otherwise a single comma is the decimal mark
  (`1,5` = 1.5, `0,125` = 0.125, `1 200,5` = 1200.5), and several commas separate
  thousands (`1,200,000`);
- **only dots**: a single dot is the decimal mark (`1.200` = 1.2, as every spreadsheet
  export writes it), several dots separate thousands (`1.200.000`).

Groups are checked: the first one has one to three digits, every later one exactly
three (`1,2,3` and `1.2.3` are refused, not guessed at). Anything else is refused with
a sentence saying what is accepted: two decimal marks (`1,2,3.4.5`), letters (`12abc`,
`1e3`), `NaN`, `inf`, empty text, or a number too large for a float."""

from __future__ import annotations

import math
import re

SPACES = "\u0020\u00a0\u202f"
MINUS = "-\u2212"
MAX_CHARS = 100
_ALLOWED = re.compile(rf"[0-9.,{SPACES}]+")
_DIGITS = re.compile(r"[0-9]+")
_GROUP = re.compile(r"[0-9]{3}")
_FIRST_GROUP = re.compile(r"[0-9]{1,3}")


class NotANumber(ValueError):
    """Text that is not one number; `str()` says what is accepted."""


def _refuse(text: str) -> NotANumber:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return NotANumber(
        f"Enter a number such as 1200, 1,200, 1 200 or 1200.5 ('{shown}' is not one)."
        if shown
        else "Enter a number such as 1200, 1,200, 1 200 or 1200.5."
    )


def _marks(body: str) -> tuple[str | None, str | None]:
    """(decimal mark, thousands separator) of `body` (digits and separators only, spaces
    already made plain); raises NotANumber when the separators contradict each other."""
    dots, commas, spaced = body.count("."), body.count(","), " " in body
    if dots and commas:
        decimal = "." if body.rindex(".") > body.rindex(",") else ","
        group = "," if decimal == "." else "."
        if spaced or body.count(decimal) != 1:
            raise NotANumber
        return decimal, group
    if commas:
        if spaced:
            return ",", " "
        head, _, tail = body.partition(",")
        if commas > 1 or (len(tail) == 3 and head and not head.startswith("0")):
            return None, ","
        return ",", None
    if dots:
        if dots > 1:
            return (None, ".") if not spaced else (None, None)
        return ".", " " if spaced else None
    return None, " " if spaced else None


def _integer(part: str, group: str | None) -> str:
    """The digits of the integer part, its groups checked."""
    if group is None or group not in part:
        if part and not _DIGITS.fullmatch(part):
            raise NotANumber
        return part
    first, *rest = part.split(group)
    if not _FIRST_GROUP.fullmatch(first) or not all(_GROUP.fullmatch(g) for g in rest):
        raise NotANumber
    return first + "".join(rest)


def parse_number(text: str | None) -> float:
    """The number `text` stands for (see the module's rules); NotANumber otherwise."""
    raw = (text or "").strip()
    if not raw or len(raw) > MAX_CHARS:
        raise _refuse(raw)
    sign, body = "", raw
    if body[0] in MINUS or body[0] == "+":
        sign, body = ("-" if body[0] in MINUS else ""), body[1:]
    if not body or not _ALLOWED.fullmatch(body):
        raise _refuse(raw)
    body = re.sub(f"[{SPACES}]", " ", body)
    try:
        decimal, group = _marks(body)
        if decimal is not None:
            whole, _, fraction = body.partition(decimal)
            if not _DIGITS.fullmatch(fraction):
                raise NotANumber
        else:
            whole, fraction = body, ""
        digits = _integer(whole, group)
        if group is None and " " in whole:
            raise NotANumber
        if not digits and not fraction:
            raise NotANumber
    except NotANumber:
        raise _refuse(raw) from None
    value = float(f"{sign}{digits or '0'}.{fraction or '0'}")
    if not math.isfinite(value):
        raise _refuse(raw)
    return value
