"""Every section of the review from GROUP BY queries (workflows.review.facts) instead of a
Python object per recommendation: one grouped pass over the window's facts, one per
breakdown column, the human decisions' two times for the time to decide, and the few
items with SLA events read one by one. The sections are the same dictionaries
`report.scope_review` builds from rows (tests/workflows/review/test_fast_path.py holds
them equal)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from core.clock import Calendars
from core.config import Config
from core.domain import DecisionKind, EventKind, Status, Tier
from storage.models import Event
from workflows.review import facts
from workflows.review.business_time import BusinessClock
from workflows.review.grouped_accuracy import (
    Group,
    adjustments,
    bias,
    calibration,
    override_wins,
    pick,
    reasons_ranked,
    stairstep,
    summed,
)
from workflows.review.history import Window, _level_before, _sla_events
from workflows.review.metrics import load as load_section
from workflows.review.stats import median, p90, rate
from workflows.review.thresholds import advice_from, bands

HUMAN_KINDS = (DecisionKind.ACCEPT, DecisionKind.OVERRIDE)


@dataclass
class Facts:
    """What the queries returned, per type; a scope picks its types."""

    groups: list[Group]
    breakdowns: dict[str, list[Row[Any]]]
    hours: dict[str, list[float]]
    events: dict[str, list[dict[str, Any]]]  # per type: the items with SLA events


def load_facts(
    session: Session, *, config: Config, calendars: Calendars, window: Window, now: datetime
) -> Facts:
    currents = {n: t.actionable_confidence for n, t in config.recommendation_types.items()}
    groups = list(session.execute(facts.grouped(window, currents=currents, now=now)))
    columns = {
        "owner": facts.R.owner_id,
        "site": facts.R.site,
        "supplier": facts.R.supplier,
        "customer": facts.R.customer,
    }
    breakdowns = {
        name: list(session.execute(facts.breakdown(window, column)))
        for name, column in columns.items()
    }
    return Facts(
        groups=groups,
        breakdowns=breakdowns,
        hours=_hours(session, calendars=calendars, window=window),
        events=_event_items(session, window=window, now=now),
    )


def _hours(session: Session, *, calendars: Calendars, window: Window) -> dict[str, list[float]]:
    rows = session.execute(facts.decision_times(window)).all()
    if not rows:
        return {}
    tz_first = min(min(r[2], r[3]) for r in rows)
    tz_last = max(max(r[2], r[3]) for r in rows)
    clocks: dict[str, BusinessClock] = {}
    hours: dict[str, list[float]] = defaultdict(list)
    for type_, owner, received_at, decided_at in rows:
        clock = clocks.get(owner)
        if clock is None:
            calendar = calendars.for_person(owner)
            clock = clocks[owner] = BusinessClock(
                calendar,
                tz_first.astimezone(calendar.tz).date(),
                tz_last.astimezone(calendar.tz).date(),
            )
        hours[type_].append(clock.hours(received_at, decided_at))
    return hours


def _event_items(
    session: Session, *, window: Window, now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """The items with SLA extensions or escalations: their SLA as first set and the level
    reached before the decision differ from the stored due time and level."""
    kinds = (EventKind.SLA_EXTENDED, EventKind.ESCALATED)
    ids_query = facts.scoped(
        select(facts.R.id).where(
            facts.R.id.in_(select(Event.recommendation_id).where(Event.kind.in_(kinds)))
        ),
        window,
    )
    ids = list(session.scalars(ids_query))
    if not ids:
        return {}
    extensions, escalations = _sla_events(session, ids)
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        query = facts.joined(
            select(
                facts.R.id,
                facts.R.type,
                facts.R.status,
                facts.KIND,
                facts.HUMAN.decided_at,
                facts.R.due_at,
                facts.ESCALATION,
            )
        ).where(facts.R.id.in_(ids[start : start + 500]))
        for rid, type_, status, kind, decided_at, due_at, level in session.execute(query):
            extended = extensions.get(rid, [])
            first_due = extended[0][2] if extended else due_at
            human = kind in HUMAN_KINDS and decided_at is not None
            out[type_].append(
                {
                    "human": human,
                    "late": (human and decided_at > due_at, human and decided_at > first_due),
                    "level": (level, _level_before(escalations.get(rid, []), level, decided_at)),
                    "open_past_due": (
                        status == Status.OPEN and now > due_at,
                        status == Status.OPEN and now > first_due,
                    ),
                    "extended_by": tuple(by for _at, by, _before in extended),
                }
            )
    return out


def volume(groups: Sequence[Group], *, min_n: int) -> dict[str, Any]:
    decided = pick(groups, lambda g: g.status == Status.DECIDED)
    kinds = Counter[str]()
    for g in decided:
        kinds[g.kind] += g.n
    return {
        "received": summed(groups),
        "decided": summed(decided),
        "accepted": kinds[DecisionKind.ACCEPT],
        "overridden": kinds[DecisionKind.OVERRIDE],
        "reassigned": summed(pick(groups, lambda g: g.reassigned == 1)),
        "auto": kinds[DecisionKind.AUTO],
        "open": summed(pick(groups, lambda g: g.status == Status.OPEN)),
        "withdrawn": summed(pick(groups, lambda g: g.status == Status.WITHDRAWN)),
        "override_rate": rate(kinds[DecisionKind.OVERRIDE], summed(decided), min_n),
    }


def breakdowns(
    found: Facts, groups: Sequence[Group], types: set[str], *, min_n: int
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, rows in found.breakdowns.items():
        merged: dict[str, list[int]] = {}
        for type_, value, decided, overridden in rows:
            if type_ in types:
                entry = merged.setdefault(value, [0, 0])
                entry[0] += decided
                entry[1] += overridden or 0
        out[name] = {
            value: {"decided": d, "overridden": o, "override_rate": rate(o, d, min_n)}
            for value, (d, o) in sorted(merged.items())
        }
    overrides = pick(
        groups, lambda g: g.status == Status.DECIDED and g.kind == DecisionKind.OVERRIDE
    )
    reasons: dict[str, list[int]] = {}
    for g in overrides:
        entry = reasons.setdefault(g.reason or "(none)", [0, g.first_id])
        entry[0] += g.n
        entry[1] = min(entry[1], g.first_id)
    total = summed(overrides)
    ordered = sorted(reasons.items(), key=lambda item: (-item[1][0], item[1][1]))
    out["reason"] = {
        code: {"overridden": count, "share_rate": rate(count, total, min_n)}
        for code, (count, _first) in ordered
    }
    return out


def speed(
    groups: Sequence[Group],
    hours: list[float],
    events: list[dict[str, Any]],
    *,
    min_n: int,
) -> dict[str, Any]:
    human = pick(groups, lambda g: g.human == 1)
    decided = summed(human)
    breached = summed(pick(human, lambda g: g.late == 1))
    levels = Counter[int]()
    for g in human:
        if g.escalation > 0:
            levels[g.escalation] += g.n
    open_past_due = summed(pick(groups, lambda g: g.status == Status.OPEN and g.past_due == 1))
    extended, extenders = 0, Counter[str]()
    for item in events:  # the stored due time and level, corrected by the audit trail
        open_past_due += item["open_past_due"][1] - item["open_past_due"][0]
        if not item["human"]:
            continue
        breached += item["late"][1] - item["late"][0]
        stored, reached = item["level"]
        if stored > 0:
            levels[stored] -= 1
        if reached > 0:
            levels[reached] += 1
        if item["extended_by"]:
            extended += 1
            extenders.update(list(dict.fromkeys(item["extended_by"])))
    levels = +levels  # drop the levels corrected to nothing
    return {
        "decided_by_people": decided,
        "median_hours": median(hours),
        "p90_hours": p90(hours),
        "sla_breach_rate": rate(breached, decided, min_n),
        "extended_rate": rate(extended, decided, min_n),
        "extended_by": dict(sorted(extenders.items())),
        "after_escalation_rate": rate(sum(levels.values()), decided, min_n),
        "by_escalation_level": {
            f"level_{level}": {"decided": count, "share_rate": rate(count, decided, min_n)}
            for level, count in sorted(levels.items())
        },
        "open": summed(pick(groups, lambda g: g.status == Status.OPEN)),
        "open_past_due": open_past_due,
    }


def _unhelpful(g: Group) -> bool | None:
    """workflows.review.thresholds.unhelpful over a group (withdrawn: no band)."""
    if g.kind == DecisionKind.OVERRIDE:
        return g.verdict != "won"
    if g.status == Status.DECIDED:
        return False
    if g.status == Status.OPEN and g.past_due == 1:
        return True
    return None


def threshold_advice(groups: Sequence[Group], *, current: float, min_n: int) -> dict[str, Any]:
    direct = pick(
        groups,
        lambda g: g.tier == Tier.DIRECT and g.confident == 1 and g.status != Status.WITHDRAWN,
    )
    counts = []
    for low, high in bands(current):
        band = pick(direct, lambda g, label=f"{low:.2f}-{high:.2f}": g.band == label)
        verdicts = [(g.n, _unhelpful(g)) for g in band]
        judged = [(n, v) for n, v in verdicts if v is not None]
        counts.append((summed(band), sum(n for n, v in judged if v), sum(n for n, _v in judged)))
    return advice_from(counts, current=current, direct=summed(direct), min_n=min_n)


def scope_sections(
    found: Facts,
    types: set[str],
    *,
    config: Config,
    messages: dict[str, int],
    calendars: Calendars,
    first_day: date,
    last_day: date,
    one_type: bool,
) -> dict[str, Any]:
    """One scope's figures, as report.scope_review returns them."""
    min_n = config.review.min_sample
    groups = [g for g in found.groups if g.type in types]
    hours = [h for t in sorted(types) for h in found.hours.get(t, [])]
    events = [e for t in sorted(types) for e in found.events.get(t, [])]
    units = {name: rtype.value_label for name, rtype in config.recommendation_types.items()}
    digest = pick(groups, lambda g: g.status != Status.WITHDRAWN)
    load = load_section(
        [],
        messages=messages,
        calendars=calendars,
        first_day=first_day,
        last_day=last_day,
        min_n=min_n,
    )
    load["digest_rate"] = rate(
        summed(pick(digest, lambda g: g.tier == Tier.DIGEST)), summed(digest), min_n
    )
    return {
        "volume": volume(groups, min_n=min_n),
        "breakdowns": breakdowns(found, groups, types, min_n=min_n),
        "speed": speed(groups, hours, events, min_n=min_n),
        "load": load,
        "override_wins": override_wins(groups, min_n=min_n),
        "adjustments": adjustments(groups, min_n=min_n) if one_type else None,
        "bias": bias(groups, units, min_n=min_n),
        "stairstep": stairstep(groups, min_n=min_n) if one_type else None,
        "reasons_ranked": reasons_ranked(groups, min_n=min_n),
        "calibration": calibration(groups, min_n=min_n),
    }
