"""The HTTP API integrators use (OpenAPI at /openapi.json). Every error is JSON that
names the field; nothing half-written, no stack traces."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from bot.api_contract import OutcomesRecorded, responses
from bot.api_events import events_router
from bot.api_failures import install_failure_handlers
from bot.api_guards import ApiError, Scope_, ScopeGuard, read_json
from bot.api_guards import api_error as _error
from bot.api_review import review_router
from bot.api_state import Api
from bot.metrics import CONTENT_TYPE
from core.domain import Action, IngestStatus
from core.limits import MAX_ID
from core.recommendation import OutcomeIn, RecommendationIn
from workflows.decisions import DecisionRequest, decide
from workflows.errors import AlreadyDecided, InvalidInput, NotFound, NotPermitted, Withdrawn
from workflows.intake import (
    BatchRejected,
    IngestResult,
    ItemError,
    UnknownRecommendations,
    ingest,
    record_outcomes,
    validate_batch,
)
from workflows.service import Services
from workflows.views import (
    RecommendationView,
    list_recommendations,
    recommendation_detail,
    summary_view,
)

_RESULT = TypeAdapter(IngestResult)
# Ids fit their INTEGER column: a larger one is a 422 naming it, not a database error.
RecommendationId = Annotated[int, Path(ge=1, le=MAX_ID)]
_RESULTS = TypeAdapter(list[IngestResult])


class DecisionIn(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, strict=True)

    actor: str = Field(min_length=1, description="person id from the configuration")
    action: Action = Field(strict=False)  # from its JSON string
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


_DECISION = TypeAdapter(DecisionIn)


def _decision_in(body: Any) -> DecisionIn:
    try:
        return _DECISION.validate_python(body)
    except ValidationError as exc:
        detail = [
            {
                "field": ".".join(str(p) for p in err["loc"]) or "body",
                "message": err["msg"].removeprefix("Value error, "),
            }
            for err in exc.errors()
        ]
        raise ApiError(422, detail) from None


class RecommendationPage(BaseModel):
    items: list[RecommendationView]
    next_after_id: int | None


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

    install_failure_handlers(app)


def _validate_and_ingest(services: Services, raw_items: list[Any]) -> list[IngestResult]:
    items = validate_batch(config=services.config, raw_items=raw_items, now=services.clock.now())
    return ingest(services, items=items)


@cache
def api_router() -> APIRouter:
    """One router per process, shared by every app: a route finds its services on the
    app (bot.api_state)."""
    router = APIRouter()
    read = ScopeGuard(Scope_.READ).dependencies()
    write = ScopeGuard(Scope_.INGEST).dependencies()
    decide_scope = ScopeGuard(Scope_.DECIDE).dependencies()
    router.include_router(review_router(read=read))
    router.include_router(events_router(read=read))

    @router.post(
        "/api/v1/recommendations",
        response_model=IngestResult | list[IngestResult],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/RecommendationIn"},
                                {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {"$ref": "#/components/schemas/RecommendationIn"},
                                },
                            ]
                        }
                    }
                },
            }
        },
        summary="Store one recommendation or a batch (all or nothing, idempotent)",
        dependencies=write,
        status_code=201,
        responses={
            200: {
                "description": "Every item was already stored (duplicates)",
                "model": IngestResult | list[IngestResult],
            },
            **responses(401, 403, 413, 415, 422),
        },
    )
    async def post_recommendations(request: Request, api: Api) -> Response:
        body = await read_json(request)
        single = isinstance(body, dict)
        if not single and not isinstance(body, list):
            raise _error(422, "send one recommendation object or a list of them", "body")
        raw_items = [body] if single else body
        if not raw_items:
            raise _error(422, "the list is empty", "body")
        try:
            # Validation is CPU work proportional to the batch: off the event loop too,
            # so a 10,000-item batch never stalls Slack's 3-second acks.
            results = await run_in_threadpool(_validate_and_ingest, api.services, raw_items)
        except BatchRejected as rejected:
            raise ApiError(422, [e.model_dump() for e in rejected.errors]) from None
        api.services.kick()
        created = any(r.status == IngestStatus.CREATED for r in results)
        body_out = _RESULT.dump_json(results[0]) if single else _RESULTS.dump_json(results)
        return Response(
            body_out, status_code=201 if created else 200, media_type="application/json"
        )

    @router.get(
        "/api/v1/recommendations/{recommendation_id}",
        response_model=RecommendationView,
        dependencies=read,
        responses=responses(401, 404, 422),
    )
    def get_recommendation(recommendation_id: RecommendationId, api: Api) -> RecommendationView:
        with api.services.database.read() as session:
            view = recommendation_detail(session, recommendation_id)
        if view is None:
            raise _error(404, f"no recommendation {recommendation_id}", "id")
        return view

    @router.get(
        "/api/v1/recommendations",
        response_model=RecommendationPage,
        dependencies=read,
        responses=responses(401, 422),
    )
    def get_recommendations(
        api: Api,
        status: Literal["open", "decided", "withdrawn"] | None = None,
        type: str | None = None,
        owner: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        after_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    ) -> RecommendationPage:
        with api.services.database.read() as session:
            recs = list_recommendations(
                session, status=status, type_=type, owner=owner, limit=limit, after_id=after_id
            )
            items = [summary_view(r) for r in recs]
        return RecommendationPage(
            items=items, next_after_id=items[-1].id if len(items) == limit else None
        )

    @router.post(
        "/api/v1/recommendations/{recommendation_id}/decisions",
        response_model=DecisionOut,
        status_code=201,
        dependencies=decide_scope,
        responses=responses(401, 403, 404, 409, 413, 415, 422),
        summary="Accept, override or reassign as a named person (the decision token only)",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/DecisionIn"}}
                },
            }
        },
    )
    async def post_decision(
        recommendation_id: RecommendationId, request: Request, api: Api
    ) -> DecisionOut:
        services = api.services
        # The body is read here, after the token check: FastAPI would parse it first.
        decision = _decision_in(await read_json(request))
        if decision.actor not in services.config.people_by_id:
            raise _error(422, f"unknown person '{decision.actor}'", "actor")
        decision_request = DecisionRequest(
            recommendation_id=recommendation_id,
            actor_id=decision.actor,
            action=decision.action,
            channel="api",
            reason_code=decision.reason_code,
            note=decision.note,
            value=decision.value,
            to=decision.to,
        )
        try:
            recorded = await run_in_threadpool(decide, services, decision_request)
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

    @router.post(
        "/api/v1/outcomes",
        summary="Report what actually happened",
        dependencies=write,
        status_code=201,
        response_model=OutcomesRecorded,
        responses=responses(401, 403, 404, 413, 415, 422),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/OutcomeIn"}}
                },
            }
        },
    )
    async def post_outcomes(request: Request, api: Api) -> OutcomesRecorded:
        body = await read_json(request)
        raw_items = [body] if isinstance(body, dict) else body
        if not isinstance(raw_items, list) or not raw_items:
            raise _error(422, "send one outcome object or a non-empty list", "body")
        try:
            ids = await run_in_threadpool(
                record_outcomes,
                api.services,
                raw_items=raw_items,
            )
        except UnknownRecommendations as unknown:
            raise ApiError(404, [e.model_dump() for e in unknown.errors]) from None
        except BatchRejected as rejected:
            raise ApiError(422, [e.model_dump() for e in rejected.errors]) from None
        return OutcomesRecorded(recorded=len(ids), recommendation_ids=ids)

    @router.get("/healthz")
    def healthz(api: Api) -> JSONResponse:
        try:
            api.services.database.ping()
        except Exception as exc:  # report, never raise: this is what the load balancer reads
            return JSONResponse({"status": "error", "database": type(exc).__name__}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @router.get("/metrics", response_class=PlainTextResponse)
    def metrics(api: Api) -> Response:
        return Response(api.meter.exposition(), media_type=CONTENT_TYPE)

    return router


# Registered so the OpenAPI document carries the item schemas the raw-body routes accept.
OPENAPI_MODELS: tuple[type[BaseModel], ...] = (RecommendationIn, OutcomeIn, ItemError, DecisionIn)
