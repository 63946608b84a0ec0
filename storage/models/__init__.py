"""The tables. Facts live here, not in memory: owners, decisions, the audit trail and
the outbox, so restarts lose nothing and several replicas agree. One module per concept,
all on one metadata (`Base.metadata`), imported here so every table is registered."""

from storage.models.absence import Absence
from storage.models.base import NAMING, Base
from storage.models.context import ContextRule, InterviewRecord, OverridePattern
from storage.models.feed import FeedEvent, WebhookCursor
from storage.models.pending import PendingAction
from storage.models.readiness import ReadinessDay, ReviewAcknowledgement
from storage.models.review import ReportSecret, ReviewPost
from storage.models.tables import (
    Assignment,
    ChatMessage,
    Decision,
    DirectMessageCount,
    Event,
    MatrixSignoff,
    OutboxItem,
    Outcome,
    PersonLink,
    ProcessedDelivery,
    Recommendation,
    SlaClock,
)

__all__ = [
    "Absence",
    "Assignment",
    "Base",
    "ChatMessage",
    "ContextRule",
    "Decision",
    "DirectMessageCount",
    "Event",
    "FeedEvent",
    "InterviewRecord",
    "MatrixSignoff",
    "NAMING",
    "OutboxItem",
    "Outcome",
    "OverridePattern",
    "PendingAction",
    "PersonLink",
    "ProcessedDelivery",
    "ReadinessDay",
    "ReviewAcknowledgement",
    "Recommendation",
    "SlaClock",
    "ReportSecret",
    "ReviewPost",
    "WebhookCursor",
]
