"""Who may review context rules and run interviews for others: facilitators, the S&OP
lead and the override reviewer (the people who own the knowledge loop)."""

from __future__ import annotations

from core.config import Config

REVIEW_ROLES = frozenset({"facilitator", "sop_lead"})


def may_review(*, config: Config, person_id: str) -> bool:
    person = config.people_by_id.get(person_id)
    if person is None:
        return False
    return person_id == config.override_reviewer or bool(REVIEW_ROLES & set(person.roles))
