"""What sopbot stores inside Slack payloads (button values, modal private_metadata):
pydantic models, so a value Slack hands back is parsed and checked, never split by hand."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from core.limits import RowId


class _Compact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> str:
        """The JSON Slack carries for us (button values are capped at 2000 chars)."""
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def parse(cls, raw: Any) -> Self | None:
        """What Slack handed back, or None when it is not what we rendered (a payload
        edited by hand is still signed by Slack): the caller drops it, never a 500."""
        if not isinstance(raw, str | bytes):
            return None
        try:
            return cls.model_validate_json(raw)
        except ValidationError:
            return None


class ButtonValue(_Compact):
    """A button's `value`: which recommendation, on whose behalf, and the message it sits
    in (`purpose`: digest / escalation / reminder / queue; `page` of the queue), so the
    click redraws only its own entry and keeps what the message is for."""

    recommendation_id: RowId
    on_behalf: bool = False
    value: str | None = None
    purpose: str | None = None
    page: int | None = None


class QueuePageValue(_Compact):
    """Previous / Next on the `/sopbot queue` answer: the page to show."""

    page: int


class ModalMetadata(_Compact):
    """A modal's `private_metadata`: where the click came from, so the submission can
    update that message in place (no channel/ts when clicked on the App Home), or redraw
    the ephemeral `/sopbot queue` list through its `response_url` (3000 chars at most:
    a Slack response url is about a hundred)."""

    recommendation_id: RowId
    channel: str | None = None
    message_ts: str | None = None
    response_url: str | None = None
    on_behalf: bool = False
    purpose: str | None = None  # as in ButtonValue: the message the modal was opened from
    page: int | None = None
