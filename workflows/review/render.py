"""One entry point for every reader of the review (CLI, API, chat, cadence post): build
it for a window and render it in the asked format."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum

from core.clock import Calendars, Clock
from core.config import Config
from storage.db import Database
from workflows.review.format_csv import render_csv
from workflows.review.format_html import render_html
from workflows.review.format_json import review_json
from workflows.review.format_md import render_markdown
from workflows.review.history import Window
from workflows.review.report import Review, build_review


class ReportFormat(StrEnum):
    MD = "md"
    HTML = "html"
    CSV = "csv"
    JSON = "json"


class UnknownType(ValueError):
    """A `type` filter naming no configured recommendation type."""


def review_for(
    *, database: Database, config: Config, calendars: Calendars, clock: Clock,
    since: date | None = None, until: date | None = None, type_: str | None = None,
) -> Review:  # fmt: skip
    if type_ is not None and type_ not in config.recommendation_types:
        known = ", ".join(config.recommendation_types)
        raise UnknownType(f"unknown type '{type_}'; use {known}")
    if since is not None and until is not None and since > until:
        raise ValueError(f"since ({since}) is after until ({until})")
    window = Window.of(since=since, until=until, type_=type_, tz=config.person_tz(None))
    with database.transaction() as session:
        return build_review(session, config=config, calendars=calendars, window=window,
                            now=clock.now())  # fmt: skip


def render(review: Review, *, fmt: ReportFormat, calendars: Calendars) -> str:
    if fmt == ReportFormat.HTML:
        return render_html(review)
    if fmt == ReportFormat.CSV:
        return render_csv(review, calendars=calendars)
    if fmt == ReportFormat.JSON:
        return json.dumps(review_json(review), indent=2) + "\n"
    return render_markdown(review)
