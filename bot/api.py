"""The HTTP API integrators use (OpenAPI at /openapi.json). Every error is JSON that
names the field; nothing half-written, no stack traces."""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field, TypeAdapter
from starlette.concurrency import run_in_threadpool

from bot.api_review import build_review_api
from bot.metrics import render_metrics
from bot.settings import Settings
from core.domain import Action, IngestStatus
from core.recommendation import OutcomeIn, RecommendationIn
from workflows.decisions import DecisionRequest
from workflows.errors import AlreadyDecided, InvalidInput, NotFound, NotPermitted, Withdrawn
from workflows.ingestion import BatchRejected, IngestResult, ItemError, validate_batch
from workflows.outcomes import record_outcomes
from workflows.queries import (
    RecommendationView,
    list_recommendations,
    metrics_snapshot,
    recommendation_detail,
    summary_view,
)
from workflows.service import Services

_RESULT = TypeAdapter(IngestResult)
_RESULTS = TypeAdapter(list[IngestResult])


class ApiError(Exception):
    def __init__(self, status: int, detail: list[dict[str, Any]]) -> None:
        self.status = status
        self.detail = detail


def _error(status: int, message: str, field: str | None = None) -> ApiError:
    return ApiError(
        status, [{"field": field, "message": message} if field else {"message": message}]
    )


class DecisionIn(BaseModel):
    actor: str = Field(min_length=1, description="person id from the configuration")
    action: Action
    reason_code: str | None = None
    note: str | None = None
    value: float | None = None
    to: str | None = Field(default=None, description="reassign: the new owner's person id")


class DecisionOut(BaseModel):
    recommendation_id: int
    action: Action
    actor: str
    role: str
    summary: str


class RecommendationPage(BaseModel):
    items: list[RecommendationView]
    next_after_id: int | None


def _require_json(request: Request) -> None:
    """Writes take JSON only: a `text/plain` form post from another site (no CORS
    preflight) must not reach the ingestion path."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise _error(415, "send the body as JSON with 'Content-Type: application/json'",
                     "content-type")  # fmt: skip


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _error(422, f"the body is not valid JSON: {exc}", "body") from None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = []
        for err in exc.errors():
            loc = [str(p) for p in err["loc"] if p not in ("body", "query", "path")]
            detail.append({"field": ".".join(loc) or "body", "message": err["msg"]})
        return JSONResponse({"detail": detail}, status_code=422)


def build_api(*, services: Services, settings: Settings) -> APIRouter:
    router = APIRouter()
    expected = settings.api_token.get_secret_value().encode() if settings.api_token else None

    def authorise(request: Request, write: bool) -> None:
        header = request.headers.get("authorization", "")
        if expected is None:
            if write and not settings.api_open_for_demo:
                raise _error(401, "writes are disabled: set SOPBOT_API_TOKEN on the server "
                                  "and send it as 'Authorization: Bearer <token>'")  # fmt: skip
            return
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise _error(401, "missing bearer token: send 'Authorization: Bearer <token>'")
        if not secrets.compare_digest(token.encode(), expected):
            raise _error(401, "invalid bearer token")

    # async: a sync dependency would cost a thread-pool hop on every request.
    async def reader(request: Request) -> None:
        authorise(request, write=False)

    async def writer(request: Request) -> None:
        authorise(request, write=True)

    read = [Depends(reader)]
    write = [Depends(writer)]
    router.include_router(build_review_api(services=services, read=read))

    def validate_and_ingest(raw_items: list[Any]) -> list[IngestResult]:
        items = validate_batch(config=services.config, raw_items=raw_items)
        return services.ingestor.ingest(items=items)

    @router.post(
        "/api/v1/recommendations",
        response_model=IngestResult | list[IngestResult],
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"oneOf": [{"$ref": "#/components/schemas/RecommendationIn"},
                                 {"type": "array",
                                  "items": {"$ref": "#/components/schemas/RecommendationIn"}}]}}}}},
        summary="Store one recommendation or a batch (all or nothing, idempotent)",
        dependencies=write,
    )  # fmt: skip
    async def post_recommendations(request: Request) -> Response:
        _require_json(request)
        body = _parse_json(await request.body())
        single = isinstance(body, dict)
        if not single and not isinstance(body, list):
            raise _error(422, "send one recommendation object or a list of them", "body")
        raw_items = [body] if single else body
        if not raw_items:
            raise _error(422, "the list is empty", "body")
        try:
            # Validation is CPU work proportional to the batch: off the event loop too,
            # so a 10,000-item batch never stalls Slack's 3-second acks.
            results = await run_in_threadpool(validate_and_ingest, raw_items)
        except BatchRejected as rejected:
            raise ApiError(422, [e.model_dump() for e in rejected.errors]) from None
        services.kick()
        created = any(r.status == IngestStatus.CREATED for r in results)
        body_out = _RESULT.dump_json(results[0]) if single else _RESULTS.dump_json(results)
        return Response(
            body_out, status_code=201 if created else 200, media_type="application/json"
        )

    @router.get(
        "/api/v1/recommendations/{recommendation_id}",
        response_model=RecommendationView,
        dependencies=read,
    )
    def get_recommendation(recommendation_id: int) -> RecommendationView:
        with services.database.transaction() as session:
            view = recommendation_detail(session, recommendation_id)
        if view is None:
            raise _error(404, f"no recommendation {recommendation_id}", "id")
        return view

    @router.get("/api/v1/recommendations", response_model=RecommendationPage, dependencies=read)
    def get_recommendations(
        status: Literal["open", "decided", "withdrawn"] | None = None,
        type: str | None = None,
        owner: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        after_id: int | None = None,
    ) -> RecommendationPage:
        with services.database.transaction() as session:
            recs = list_recommendations(session, status=status, type_=type, owner=owner,
                                        limit=limit, after_id=after_id)  # fmt: skip
            items = [summary_view(r) for r in recs]
        return RecommendationPage(
            items=items, next_after_id=items[-1].id if len(items) == limit else None
        )

    @router.post("/api/v1/recommendations/{recommendation_id}/decisions",
                 response_model=DecisionOut, status_code=201, dependencies=write)  # fmt: skip
    def post_decision(recommendation_id: int, decision: DecisionIn) -> DecisionOut:
        if decision.actor not in services.config.people_by_id:
            raise _error(422, f"unknown person '{decision.actor}'", "actor")
        request = DecisionRequest(
            recommendation_id=recommendation_id, actor_id=decision.actor, action=decision.action,
            channel="api", reason_code=decision.reason_code, note=decision.note,
            value=decision.value, to=decision.to,
        )  # fmt: skip
        try:
            recorded = services.decisions.decide(request)
        except InvalidInput as exc:
            raise _error(422, exc.message, exc.field) from None
        except NotFound as exc:
            raise _error(404, str(exc), "id") from None
        except NotPermitted as exc:
            raise _error(403, str(exc), "actor") from None
        except (AlreadyDecided, Withdrawn) as exc:
            raise _error(409, str(exc)) from None
        services.kick()
        return DecisionOut(
            recommendation_id=recorded.recommendation_id,
            action=recorded.action,
            actor=recorded.actor_id,
            role=recorded.role,
            summary=recorded.summary,
        )

    @router.post("/api/v1/outcomes", summary="Report what actually happened", dependencies=write,
                 openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/OutcomeIn"}}}}})  # fmt: skip
    async def post_outcomes(request: Request) -> JSONResponse:
        _require_json(request)
        body = _parse_json(await request.body())
        raw_items = [body] if isinstance(body, dict) else body
        if not isinstance(raw_items, list) or not raw_items:
            raise _error(422, "send one outcome object or a non-empty list", "body")
        try:
            ids = await run_in_threadpool(record_outcomes, database=services.database,
                                          clock=services.clock, raw_items=raw_items)  # fmt: skip
        except BatchRejected as rejected:
            raise ApiError(422, [e.model_dump() for e in rejected.errors]) from None
        return JSONResponse({"recorded": len(ids), "recommendation_ids": ids}, status_code=201)

    @router.get("/healthz")
    def healthz() -> JSONResponse:
        try:
            services.database.ping()
        except Exception as exc:  # report, never raise: this is what the load balancer reads
            return JSONResponse({"status": "error", "database": type(exc).__name__}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @router.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> PlainTextResponse:
        with services.database.transaction() as session:
            snapshot = metrics_snapshot(session)
        return PlainTextResponse(render_metrics(snapshot), media_type="text/plain; version=0.0.4")

    return router


# Registered so the OpenAPI document carries the item schemas the raw-body routes accept.
OPENAPI_MODELS: tuple[type[BaseModel], ...] = (RecommendationIn, OutcomeIn, ItemError)
