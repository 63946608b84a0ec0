"""The review as CSV, one row per decision, for planners who open Excel. A text cell
beginning with =, +, -, @, tab or CR would be a live formula there (`=HYPERLINK(...)` in
a sku): such cells get a leading apostrophe; numbers stay numbers."""

from __future__ import annotations

import csv
import io

from core.clock import Calendars
from workflows.review.adjustments import direction, size
from workflows.review.history import ReviewRow
from workflows.review.metrics import decision_hours
from workflows.review.report import Review

COLUMNS = (
    "recommendation_id",
    "external_id",
    "type",
    "owner",
    "sku",
    "site",
    "supplier",
    "customer",
    "confidence",
    "decision",
    "decided_by",
    "reason_code",
    "reason",
    "note",
    "naive_value",
    "ai_value",
    "final_value",
    "actual_value",
    "ai_right",
    "override_right",
    "override_direction",
    "override_size",
    "received_at",
    "decided_at",
    "due_at",
    "business_hours_to_decide",
    "escalation_level",
    "reassigned",
    "people_in_reports",
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """Text a spreadsheet would read as a formula, prefixed with ' (shown as text)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return neutralised(str(value))


def csv_row(row: ReviewRow, calendars: Calendars, review: Review) -> list[object]:
    hours = decision_hours(row, calendars)
    values = (
        row.id,
        row.external_id,
        row.type,
        row.owner,
        row.sku,
        row.site,
        row.supplier,
        row.customer,
        row.confidence,
        row.kind,
        row.actor,
        row.reason_code,
        review.reason_label(row.reason_code) if row.reason_code else None,
        row.note,
        row.naive_value,
        row.ai_value,
        row.final_value,
        row.actual,
        row.ai_right,
        row.override_won,
        direction(row) if row.overridden else None,
        size(row) if row.overridden else None,
        row.received_at.isoformat(),
        row.decided_at.isoformat() if row.decided_at else None,
        row.due_at.isoformat(),
        None if hours is None else round(hours, 2),
        row.escalation_level,
        row.reassigned,
        review.privacy_mode,
    )
    return [_value(v) for v in values]


def render_csv(review: Review, *, calendars: Calendars) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in review.rows:
        if row.kind is not None:
            writer.writerow(csv_row(row, calendars, review))
    return buffer.getvalue()
