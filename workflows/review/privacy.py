"""People in the review's reports, per `privacy.people_in_reports`: display names
(`named`), stable pseudonyms (`pseudonymous`: a keyed HMAC of the person id, so the same
person reads the same across reports and nobody without the secret can reverse it) or
nothing per person (`hidden`). Applied to the built review before any format renders it,
so JSON, CSV, HTML, Markdown and the chat summary all show the same thing."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, replace
from typing import Any

from core.config import Config
from core.domain import DecisionKind
from workflows.review.stats import rate

NAMED, PSEUDONYMOUS, HIDDEN = "named", "pseudonymous", "hidden"
PERSON_KEYED = ("owner",)  # breakdowns whose groups are people


@dataclass(frozen=True)
class People:
    config: Config
    secret: bytes

    @property
    def mode(self) -> str:
        return self.config.privacy.people_in_reports

    @property
    def min_group(self) -> int:
        return self.config.privacy.min_group_size

    def pseudonym(self, person_id: str) -> str:
        digest = hmac.new(self.secret, person_id.encode(), hashlib.sha256).hexdigest()
        return f"person-{digest[:8]}"

    def label(self, person_id: str | None) -> str | None:
        """How a person reads in a report; None when people are hidden."""
        if person_id is None:
            return None
        if self.mode == NAMED:
            return self.config.display_name(person_id)
        if self.mode == HIDDEN:
            return None
        return self.pseudonym(person_id)

    def scrub(self, text: str | None) -> str | None:
        """A free-text note with every configured person's id, name and first name
        replaced by their label (outside `named` mode)."""
        if text is None or self.mode == NAMED:
            return text
        for person in self.config.people:
            label = self.label(person.id) or "(someone)"
            for word in {person.name, person.id, person.name.split()[0]}:
                text = re.sub(rf"\b{re.escape(word)}\b", label, text, flags=re.IGNORECASE)
        return text

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
