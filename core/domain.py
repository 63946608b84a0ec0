"""Domain vocabulary shared by every layer: statuses, actions, tiers and event kinds.

Kept as string enums so that the database, the API and chat payloads all carry the
same readable values.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    ACCEPT = "accept"
    OVERRIDE = "override"
    REASSIGN = "reassign"


class DecisionKind(StrEnum):
    """How a final decision came about; `auto` can still be overridden within the SLA."""

    ACCEPT = "accept"
    OVERRIDE = "override"
    AUTO = "auto"


class Tier(StrEnum):
    """How a recommendation reaches its owner."""

    DIRECT = "direct"  # an interactive message right away
    DIGEST = "digest"  # below actionable confidence: listed in the daily digest
    AUTO = "auto"  # at or above auto-accept confidence: accepted, owner told


class IngestStatus(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    REVISED = "revised"
    WITHDRAWN = "withdrawn"


class EventKind(StrEnum):
    """The append-only audit trail's vocabulary."""

    RECEIVED = "received"
    ROUTED = "routed"
    UNOWNED = "unowned"
    REVISED = "revised"
    WITHDRAWN = "withdrawn"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERY_ERROR = "delivery_error"  # an attempt that failed for a reason other than the platform
    PLATFORM_MISSED = "platform_missed"  # a platform did not know the person; the next is tried
    ACTIVITY_REFUSED = "activity_refused"  # an inbound activity from outside the configured tenant
    LINKED = "linked"  # a person's platform identity or conversation was stored or changed
    LINK_REFUSED = "link_refused"  # another account claimed a person already linked
    FALLBACK = "fallback"  # sent to a stand-in instead of someone unreachable: they may decide
    ACCEPTED = "accepted"
    OVERRIDDEN = "overridden"
    AUTO_ACCEPTED = "auto_accepted"
    REASSIGNED = "reassigned"
    DECISION_REFUSED = "decision_refused"
    REMINDED = "reminded"
    ESCALATED = "escalated"
    SLA_EXTENDED = "sla_extended"
    SNOOZED = "snoozed"
    DIGESTED = "digested"  # listed in an owner's daily digest (low confidence or over the cap)
    OUTCOME = "outcome"
    AWAY = "away"  # an absence set: the person, until when, their delegate, who set it
    BACK = "back"  # an absence cleared or ended by itself
    DELEGATED = "delegated"  # routed or offered to an absent owner's delegate


class OutboxKind(StrEnum):
    """What an outbox row asks the delivery worker to do."""

    DELIVER = "deliver"  # the interactive recommendation message to its owner
    REFRESH = "refresh"  # re-render every stored message of a recommendation
    NOTICE = "notice"  # a one-off plain message (auto-accept notice, reassign hand-over)
    DIGEST = "digest"  # an owner's daily digest, rendered from the rows marked for that day


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Role(StrEnum):
    """Why a person may act on a recommendation."""

    OWNER = "owner"
    DELEGATE = "delegate"  # acts for an absent owner (out of office), on their behalf
    BACKUP = "backup"
    ESCALATION = "escalation"
    REVIEWER = "reviewer"


SCOPE_KEYS: tuple[str, ...] = ("site", "supplier", "customer", "sku", "product_family")
