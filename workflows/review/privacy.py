"""People in the review's reports, per `privacy.people_in_reports`: display names
(`named`), stable pseudonyms (`pseudonymous`: a keyed HMAC of the person id, so the same
person reads the same across reports and nobody without the secret can reverse it) or
nothing per person (`hidden`). Applied to the built review before any format renders it,
so JSON, CSV, HTML, Markdown and the chat summary all show the same thing."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from core.config import Config
from core.domain import DecisionKind
from workflows.review.stats import rate

NAMED, PSEUDONYMOUS, HIDDEN = "named", "pseudonymous", "hidden"
IDS = "ids"  # only for what leaves to the planning system (workflows/events/privacy.py)
PERSON_KEYED = ("owner",)  # breakdowns whose groups are people


@dataclass(frozen=True)
class People:
    config: Config
    secret: bytes
    # The change feed's pseudonyms (workflows/events/privacy.py) whatever the reports' mode.
    forced_mode: str | None = None
    # HMACs already computed: the feed names the same few people on every page.
    _pseudonyms: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def mode(self) -> str:
        return self.forced_mode or self.config.privacy.people_in_reports

    @property
    def min_group(self) -> int:
        return self.config.privacy.min_group_size

    def pseudonym(self, person_id: str) -> str:
        found = self._pseudonyms.get(person_id)
        if found is None:
            digest = hmac.new(self.secret, person_id.encode(), hashlib.sha256).hexdigest()
            found = self._pseudonyms[person_id] = f"person-{digest[:8]}"
        return found

    def label(self, person_id: str | None) -> str | None:
        """How a person reads in a report; None when people are hidden."""
        if person_id is None:
            return None
        if self.mode == NAMED:
            return self.config.display_name(person_id)
        if self.mode == HIDDEN:
            return None
        if self.mode == IDS:
            return person_id
        return self.pseudonym(person_id)

    @cached_property
    def _words(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        """One pattern over every person's id, full name and first name, longest first
        (so "Ana Silva" is replaced whole, not as "Ana" then "Silva"); a word two people
        share reads "(someone)" rather than pointing at either."""
        replacement: dict[str, str] = {}
        for person in self.config.people:
            label = self.label(person.id) or "(someone)"
            words = {person.name, person.id, person.name.split()[0]}
            words |= {w for w in (person.email, person.slack, person.teams) if w}
            for word in words:
                key = word.lower()
                replacement[key] = label if replacement.get(key, label) == label else "(someone)"
        if not replacement:
            return None, {}
        words = sorted(replacement, key=len, reverse=True)
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)
        return pattern, replacement

    def scrub(self, text: str | None) -> str | None:
        """A free-text note with every configured person's id, name, first name, e-mail
        and chat ids replaced by their label (outside `named` mode)."""
        if text is None or self.mode == NAMED:
            return text
        pattern, replacement = self._words
        if pattern is None:
            return text
        return pattern.sub(lambda m: replacement.get(m.group(1).lower(), "(someone)"), text)

    def sentence(self) -> str:
        """The mode, printed on every report."""
        if self.mode == NAMED:
            return "People in this report: named (display names)."
        merged = f"groups under {self.min_group} items merged"
        if self.mode == HIDDEN:
            return f"People in this report: hidden (no per-person figures; {merged})."
        return f"People in this report: pseudonymous (stable pseudonyms; {merged})."


def _merge_breakdown(groups: dict[str, Any], *, minimum: int, min_n: int) -> dict[str, Any]:
    """Groups with fewer than `minimum` decisions merged into one "other" line; dropped
    when even the merged line is below the minimum."""
    kept = {k: v for k, v in groups.items() if v["decided"] >= minimum}
    small = [v for v in groups.values() if v["decided"] < minimum]
    decided, overridden = sum(v["decided"] for v in small), sum(v["overridden"] for v in small)
    if small and decided >= minimum:
        kept[f"other ({len(small)} groups)"] = {
            "decided": decided,
            "overridden": overridden,
            "override_rate": rate(overridden, decided, min_n),
        }
    return kept


def _merge_load(per_person: dict[str, Any], *, minimum: int) -> dict[str, Any]:
    kept = {k: v for k, v in per_person.items() if v["direct_messages"] >= minimum}
    small = [v for v in per_person.values() if v["direct_messages"] < minimum]
    messages, days = (
        sum(v["direct_messages"] for v in small),
        sum(v["business_days"] for v in small),
    )
    if small and messages >= minimum:
        kept[f"other ({len(small)} people)"] = {
            "direct_messages": messages,
            "business_days": days,
            "per_business_day": round(messages / days, 2) if days else None,
        }
    return kept


def apply_privacy(review: Any, people: People) -> None:
    """Rewrite a built review (workflows.review.report.Review) in place for its mode."""
    named = people.mode == NAMED
    review.privacy = people.sentence()
    review.rows = [private_row(r, people) for r in review.rows]
    for section in review.scopes.values():
        groups = section["breakdowns"]
        for name in ("owner", "site", "supplier", "customer"):
            found = relabel(groups[name], people) if name in PERSON_KEYED else groups[name]
            if not named:
                found = _merge_breakdown(found, minimum=people.min_group, min_n=review.min_sample)
            groups[name] = found
        load = section["load"]
        per_person = relabel(load["direct_messages_by_owner"], people)
        load["direct_messages_by_owner"] = (
            per_person if named else _merge_load(per_person, minimum=people.min_group)
        )
        speed = section["speed"]
        speed["extended_by"] = relabel(speed["extended_by"], people)


def relabel(mapping: dict[str, Any], people: People) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        label = people.label(key)
        if label is not None:
            out[label] = value
    return out


def private_row(row: Any, people: People) -> Any:
    """A review row as a report may show it: owner and decider by label, the note
    scrubbed; an automatic decision's actor (the bot) stays."""
    actor = row.actor if row.kind == DecisionKind.AUTO else people.label(row.actor)
    return replace(
        row,
        owner=people.label(row.owner) or "",
        actor=actor,
        note=people.scrub(row.note),
        extended_by=tuple(people.label(p) or "" for p in row.extended_by),
    )
