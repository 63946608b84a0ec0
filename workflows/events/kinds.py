"""The audit vocabulary this package writes (beside core.domain.EventKind, as the context
loop keeps its own): a readiness change, and what happened to a webhook delivery."""

from __future__ import annotations

from enum import StrEnum


class EventsAudit(StrEnum):
    READINESS_CHANGED = "readiness_changed"  # published as readiness.changed
    WEBHOOK_FAILED = "webhook_failed"  # an event a subscription gave up on
    WEBHOOK_REPLAYED = "webhook_replayed"  # a subscription's cursor moved back by hand
