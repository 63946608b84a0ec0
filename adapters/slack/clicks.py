"""What a click carries between its ack and its work: the message it came from, the
input errors a modal is answered with, and the journal entry that lets another process
redo it (adapters.slack.journal). Kept apart from the listeners so they stay readable."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from adapters.slack.dedupe import delivery_key
from adapters.slack.journal import Durable
from core.messages import ButtonAction, Message
from workflows.views import Purpose


@dataclass(frozen=True)
class Drawn:
    """The message a click came from, as its button value says: what it is for (digest,
    escalation, reminder, queue) and the queue page, so the redraw keeps both."""

    purpose: str | None = None
    page: int | None = None

    def as_purpose(self) -> Purpose:
        """The purpose to draw one recommendation for (the owner's plain message for
        anything the workflow does not draw differently)."""
        try:
            return Purpose(self.purpose or Purpose.OWNER)
        except ValueError:
            return Purpose.OWNER


def refusal(message: Message, wanted: ButtonAction) -> str:
    """Why the reader gets no form: it was decided already, or it is not theirs."""
    if message.status:
        return f"Nothing left to decide: {message.status}."
    owner = next((f.value for f in message.fields if f.label == "Owner"), "its owner")
    if wanted == ButtonAction.EXTEND:
        return f"Only {owner}'s escalation contacts or the override reviewer may extend the SLA."
    return f"Only {owner}, their backup or their escalation contacts may decide this one."


class InputErrors(Exception):
    """A modal's input errors by block id, for `response_action=errors`."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class Kind(StrEnum):
    """What a journaled click does again when taken over."""

    ACCEPT = "accept"
    SNOOZE = "snooze"
    SUBMIT = "submit"
    EXTEND = "extend"


def durable(body: dict[str, Any], kind: Kind) -> Durable | None:
    """The journal entry of an acked click, keyed by its delivery (a block action's own
    id; a submission's view and trigger); None when Slack gave nothing to key it by."""
    key = delivery_key(body)
    if key is None and body.get("type") == "view_submission":
        view_id, trigger = (body.get("view") or {}).get("id"), body.get("trigger_id")
        key = f"view:{view_id}:{trigger}" if view_id and trigger else None
    return Durable(key=key, kind=kind.value, body=body) if key else None
