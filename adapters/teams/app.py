"""The Teams adapter: botbuilder's `CloudAdapter` configured from the TEAMS_* settings,
its bot, its `Chat`, and `POST /api/messages` in the one sopbot server.

The HTTP route hands each activity to the adapter's private loop (see loop.py) and
answers 401 when Bot Framework authentication refuses the request, before any work.
An authenticated message activity (text, or a card's Action.Submit) is answered 202 at
once and its turn runs after the answer (replies and card updates go through the Bot
Connector, not the HTTP answer), so a burst of clicks never runs into Teams' timeout;
its database work runs on the loop's bounded thread pool. A card's Action.Execute
(invoke `adaptiveCard/action`) is answered at once too, with a short message built from
the payload alone, and its turn runs after (adapters.teams.execute). Any other invoke,
or a message sent with deliveryMode expectReplies, carries its answer in the HTTP
response, so that turn is awaited."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes
from botframework.connector.auth import AuthenticateRequestResult
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from jwt import PyJWTError
from msrest.exceptions import SerializationError

from adapters.teams.bot import SopbotTeamsBot
from adapters.teams.chat import TeamsChat
from adapters.teams.durable import DurableTurns
from adapters.teams.execute import answer_now, is_card_action
from adapters.teams.loop import LoopThread, TurnsAfterAnswer
from adapters.teams.references import ReferenceStore
from adapters.teams.retry import RetryPolicy
from adapters.teams.settings import TeamsSettings
from adapters.teams.tenant import TenantGate
from core.config import ConfigError
from workflows.service import Services

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
# An activity from Teams (a message, a card's submit) is a few kB; a body over this is
# refused 413 before it is parsed or authenticated. The server-wide cap
# (bot.api_guards.MAX_BODY_BYTES, for ingestion batches) is five times as much.
MAX_REQUEST_BYTES = 1024 * 1024


class TeamsSettingsError(ConfigError):
    """The TEAMS_* settings cannot work together; `sopbot serve` reports it like any
    configuration problem."""

    def __init__(self, problem: str) -> None:
        super().__init__([problem], source="the TEAMS_* environment")


class Unauthorized(Exception):
    """The request's Bot Framework token was missing or invalid."""


@dataclass(frozen=True)
class BotAuthConfig:
    """The attribute names `ConfigurationBotFrameworkAuthentication` reads.

    With no app id, authentication is off (local testing against the Emulator or a fake
    connector): botbuilder then neither checks inbound tokens nor sends one outbound.
    SingleTenant needs an app id, so the empty-id case runs as MultiTenant."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str

    @classmethod
    def from_settings(cls, settings: TeamsSettings) -> BotAuthConfig:
        password = settings.app_password.get_secret_value() if settings.app_password else ""
        app_type = settings.app_type if settings.app_id else "MultiTenant"
        if app_type.lower() == "singletenant" and not (password and settings.tenant_id):
            raise TeamsSettingsError(
                "a SingleTenant Teams bot needs TEAMS_APP_PASSWORD and TEAMS_TENANT_ID "
                "(or set TEAMS_APP_TYPE=MultiTenant)"
            )
        return cls(
            APP_ID=settings.app_id,
            APP_PASSWORD=password,
            APP_TYPE=app_type,
            APP_TENANTID=settings.tenant_id,
        )

    def __repr__(self) -> str:  # never show the password
        return f"BotAuthConfig(APP_ID={self.APP_ID!r}, APP_TYPE={self.APP_TYPE!r})"


class TeamsAdapter:
    name = "teams"

    def __init__(
        self, *, settings: TeamsSettings, services: Services, retry: RetryPolicy | None = None
    ) -> None:
        auth = BotAuthConfig.from_settings(settings)
        if not auth.APP_ID:
            log.warning(
                "Teams adapter without TEAMS_APP_ID: requests are NOT authenticated "
                "(local testing only)"
            )
        self.loop = LoopThread()
        self.turns = TurnsAfterAnswer(self.loop)
        self.cloud_adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(auth))
        store = ReferenceStore(services=services)
        self.tenants = TenantGate(
            tenant_id=settings.tenant_id, services=services, allowed=settings.allowed_tenants
        )
        retry = retry or RetryPolicy()
        self.bot = SopbotTeamsBot(services=services, store=store, retry=retry)
        self.chat = TeamsChat(
            adapter=self.cloud_adapter, app_id=auth.APP_ID, store=store, loop=self.loop, retry=retry
        )
        self.services = services
        self.durable = DurableTurns(  # card clicks journaled between answer and turn
            services=services,
            bot=self.bot,
            turns=self.turns,
            cloud_adapter=self.cloud_adapter,
            app_id=auth.APP_ID,
        )
        self.router = self._routes()

    def set_retry_policy(self, retry: RetryPolicy) -> None:
        """Tests use millisecond backoff; deployments keep the default."""
        self.bot.retry = retry
        self.chat.retry = retry

    def start(self) -> None:
        _ = self.loop.loop
        # Card clicks a process gone had answered and not done, now and then.
        self.durable.journal.start_takeover(self.durable.redo)

    def stop(self) -> None:
        self.durable.journal.stop()  # what was answered is written and started first
        self.turns.wait_idle()
        self.loop.stop()

    async def _authenticate(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        """Bot Framework token validation, apart from the turn, so that every refusal
        (missing, malformed, forged or expired token) is a 401 and nothing runs."""
        auth = self.cloud_adapter.bot_framework_authentication
        try:
            return await auth.authenticate_request(activity, auth_header)
        except (PermissionError, PyJWTError) as exc:
            log.info("Teams request refused: %s", type(exc).__name__)
            raise Unauthorized from None

    def _routes(self) -> APIRouter:
        router = APIRouter(tags=["teams"])

        @router.post(MESSAGES_PATH, summary="Bot Framework activities (Microsoft Teams)")
        async def messages(request: Request) -> Response:
            if "application/json" not in request.headers.get("content-type", ""):
                return JSONResponse({"error": "expected application/json"}, status_code=415)
            body = await request.body()
            if len(body) > MAX_REQUEST_BYTES:
                return JSONResponse({"error": "request too large"}, status_code=413)
            try:
                activity = Activity().deserialize(json.loads(body))
            except Exception:  # noqa: BLE001 - not JSON, or not an activity
                return JSONResponse({"error": "the body is not an activity"}, status_code=400)
            if not activity.type:
                return JSONResponse({"error": "an activity needs a type"}, status_code=400)
            auth_header = request.headers.get("authorization", "")
            try:
                identity = await self.loop.run_async(self._authenticate(activity, auth_header))
            except Unauthorized:
                return JSONResponse({"error": "unauthorized"}, status_code=401)
            if not self.tenants.admits(activity):  # another tenant: audited, nothing runs
                await asyncio.to_thread(self.tenants.refuse, activity)
                return JSONResponse({"error": "tenant not served"}, status_code=403)
            turn = self.cloud_adapter.process_activity(identity, activity, self.bot.on_turn)
            if is_card_action(activity):  # Action.Execute: answered now, its turn after
                answer = answer_now(self.services, activity)
                if answer.run_turn:
                    self.durable.start(activity, body, turn)
                else:
                    turn.close()
                return JSONResponse(answer.body, status_code=200)
            if activity.type == ActivityTypes.message and (
                activity.delivery_mode != DeliveryModes.expect_replies
            ):
                self.durable.start(activity, body, turn)
                return Response(status_code=202)
            invoke = await self.loop.run_async(turn)
            if invoke is not None:
                try:
                    answer = serializer_helper(invoke.body)
                except SerializationError:  # botbuilder's answer to a malformed invoke value
                    return JSONResponse({"error": "malformed invoke"}, status_code=400)
                return JSONResponse(answer, status_code=invoke.status)
            return Response(status_code=201)

        return router


def build_teams_adapter(*, settings: TeamsSettings, services: Services) -> TeamsAdapter:
    return TeamsAdapter(settings=settings, services=services)
