"""`sopbot matrix check`: the ownership matrix as a table, and every gap in it. The
ownership gate is hard: a gap here is a pilot that will stall."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import Calendars
from core.config import MANAGER, Config
from core.durations import BusinessSpan

STANDARD_TYPES = (
    "stockout_risk",
    "supplier_delay",
    "demand_revision",
    "capacity_warning",
    "expedite",
)


@dataclass(frozen=True)
class MatrixRow:
    type: str
    scope: str
    owner: str
    backup: str
    sla: str  # as written: `2d` stays two business days, not `48h`
    escalation: str
    span: BusinessSpan | None = None
    owner_id: str | None = None

    def due_if_received(self, *, calendars: Calendars, now: datetime) -> datetime | None:
        """When an item of this line arriving at `now` would be due, in its owner's
        calendar (None for an unowned line: its items go to the override reviewer)."""
        if self.span is None or self.owner_id is None:
            return None
        return calendars.for_person(self.owner_id).add(now, self.span)


def matrix_rows(config: Config) -> list[MatrixRow]:
    rows = []
    for name, rtype in config.recommendation_types.items():
        escalation = ", ".join(f"+{s.after} {s.notify}" for s in rtype.escalation) or "-"
        for route in rtype.routes:
            scope = ", ".join(f"{k}={v}" for k, v in route.match.items())
            rows.append(
                MatrixRow(
                    name,
                    scope,
                    route.owner,
                    route.backup or rtype.backup or "-",
                    str(route.sla or rtype.sla),
                    escalation,
                    route.sla or rtype.sla,
                    route.owner,
                )
            )
        rows.append(
            MatrixRow(
                name,
                "(default)",
                rtype.owner or "-",
                rtype.backup or "-",
                str(rtype.sla),
                escalation,
                rtype.sla,
                rtype.owner,
            )
        )
    return rows


def matrix_gaps(config: Config) -> list[str]:
    gaps: list[str] = []
    if config.override_reviewer is None:
        gaps.append("no override_reviewer: nobody is named to review overrides")
    for name in STANDARD_TYPES:
        if name not in config.recommendation_types:
            gaps.append(f"{name}: not configured (one of the five standard types)")
    for name, rtype in config.recommendation_types.items():
        if rtype.owner is None:
            gaps.append(f"{name}: no default owner; unmatched ones go to the override reviewer")
        if rtype.backup is None:
            gaps.append(f"{name}: no backup owner")
        if not rtype.escalation:
            gaps.append(f"{name}: no escalation path after the SLA")
        if rtype.success is None:
            gaps.append(f"{name}: no success criteria (metric, baseline, target)")
        elif not (rtype.success.baseline and rtype.success.target):
            gaps.append(f"{name}: success criteria lack a baseline or a target")
        owners = {rtype.owner, *(r.owner for r in rtype.routes)} - {None}
        if any(s.notify == MANAGER for s in rtype.escalation):
            for owner in sorted(o for o in owners if o):
                if not config.people_by_id[owner].manager:
                    gaps.append(f"{name}: escalates to the manager, but {owner} has none")
    for person in config.people:
        if not (person.slack or person.teams or person.email):
            gaps.append(f"{person.id}: no Slack id, Teams user or email: cannot be reached")
    return gaps
