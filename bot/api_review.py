"""GET /api/v1/reports/overrides and GET /api/v1/readiness: the review and the go-live
check for dashboards, behind the same bearer token as every other /api/v1 read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

from fastapi import APIRouter, Query, params
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from bot.api_contract import responses
from bot.api_guards import ApiError
from bot.api_state import Api
from core.limits import YEAR_PATTERN
from workflows.readiness import Dossier, assess
from workflows.review import (
    LINK_PATH,
    InvalidLink,
    ReportFormat,
    UnknownType,
    link_secret,
    render,
    review_for,
    review_json,
    verify,
)
from workflows.service import Services


def _problem(field: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": [{"field": field, "message": message}]}, status_code=422)


DAY_PATTERN = YEAR_PATTERN + r"\d\d-\d\d$"


def _day(description: str) -> Any:
    """A calendar day the store and the business calendar can hold (years 1001-2998),
    documented so generated clients and fuzzers know the bound."""
    return Query(
        None, description=description, pattern=DAY_PATTERN, json_schema_extra={"format": "date"}
    )


def _parse_day(field: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            422, [{"field": field, "message": f"'{value}' is not a calendar day (YYYY-MM-DD)"}]
        ) from None


def _report_page(services: Services, token: str) -> HTMLResponse:
    now = services.clock.now()
    with services.database.transaction() as session:
        secret = link_secret(session, now=now)
    try:
        query = verify(token, secret=secret, now=now)
        review = review_for(
            services, since=query.since, until=query.until, type_=query.type, with_rows=False
        )
    except (InvalidLink, ValueError) as exc:
        return HTMLResponse(f"<!DOCTYPE html><p>{escape(str(exc))}</p>", status_code=403)
    page = render(review, fmt=ReportFormat.HTML, calendars=services.calendars)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


def review_router(*, read: Sequence[params.Depends]) -> APIRouter:
    router = APIRouter()
    # The enum of configured types is this deployment's: bot.api_contract.tighten adds it.
    type_query = Query(None, description="one configured recommendation type")

    @router.get(
        "/api/v1/reports/overrides",
        summary="The override review (JSON): per type and overall; rates are fractions "
        "under keys ending in _rate, or 'n too small (n=K)' below the minimum sample",
        dependencies=list(read),
        responses=responses(401, 422),
    )
    async def get_override_report(
        api: Api,
        since: str | None = _day("first day, in the reviewer's time zone"),
        until: str | None = _day("last day (inclusive), not before since"),
        type: str | None = type_query,
    ) -> Any:
        first, last = _parse_day("since", since), _parse_day("until", until)
        try:
            review = await run_in_threadpool(
                review_for,
                api.services,
                since=first,
                until=last,
                type_=type,
                with_rows=False,
            )
        except UnknownType as exc:
            return _problem("type", str(exc))
        except ValueError as exc:
            return _problem("since", str(exc))
        return review_json(review)

    @router.get(LINK_PATH, include_in_schema=False)
    async def get_report_page(api: Api, token: str = "") -> HTMLResponse:
        """The HTML review behind a signed, expiring link sent in chat: the signature is
        the permission (no bearer token in a browser), the expiry keeps leaks short."""
        return await run_in_threadpool(_report_page, api.services, token)

    @router.get(
        "/api/v1/readiness",
        response_model=Dossier,
        dependencies=list(read),
        responses=responses(401),
        summary="The go-live dossier: the five gates with their evidence and since when each holds",
    )
    def get_readiness(api: Api) -> Dossier:
        return assess(api.services)

    return router
