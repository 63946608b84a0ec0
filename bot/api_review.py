"""GET /api/v1/reports/overrides and GET /api/v1/readiness: the review and the go-live
check for dashboards, behind the same bearer token as every other /api/v1 read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from fastapi import APIRouter, params
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from bot.api_contract import responses
from workflows.readiness import Readiness, check_readiness
from workflows.review.format_json import review_json
from workflows.review.report import UnknownType, review_for
from workflows.service import Services


def _problem(field: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": [{"field": field, "message": message}]}, status_code=422)


def build_review_api(*, services: Services, read: Sequence[params.Depends]) -> APIRouter:
    router = APIRouter()

    @router.get(
        "/api/v1/reports/overrides",
        summary="The override review (JSON): per type and overall; rates are fractions "
        "under keys ending in _rate, or 'n too small (n=K)' below the minimum sample",
        dependencies=list(read),
        responses=responses(401, 422),
    )
    async def get_override_report(
        since: date | None = None, until: date | None = None, type: str | None = None
    ) -> Any:
        try:
            review = await run_in_threadpool(
                review_for,
                database=services.database,
                config=services.config,
                calendars=services.calendars,
                clock=services.clock,
                since=since,
                until=until,
                type_=type,
            )
        except UnknownType as exc:
            return _problem("type", str(exc))
        except ValueError as exc:
            return _problem("since", str(exc))
        return review_json(review)

    def readiness_now() -> Readiness:
        with services.database.read() as session:
            return check_readiness(session, config=services.config, now=services.clock.now())

    @router.get(
        "/api/v1/readiness",
        response_model=Readiness,
        dependencies=list(read),
        responses=responses(401),
        summary="The five go-live gates; ready when every hard gate passes",
    )
    def get_readiness() -> Readiness:
        return readiness_now()

    return router
