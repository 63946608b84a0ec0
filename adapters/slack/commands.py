"""The Home tab and `/sopbot`: what a person asks to see. Both answer strangers plainly
("you are not in the sopbot configuration") instead of showing nothing.

Both are acked at once and answered after the ack (adapters.slack.after_ack): the
command's answer goes to its `response_url` as an ephemeral message, the Home tab is
published by the coalescing publisher."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond

from adapters.slack.after_ack import AfterAck
from adapters.slack.blocks import as_dicts, escape, fallback_text, message_blocks
from adapters.slack.dedupe import first_time
from adapters.slack.home import HomeTab
from adapters.slack.modals import NOT_CONFIGURED
from adapters.slack.people import SlackPeople
from adapters.slack.queue import QueueView, queue_view
from core.messages import Message
from workflows.chat import QUEUE, answer_command, parse_command
from workflows.service import Services

COMMAND = "/sopbot"
SLACK_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


class SlackCommands:
    def __init__(
        self, *, services: Services, people: SlackPeople, home: HomeTab, after: AfterAck
    ) -> None:
        self.services = services
        self.people = people
        self.home = home
        self.after = after

    def register(self, app: App) -> None:
        app.command(COMMAND)(self.on_command)
        app.event("app_home_opened")(self.on_home_opened)

    def on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """Bolt acks events itself; the lookup and the publish run after."""
        if event.get("tab", "home") != "home":
            return
        self.after.run(partial(self.home_opened, body, event["user"]))

    def home_opened(self, body: dict[str, Any], user_id: str) -> None:
        if first_time(self.services, body):
            self.home.refresh(user_id=user_id, person_id=self.people.person_id_for(user_id))

    def answer(self, *, user_id: str | None, text: str) -> Message | QueueView | str:
        """The reply to `/sopbot <text>`: a message to render, the first page of the
        queue, or a plain sentence."""
        person_id = self.people.person_id_for(user_id)
        if person_id is None:
            return NOT_CONFIGURED
        text = SLACK_MENTION.sub(lambda m: self._mention(m.group(1)), text)
        request = parse_command(
            self.services.config, person_id=person_id, text=text, platform="slack"
        )
        if request.word == QUEUE:
            return queue_view(self.services, person_id=person_id)
        return answer_command(self.services, request)

    def _mention(self, user_id: str) -> str:
        """`<@U0ANA|ana>` -> `@ana` when the Slack user is a configured person."""
        person_id = self.people.person_id_for(user_id)
        return f"@{person_id}" if person_id else f"@{user_id}"

    def on_command(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        """Acked empty at once; the answer follows as an ephemeral message."""
        ack()
        self.after.run(partial(self.respond, command, respond))

    def respond(self, command: dict[str, Any], respond: Respond) -> None:
        if not first_time(self.services, command):
            return  # the same signed invocation, replayed: it was answered
        reply = self.answer(user_id=command.get("user_id"), text=command.get("text") or "")
        if isinstance(reply, str):
            respond(response_type="ephemeral", text=escape(reply))  # mrkdwn: & < > literal
            return
        if isinstance(reply, QueueView):
            respond(response_type="ephemeral", text=reply.text, blocks=reply.blocks or None)
            return
        respond(
            response_type="ephemeral",
            text=fallback_text(reply),
            blocks=as_dicts(message_blocks(reply)),
        )
