"""Where a click or a modal submission came from, so the answer goes back there: the
clicker, the channel for ephemeral notes, the message to `chat.update` in place, and the
`response_url` of an ephemeral message (the `/sopbot queue` list), which `chat.update`
cannot touch but Slack lets us replace through that url."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.slack.payloads import ModalMetadata


@dataclass(frozen=True)
class Origin:
    user_id: str
    channel: str | None = None
    ts: str | None = None  # a channel message we may chat.update; None on Home / ephemeral
    response_url: str | None = None  # only for a click on an ephemeral message

    @classmethod
    def of_click(cls, body: dict[str, Any]) -> Origin:
        """A block_actions payload: from a message (channel + ts), from an ephemeral
        message (channel + response_url) or from the Home tab (neither)."""
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        user_id = body["user"]["id"]
        if container.get("type") != "message":
            return cls(user_id=user_id, channel=channel)
        if container.get("is_ephemeral"):
            return cls(user_id=user_id, channel=channel, response_url=body.get("response_url"))
        return cls(user_id=user_id, channel=channel, ts=container.get("message_ts"))

    @classmethod
    def of_submission(cls, body: dict[str, Any], metadata: ModalMetadata) -> Origin:
        """A view_submission: where the modal was opened from, kept in its metadata."""
        return cls(
            user_id=body["user"]["id"],
            channel=metadata.channel,
            ts=metadata.message_ts,
            response_url=metadata.response_url,
        )

    def metadata(
        self,
        *,
        recommendation_id: int,
        on_behalf: bool = False,
        purpose: str | None = None,
        page: int | None = None,
    ) -> ModalMetadata:
        """What a modal opened from here carries, so its submission answers here too,
        redrawing the message as what it was (`purpose`, the queue's `page`)."""
        return ModalMetadata(
            recommendation_id=recommendation_id,
            channel=self.channel,
            message_ts=self.ts,
            response_url=self.response_url,
            on_behalf=on_behalf,
            purpose=purpose,
            page=page,
        )
