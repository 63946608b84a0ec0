"""The interview conversation in Slack's direct messages: a planner answers the
questions sopbot posted by typing into the DM (Slack's `message.im` event), as they
would in Teams or the web chat. Every word goes through the same command registry as
`/sopbot`, so `help` or `rules` typed in the DM answer too; the reply is posted into the
same DM. Messages from bots (sopbot's own posts included) and edits are ignored.

An interview's turns (`Message.thread`) are one thread of the DM (adapters.slack.threads):
its first message top-level, every later question and answer a reply in its thread,
wherever the planner typed (in the thread, as Slack's `message.im` event with
`thread_ts`, or in the DM itself). Any other answer goes where the planner typed.

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
from adapters.slack.threads import Threads, thread_mark
from core.messages import Message


class SlackInterview:
    def __init__(
        self, *, commands: SlackCommands, client: WebClient, after: AfterAck, threads: Threads
    ) -> None:
        self.commands = commands
        self.client = client
        self.after = after
        self.threads = threads

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
        channel = event["channel"]
        typed_in = {"thread_ts": event["thread_ts"]} if event.get("thread_ts") else {}
        if isinstance(reply, str):
            self.client.chat_postMessage(channel=channel, text=escape(reply), **typed_in)
            return
        if reply.thread is not None:
            self._turn(event, reply, reply.thread)
            return
        self.client.chat_postMessage(
            channel=channel,
            text=fallback_text(reply),
            blocks=as_dicts(message_blocks(reply)),
            **typed_in,
        )

    def _turn(self, event: dict[str, Any], reply: Message, thread: str) -> None:
        """A turn of a conversation: a reply in its thread, or its first message."""
        channel, user = event["channel"], event.get("user") or event["channel"]
        root = self.threads.root(channel=channel, thread=thread, started=reply.thread_started)
        where: dict[str, Any] = (
            {"thread_ts": root[1]} if root else {"metadata": thread_mark(thread)}
        )
        sent = self.client.chat_postMessage(
            channel=root[0] if root else channel,
            text=fallback_text(reply),
            blocks=as_dicts(message_blocks(reply)),
            **where,
        )
        if root is None:
            dm, ts = str(sent["channel"]), str(sent["ts"])
            self.threads.remember(names=(channel, user, dm), thread=thread, dm=dm, ts=ts)
