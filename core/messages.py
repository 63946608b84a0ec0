"""The platform-neutral message: what sopbot says, before any chat platform renders it.

Workflows build these; each adapter renders them (Block Kit, Adaptive Cards, HTML), so
a planner sees the same content and the same buttons in Slack, Teams and the web chat.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Tone(StrEnum):
    INFO = "info"
    ATTENTION = "attention"  # due soon, escalated
    GOOD = "good"  # accepted
    WARNING = "warning"  # overridden, withdrawn, delivery trouble


class ButtonAction(StrEnum):
    """Everything a person can press. Adapters map these to their own ids."""

    ACCEPT = "accept"
    OVERRIDE = "override"
    REASSIGN = "reassign"
    SNOOZE = "snooze"
    EXTEND = "extend"


class ButtonStyle(StrEnum):
    PRIMARY = "primary"
    DANGER = "danger"
    DEFAULT = "default"


class Button(BaseModel):
    action: ButtonAction
    label: str
    recommendation_id: int
    style: ButtonStyle = ButtonStyle.DEFAULT
    on_behalf: bool = False  # an escalation contact deciding for the owner
    value: str | None = None  # e.g. the snooze length


class InputKind(StrEnum):
    SELECT = "select"
    TEXT = "text"
    MULTILINE = "multiline"
    NUMBER = "number"
    DATETIME = "datetime"


class Option(BaseModel):
    value: str
    label: str


class FormInput(BaseModel):
    name: str
    label: str
    kind: InputKind
    required: bool = False
    options: list[Option] = Field(default_factory=list)
    hint: str | None = None
    placeholder: str | None = None


class Form(BaseModel):
    """A form opened by a button (a Slack modal, a Teams show-card, an HTML form)."""

    action: ButtonAction
    title: str
    submit_label: str
    recommendation_id: int
    inputs: list[FormInput]
    on_behalf: bool = False


class MessageField(BaseModel):
    label: str
    value: str


class Section(BaseModel):
    """A titled block of lines: *Why*, *Context rules*, *Similar decisions*."""

    title: str
    lines: list[str]


class Message(BaseModel):
    header: str
    text: str | None = None  # the recommended action, in one sentence (or a notice's line)
    # What `text` is called where it is shown: "Recommended" on a recommendation's card;
    # None on a notice (an SLA extension's line is no recommended action).
    text_label: str | None = None
    fields: list[MessageField] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    # Where an open item stands now, drawn from state each time the card is drawn: due or
    # overdue in business time with the due moment, escalated to whom and when, snoozed,
    # extended, handed over. The card's visible status line right under its header, the
    # first line its headline, coloured by `tone` (issue 27); never small print.
    state: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)  # small print: ids, freshness, notes
    buttons: list[Button] = Field(default_factory=list)
    forms: list[Form] = Field(default_factory=list)
    status: str | None = None  # the decided state, e.g. "Accepted by Ana Lopez at 10:14"
    tone: Tone = Tone.INFO
    recommendation_id: int | None = None
    items: list[Message] = Field(default_factory=list)  # a digest's entries
    # Messages of one conversation (an interview's turns: "interview-7"), which a
    # platform that can shows together, apart from the cards around them.
    thread: str | None = None
    # When that conversation began: none of its turns was posted before, so a platform
    # looking for its first message reads back to here (adapters.slack.threads).
    thread_started: datetime | None = None

    def fallback_text(self) -> str:
        """Plain text for notifications and screen readers."""
        parts = [self.header]
        if self.text:
            parts.append(self.text)
        if self.status:
            parts.append(self.status)
        elif self.state:
            parts.append(self.state[0])
        return " - ".join(parts)

    def form_for(self, action: ButtonAction) -> Form | None:
        return next((f for f in self.forms if f.action == action), None)
