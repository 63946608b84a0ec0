"""GET /api/v1/events (the change feed) and GET /api/v1/exports/decisions (the decision
export), behind the read token like every other /api/v1 read (bot/api_guards.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, params
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from bot.api_contract import responses
from bot.api_guards import ApiError
from bot.api_state import Api, ApiState
from core.event_settings import EVENT_TYPES
from workflows.events import (
    MAX_LIMIT,
    BadCursor,
    CursorExpired,
    ExportFormat,
    FeedPage,
    Page,
    decision_rows,
    export_chunks,
    read_page,
)

_MEDIA = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.JSONL: "application/x-ndjson"}


def _moment(field: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiError(
            422,
            [{"field": field, "message": f"'{value[:60]}' is not a date-time with a time zone"}],
        )
    return moment


def _page(api: ApiState, after: str | None, types: list[str] | None, limit: int) -> Page:
    found = api.event_people.get()
    with api.services.database.read() as session:
        return read_page(session, cursor=after, types=types, limit=limit, people=found)


def events_router(*, read: Sequence[params.Depends]) -> APIRouter:
    router = APIRouter()

    @router.get(
        "/api/v1/events",
        summary="The change feed: every public event after a cursor, oldest first "
        "(docs/events.md); kept for event_feed.retention (default 90 days)",
        dependencies=list(read),
        responses={200: {"model": FeedPage}, **responses(401, 410, 422)},
    )
    async def get_events(
        api: Api,
        after: Annotated[
            str | None, Query(max_length=100, description="next_cursor of the last page")
        ] = None,
        types: Annotated[
            list[str] | None,
            Query(
                description="only these types",
                json_schema_extra={"items": {"enum": list(EVENT_TYPES)}},
            ),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    ) -> Any:
        for name in types or []:
            if name not in EVENT_TYPES:
                raise ApiError(422, [{"field": "types", "message": f"unknown event type '{name}'"}])
        try:
            found = await run_in_threadpool(_page, api, after, types, limit)
        except BadCursor as exc:
            raise ApiError(422, [{"field": "after", "message": str(exc)}]) from None
        except CursorExpired as exc:
            raise ApiError(410, [{"field": "after", "message": str(exc)}]) from None
        # Assembled from the stored body texts: no decoding and re-encoding per event.
        return Response(found.json_text(), media_type="application/json")

    @router.get(
        "/api/v1/exports/decisions",
        summary="One row per decision for a key-figure import (CSV neutralised against "
        "formulas, or JSON lines); decided_at in [since, until)",
        dependencies=list(read),
        responses={
            200: {"content": {_MEDIA[ExportFormat.CSV]: {}, _MEDIA[ExportFormat.JSONL]: {}}},
            **responses(401, 422),
        },
    )
    def get_decision_export(
        api: Api,
        since: Annotated[str | None, Query(max_length=40, description="ISO date-time")] = None,
        until: Annotated[str | None, Query(max_length=40, description="ISO date-time")] = None,
        format: ExportFormat = ExportFormat.CSV,
    ) -> StreamingResponse:
        first, last = _moment("since", since), _moment("until", until)

        def body() -> Iterator[str]:
            found = api.event_people.get()
            with api.services.database.read() as session:
                rows = decision_rows(
                    session, config=api.services.config, since=first, until=last, people=found
                )
                yield from export_chunks(rows, format)

        return StreamingResponse(body(), media_type=_MEDIA[format])

    return router
