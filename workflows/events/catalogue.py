"""The public event catalogue (docs/events.md): which audit kinds become which public
type, and the body each carries.

Public events are derived from the audit trail rather than written beside it: every
fact already appends its audit row in the fact's own transaction, so an event exists
exactly when its fact committed, and no fact-writing site needs to know about webhooks.
The body is built once, when the sequencer stamps the row, from the audit data and the
recommendation as it stood then; the feed, every webhook attempt and every replay send
that frozen body. People appear by their configured id, never by name."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from core.config import Config
from core.event_settings import EVENT_TYPES
from storage.models import Decision, Recommendation
from storage.models.feed import PUBLISHED_KINDS


class EventType(StrEnum):
    RECEIVED = "recommendation.received"
    REVISED = "recommendation.revised"
    WITHDRAWN = "recommendation.withdrawn"
    REASSIGNED = "recommendation.reassigned"
    DECISION = "decision.recorded"
    ESCALATED = "sla.escalated"
    OUTCOME = "outcome.recorded"
    RULE_APPROVED = "rule.approved"
    RULE_RETIRED = "rule.retired"
    READINESS = "readiness.changed"


PUBLIC_TYPE: dict[str, EventType] = {
    "received": EventType.RECEIVED,
    "revised": EventType.REVISED,
    "withdrawn": EventType.WITHDRAWN,
    "reassigned": EventType.REASSIGNED,
    "accepted": EventType.DECISION,
    "overridden": EventType.DECISION,
    "auto_accepted": EventType.DECISION,
    "escalated": EventType.ESCALATED,
    "outcome": EventType.OUTCOME,
    "rule_approved": EventType.RULE_APPROVED,
    "rule_rejected": EventType.RULE_RETIRED,
    "readiness_changed": EventType.READINESS,
}
assert tuple(PUBLIC_TYPE) == PUBLISHED_KINDS, "storage/models/feed.py lists the same kinds"
assert {t.value for t in EventType} == set(EVENT_TYPES), "core/event_settings.py agrees"

_ACTIONS = {"accepted": "accept", "overridden": "override", "auto_accepted": "auto_accept"}
_RECEIVED_KEYS = ("owner", "backup", "tier", "due_at")


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def recommendation_ref(rec: Recommendation) -> dict[str, Any]:
    """How a planning system finds its own row: source + external id (and revision)."""
    return {
        "id": rec.id,
        "source": rec.source,
        "external_id": rec.external_id,
        "revision": rec.revision,
        "type": rec.type,
        "sku": rec.sku,
        "site": rec.site,
        "supplier": rec.supplier,
        "customer": rec.customer,
        "product_family": rec.product_family,
    }


def _decision(
    kind: str, data: dict[str, Any], rec: Recommendation, found: Decision | None, config: Config
) -> dict[str, Any]:
    # A human decision's audit row carries its details; an automatic one has its row.
    reason_code = data.get("reason_code")
    if found is not None and kind == "auto_accepted":
        reason_code = found.reason_code
    reason = config.reason_codes_by_code.get(reason_code or "")
    final = data.get("value") if kind == "overridden" else rec.quantity
    return {
        "action": _ACTIONS[kind],
        "ai_value": rec.quantity,
        "final_value": final if final is not None else rec.quantity,
        "unit": rec.unit,
        "reason_code": reason_code,
        "reason_label": reason.label if reason else None,
        "note": data.get("note"),
        "decided_by": found.actor_id if found is not None else None,
        "on_behalf_of": data.get("on_behalf_of"),
        "role": data.get("role") or (found.role if found is not None else None),
        "channel": data.get("channel") or (found.channel if found is not None else None),
        "decided_at": iso(found.decided_at) if found is not None else None,
    }


def public_data(
    *,
    kind: str,
    data: dict[str, Any],
    actor_id: str | None,
    at: datetime,
    rec: Recommendation | None,
    decision: Decision | None,
    config: Config,
) -> dict[str, Any]:
    """The public body's `data` for one audit row (see docs/events.md per type)."""
    body: dict[str, Any] = {}
    if rec is not None:
        body["recommendation"] = recommendation_ref(rec)
    if kind == "received":
        body.update({key: data.get(key) for key in _RECEIVED_KEYS})
        body.update(
            ai_value=rec.quantity if rec else None,
            unit=rec.unit if rec else None,
            confidence=rec.confidence if rec else None,
            event_time=iso(rec.event_time) if rec else None,
        )
    elif kind == "revised":
        body["revision"] = data.get("revision")
    elif kind == "withdrawn":
        body["on_arrival"] = bool(data.get("on_arrival", False))
    elif kind == "reassigned":
        body.update(
            previous_owner=data.get("previous_owner"),
            new_owner=data.get("new_owner"),
            by=actor_id,  # None: the ownership matrix re-routed a revision
            note=data.get("note"),
        )
    elif kind in _ACTIONS:
        assert rec is not None
        body.update(_decision(kind, data, rec, decision, config))
        if body["decided_by"] is None:
            body["decided_by"], body["decided_at"] = actor_id, iso(at)
    elif kind == "escalated":
        body.update(level=data.get("level"), notified=data.get("to"))
    elif kind == "outcome":
        body.update(actual_value=data.get("actual_value"), ai_correct=data.get("ai_correct"))
    elif kind == "rule_approved":
        body.update(
            rule=data.get("rule"),
            by=actor_id,
            owner=data.get("owner"),
            review_by=data.get("review_by"),
        )
    elif kind == "rule_rejected":
        body.update(rule=data.get("rule"), by=actor_id, reason=data.get("reason"))
    elif kind == "readiness_changed":
        body.update(ready=data.get("ready"), gates=data.get("gates", []))
    return body
