"""The interview conversation in Slack's direct messages: a planner answers the
questions sopbot posted by typing into the DM (Slack's `message.im` event), as they
would in Teams or the web chat. Every word goes through the same command registry as
`/sopbot`, so `help` or `rules` typed in the DM answer too; the reply is posted into the
same DM. Messages from bots (sopbot's own posts included) and edits are ignored.

Like every Slack delivery, the event is acked first and answered after the ack
(adapters.slack.after_ack), and its event id is claimed once in the database: Slack's
retries of a slow event must not record one answer twice."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from adapters.slack.after_ack import AfterAck
from adapters.slack.blocks import as_dicts, escape, fallback_text, message_blocks
from adapters.slack.commands import SlackCommands
from adapters.slack.dedupe import first_time


class SlackInterview:
    def __init__(self, *, commands: SlackCommands, client: WebClient, after: AfterAck) -> None:
        self.commands = commands
        self.client = client
        self.after = after

    def register(self, app: App) -> None:
        app.event("message")(self.on_direct_message)

    def on_direct_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """Bolt acks events itself; the answer is recorded and posted after."""
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        text = (event.get("text") or "").strip()
        if text:
            self.after.run(partial(self.reply, body, event, text))

    def reply(self, body: dict[str, Any], event: dict[str, Any], text: str) -> None:
        if not first_time(self.commands.services, body):
            return
        reply = self.commands.answer(user_id=event.get("user"), text=text)
        if isinstance(reply, str):
            self.client.chat_postMessage(channel=event["channel"], text=escape(reply))
            return
        self.client.chat_postMessage(
            channel=event["channel"],
            text=fallback_text(reply),
            blocks=as_dicts(message_blocks(reply)),
        )
