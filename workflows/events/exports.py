"""The decision export: one row per decision, shaped for a key-figure import into the
planning system (SAP IBP, frePPLe) or a data-science notebook.

CSV cells a spreadsheet would run as a formula (starting with = + - @ tab or CR) get a
leading apostrophe, as OWASP advises; numbers are written as numbers and left alone,
so a negative value stays a value."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from storage.models import Decision, Recommendation
from workflows.events.privacy import EventPeople

COLUMNS: tuple[str, ...] = (
    "external_id",
    "source",
    "type",
    "sku",
    "site",
    "supplier",
    "customer",
    "event_time",
    "ai_value",
    "final_value",
    "unit",
    "action",
    "reason_code",
    "reason_label",
    "note",
    "decided_by",
    "on_behalf_of",
    "decided_at",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ACTIONS = {"accept": "accept", "override": "override", "auto": "auto_accept"}


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def decision_rows(
    session: Session,
    *,
    config: Config,
    since: datetime | None,
    until: datetime | None,
    people: EventPeople,
    chunk: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Decisions with `since <= decided_at < until`, oldest first, streamed; people as
    `privacy.people_in_events` says (workflows/events/privacy.py)."""
    query = (
        select(Decision, Recommendation)
        .join(Recommendation, Recommendation.id == Decision.recommendation_id)
        .order_by(Decision.decided_at, Decision.id)
        .execution_options(yield_per=chunk)
    )
    if since is not None:
        query = query.where(Decision.decided_at >= since)
    if until is not None:
        query = query.where(Decision.decided_at < until)
    codes = config.reason_codes_by_code
    for decision, rec in session.execute(query):
        reason = codes.get(decision.reason_code or "")
        final = decision.value if decision.kind == "override" else None
        yield people.export_row(
            {
                "external_id": rec.external_id,
                "source": rec.source,
                "type": rec.type,
                "sku": rec.sku,
                "site": rec.site,
                "supplier": rec.supplier,
                "customer": rec.customer,
                "event_time": _iso(rec.event_time),
                "ai_value": rec.quantity,
                "final_value": final if final is not None else rec.quantity,
                "unit": rec.unit,
                "action": _ACTIONS.get(decision.kind, decision.kind),
                "reason_code": decision.reason_code,
                "reason_label": reason.label if reason else None,
                "note": decision.note,
                "decided_by": decision.actor_id,
                "on_behalf_of": decision.on_behalf_of,
                "decided_at": _iso(decision.decided_at),
            }
        )


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate, made inert; numbers untouched."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for i, row in enumerate(rows, 1):
        writer.writerow(["" if row[c] is None else neutralise(row[c]) for c in COLUMNS])
        if i % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def export_chunks(rows: Iterator[dict[str, Any]], fmt: ExportFormat) -> Iterator[str]:
    return csv_chunks(rows) if fmt == ExportFormat.CSV else jsonl_chunks(rows)
