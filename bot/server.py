"""The one HTTP server: ingestion API, health, metrics, and every enabled adapter's
routes (`/slack/events`, `/api/messages`, `/chat`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from pydantic.json_schema import models_json_schema

from bot.api import OPENAPI_MODELS, api_router, install_error_handlers
from bot.api_contract import tighten
from bot.api_guards import BodyLimit
from bot.api_state import attach_api_state
from bot.http_methods import MethodsOfPath
from bot.open_api_hosts import OpenApiHosts
from bot.runtime import Runtime


def create_app(runtime: Runtime, *, start_background: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if start_background:
            runtime.start()
        yield
        if start_background:
            runtime.stop()

    app = FastAPI(
        title="sopbot",
        version="0.1.0",
        lifespan=lifespan,
        description="Routes AI supply-chain recommendations to named owners in chat.",
    )
    app.state.runtime = runtime
    attach_api_state(app, services=runtime.services, settings=runtime.settings, meter=runtime.meter)
    app.add_middleware(MethodsOfPath)
    if runtime.settings.api_open_for_demo:  # no token to check: check the Host instead
        app.add_middleware(OpenApiHosts, extra_hosts=runtime.settings.chat_hosts)
    app.add_middleware(BodyLimit)  # outermost: nothing reads a body over the limit
    install_error_handlers(app)
    app.include_router(api_router())
    for adapter in runtime.adapters:
        app.include_router(adapter.router)
    if runtime.settings.local_chat_on:

        @app.get("/", include_in_schema=False)
        def _home() -> RedirectResponse:
            return RedirectResponse("/chat")

    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original_openapi()
        _, defs = models_json_schema(
            [(m, "validation") for m in OPENAPI_MODELS], ref_template="#/components/schemas/{model}"
        )
        schema.setdefault("components", {}).setdefault("schemas", {}).update(defs.get("$defs", {}))
        app.openapi_schema = tighten(schema, runtime.config)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
