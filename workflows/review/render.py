"""One entry point for every reader of the review (CLI, API, chat, cadence post): build
it for a window and render it in the asked format."""

from __future__ import annotations

import json
from enum import StrEnum

from core.clock import Calendars
from workflows.review.format_csv import render_csv
from workflows.review.format_html import render_html
from workflows.review.format_json import review_json
from workflows.review.format_md import render_markdown
from workflows.review.report import Review


class ReportFormat(StrEnum):
    MD = "md"
    HTML = "html"
    CSV = "csv"
    JSON = "json"


def render(review: Review, *, fmt: ReportFormat, calendars: Calendars) -> str:
    if fmt == ReportFormat.HTML:
        return render_html(review)
    if fmt == ReportFormat.CSV:
        return render_csv(review, calendars=calendars)
    if fmt == ReportFormat.JSON:
        return json.dumps(review_json(review), indent=2) + "\n"
    return render_markdown(review)
