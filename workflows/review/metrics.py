"""Volume, speed and load of one scope (a type, or everything): how much came in, what
happened to it, how fast, and how many messages it cost the owners."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from core.clock import Calendars
from core.domain import DecisionKind, Status, Tier
from workflows.review.history import ReviewRow
from workflows.review.stats import median, p90, rate

BREAKDOWNS: dict[str, Callable[[ReviewRow], str | None]] = {
    "owner": lambda r: r.owner,
    "site": lambda r: r.site,
    "supplier": lambda r: r.supplier,
    "customer": lambda r: r.customer,
}


def volume(rows: Sequence[ReviewRow], *, min_n: int) -> dict[str, Any]:
    kinds = Counter(r.kind for r in rows if r.status == Status.DECIDED)
    decided = sum(1 for r in rows if r.status == Status.DECIDED)
    return {
        "received": len(rows),
        "decided": decided,
        "accepted": kinds[DecisionKind.ACCEPT],
        "overridden": kinds[DecisionKind.OVERRIDE],
        "reassigned": sum(1 for r in rows if r.reassigned),
        "auto": kinds[DecisionKind.AUTO],
        "open": sum(1 for r in rows if r.status == Status.OPEN),
        "withdrawn": sum(1 for r in rows if r.status == Status.WITHDRAWN),
        "override_rate": rate(kinds[DecisionKind.OVERRIDE], decided, min_n),
    }


def breakdowns(rows: Sequence[ReviewRow], *, min_n: int) -> dict[str, Any]:
    """Override rate by owner, site, supplier and customer; overrides by reason code."""
    decided = [r for r in rows if r.status == Status.DECIDED]
    out: dict[str, Any] = {}
    for name, key in BREAKDOWNS.items():
        groups: dict[str, list[ReviewRow]] = {}
        for row in decided:
            value = key(row)
            if value is not None:
                groups.setdefault(value, []).append(row)
        out[name] = {
            value: {
                "decided": len(group),
                "overridden": sum(r.overridden for r in group),
                "override_rate": rate(sum(r.overridden for r in group), len(group), min_n),
            }
            for value, group in sorted(groups.items())
        }
    overrides = [r for r in decided if r.overridden]
    reasons = Counter(r.reason_code or "(none)" for r in overrides)
    out["reason"] = {
        code: {"overridden": count, "share_rate": rate(count, len(overrides), min_n)}
        for code, count in reasons.most_common()
    }
    return out


def decision_hours(row: ReviewRow, calendars: Calendars) -> float | None:
    """Business hours from receipt to the human decision, in the owner's calendar."""
    if row.decided_at is None:
        return None
    between = calendars.for_person(row.owner).between(row.received_at, row.decided_at)
    return between / timedelta(hours=1)


def breached(row: ReviewRow) -> bool | None:
    """Decided by a person after the SLA as first set (an extension granted later does
    not erase the breach); None for what people did not decide."""
    if row.human and row.decided_at is not None:
        return row.decided_at > row.first_due_at
    return None


def speed(
    rows: Sequence[ReviewRow], *, calendars: Calendars, now: datetime, min_n: int
) -> dict[str, Any]:
    """Decided by people: time to decide, breached against the SLA as first set,
    extended (and by whom), decided after escalation. Open past due on its own line."""
    human = [r for r in rows if r.human and r.decided_at is not None]
    hours = [h for h in (decision_hours(r, calendars) for r in human) if h is not None]
    levels = Counter(r.escalation_level for r in human if r.escalation_level > 0)
    extended = [r for r in human if r.extended_by]
    extenders = Counter(person for r in extended for person in dict.fromkeys(r.extended_by))
    open_rows = [r for r in rows if r.status == Status.OPEN]
    return {
        "decided_by_people": len(human),
        "median_hours": median(hours),
        "p90_hours": p90(hours),
        "sla_breach_rate": rate(sum(bool(breached(r)) for r in human), len(human), min_n),
        "extended_rate": rate(len(extended), len(human), min_n),
        "extended_by": dict(sorted(extenders.items())),
        "after_escalation_rate": rate(sum(levels.values()), len(human), min_n),
        "by_escalation_level": {
            f"level_{level}": {"decided": count, "share_rate": rate(count, len(human), min_n)}
            for level, count in sorted(levels.items())
        },
        "open": len(open_rows),
        "open_past_due": sum(1 for r in open_rows if now > r.first_due_at),
    }


def business_days(calendars: Calendars, person: str, first: date, last: date) -> int:
    """Business days from `first` to `last`, both included, in the person's calendar."""
    calendar = calendars.for_person(person)
    day, count = first, 0
    while day <= last:
        count += calendar.is_business_day(day)
        day += timedelta(days=1)
    return count


def load(
    rows: Sequence[ReviewRow],
    *,
    messages: dict[str, int],
    calendars: Calendars,
    first_day: date,
    last_day: date,
    min_n: int,
) -> dict[str, Any]:
    """Direct messages per person per business day of the window's days (the `--until`
    day included once; the day the report runs does not matter when `--until` is set)."""
    per_owner = {}
    for person, count in sorted(messages.items()):
        days = business_days(calendars, person, first_day, last_day)
        per_owner[person] = {
            "direct_messages": count,
            "business_days": days,
            "per_business_day": round(count / days, 2) if days else None,
        }
    routed = [r for r in rows if r.status != Status.WITHDRAWN]
    return {
        "direct_messages_by_owner": per_owner,
        "digest_rate": rate(sum(r.tier == Tier.DIGEST for r in routed), len(routed), min_n),
    }
