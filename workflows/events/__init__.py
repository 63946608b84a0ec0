"""Decisions flowing back to the planning system (issue #28): the public events derived
from the audit trail and their positions in commit order (`sequencer.py`), the change
feed and its cursors (`feed.py`), Standard Webhooks signing and delivery through a
durable cursor per subscription (`signing.py`, `webhooks.py`, `admin.py`), the
`readiness.changed` watcher, and the decision export (`exports.py`).
The catalogue of types and bodies is `catalogue.py` (documented in docs/events.md)."""

from workflows.events.admin import HookStatus, hook_statuses, replay, send_test
from workflows.events.catalogue import EventType
from workflows.events.exports import COLUMNS, ExportFormat, decision_rows, export_chunks
from workflows.events.feed import MAX_LIMIT, BadCursor, CursorExpired, Page, read_page
from workflows.events.job import EventsJob
from workflows.events.privacy import EventPeople, EventPeopleSource, event_people
from workflows.events.schemas import FeedPage
from workflows.events.sequencer import Sequencer
from workflows.events.signing import SecretError
from workflows.events.webhooks import Subscription, WebhookDeliverer, subscriptions

__all__ = [
    "COLUMNS",
    "MAX_LIMIT",
    "BadCursor",
    "CursorExpired",
    "EventPeople",
    "EventPeopleSource",
    "EventType",
    "EventsJob",
    "ExportFormat",
    "FeedPage",
    "HookStatus",
    "Page",
    "SecretError",
    "Sequencer",
    "Subscription",
    "WebhookDeliverer",
    "decision_rows",
    "event_people",
    "export_chunks",
    "hook_statuses",
    "read_page",
    "replay",
    "send_test",
    "subscriptions",
]
