"""The Slack adapter as the composition root sees it: a bolt `App` (sync, acking before
the work, which runs on adapters.slack.after_ack's pool), its routes at `POST /slack/events`
(one Request URL for events, interactivity and `/sopbot`), and Socket Mode when an app
token is configured. Bolt itself answers 401 to a bad signature or a stale timestamp."""

from __future__ import annotations

import logging
import threading

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

from adapters.slack.after_ack import AfterAck
from adapters.slack.chat import SlackChat
from adapters.slack.client import build_client
from adapters.slack.commands import SlackCommands
from adapters.slack.handlers import SlackHandlers
from adapters.slack.home import HomeTab
from adapters.slack.interview import SlackInterview
from adapters.slack.journal import Journal
from adapters.slack.membership import channel_problem
from adapters.slack.people import SlackPeople
from adapters.slack.settings import SlackSettings
from adapters.slack.unknown import ignore_unknown, malformed
from workflows.service import Services

EVENTS_PATH = "/slack/events"
# Slack's own payloads stay far below this (a modal's view is at most 100 blocks of a few
# kB); anything bigger is refused before Bolt parses it. The server-wide cap
# (bot.api_guards.MAX_BODY_BYTES, for ingestion batches) is five times as much.
MAX_REQUEST_BYTES = 1024 * 1024

log = logging.getLogger(__name__)


class SlackAdapter:
    name = "slack"

    def __init__(self, *, settings: SlackSettings, services: Services) -> None:
        token = settings.bot_token.get_secret_value()
        secret = settings.signing_secret
        self.client = build_client(token=token, base_url=settings.api_url)
        self.escalation_channel = services.config.channel
        self.channel_check: threading.Thread | None = None
        people = SlackPeople(services=services, client=self.client)
        self.journal = Journal(services=services)  # acked clicks survive a crash
        self.after = after = AfterAck(journal=self.journal)
        self.home = home = HomeTab(
            services=services, client=self.client, yield_to_acks=after.yield_to_acks
        )
        self.chat = SlackChat(client=self.client, people=people, home=home)
        self.app = App(
            name="sopbot",  # without it Bolt reads inspect.stack(): every frame's source
            client=self.client,
            signing_secret=secret.get_secret_value() if secret else "",
            request_verification_enabled=secret is not None,
            token_verification_enabled=False,  # no Web API call while building the runtime
            process_before_response=False,
            logger=log,
        )
        self.handlers = SlackHandlers(
            services=services, people=people, home=home, client=self.client, after=after
        )
        self.handlers.register(self.app)
        commands = SlackCommands(services=services, people=people, home=home, after=after)
        commands.register(self.app)
        SlackInterview(
            commands=commands, client=self.client, after=after, threads=self.chat.threads
        ).register(self.app)
        ignore_unknown(self.app)  # last: only what no listener above claims
        self.router = APIRouter()
        if secret is not None:  # without a signing secret, nothing posted here is trusted
            self.router.add_api_route(
                EVENTS_PATH, self.handle, methods=["POST"], include_in_schema=False
            )
        app_token = settings.app_token
        self.socket_mode = (
            SocketModeHandler(self.app, app_token.get_secret_value()) if app_token else None
        )

    async def handle(self, request: Request) -> Response:
        """Bolt's sync dispatch runs in a worker thread so the event loop stays free. A
        body over MAX_REQUEST_BYTES is answered 413 and never reaches Bolt."""
        with self.after.answering():
            body = await request.body()
            if len(body) > MAX_REQUEST_BYTES:
                return JSONResponse({"error": "request too large"}, status_code=413)
            response = await run_in_threadpool(self.dispatch, request, body)
            return to_starlette_response(response)

    def dispatch(self, request: Request, body: bytes) -> BoltResponse:
        """Bolt's dispatch; a payload whose shape breaks Bolt's own parsing or matching
        (Slack never sends one) is a 400."""
        try:
            return self.app.dispatch(to_bolt_request(request, body))
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            log.warning("refused a Slack request Bolt could not read: %r", exc)
            return malformed()

    def start(self) -> None:
        # Clicks a process gone had acked and not done (after their lease), now and then.
        self.journal.start_takeover(self.handlers.redo)
        if self.socket_mode is not None:
            self.socket_mode.connect()
            log.info("Slack Socket Mode connected")
        if self.escalation_channel:  # asked aside: a slow Slack must not hold the start
            self.channel_check = threading.Thread(
                target=self._check_channel, name="slack-channel-check", daemon=True
            )
            self.channel_check.start()

    def _check_channel(self) -> None:
        problem = channel_problem(client=self.client, channel=self.escalation_channel or "")
        if problem:
            log.warning("%s", problem)

    def stop(self) -> None:
        """Close the socket, then finish what was acked and the Home tabs it changed."""
        if self.socket_mode is not None:
            self.socket_mode.close()
        self.after.stop()
        self.home.stop()


def build_slack_adapter(*, settings: SlackSettings, services: Services) -> SlackAdapter:
    return SlackAdapter(settings=settings, services=services)
