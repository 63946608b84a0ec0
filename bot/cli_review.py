"""`sopbot report overrides`, `sopbot readiness` and `sopbot matrix signoffs`: the review
and the go-live check from the command line (registered in bot.cli)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.cli_common import console, fail, services
from core.config import Config
from storage.db import Database
from workflows.ownership import config_hash, signoff_statuses
from workflows.readiness import (
    DossierFormat,
    Readiness,
    assess,
    readiness_text,
    render_dossier,
)
from workflows.review import ReportFormat, UnknownType, render, review_for

report_app = typer.Typer(no_args_is_help=True, help="Reports: the override review.")
_fail = fail


def open_store() -> tuple[Database, Config]:
    """The configured database (upgraded) and configuration, or exit 2 naming why."""
    opened = services()
    return opened.database, opened.config


def _date(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option}: '{value}' is not a date such as 2026-11-30") from None


@report_app.command("overrides")
def report_overrides(
    since: Annotated[str | None, typer.Option(help="first day received, e.g. 2026-11-01")] = None,
    until: Annotated[str | None, typer.Option(help="last day received (inclusive)")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="one recommendation type")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="md, html, csv or json")] = (
        ReportFormat.MD
    ),
    output: Annotated[Path | None, typer.Option(help="write here instead of printing")] = None,
) -> None:
    """The override review: volume, speed, load, override win rate, forecast value added,
    calibration and threshold advice, per type and overall."""
    opened = services()
    database = opened.database
    try:
        review = review_for(
            opened,
            since=_date("--since", since),
            until=_date("--until", until),
            type_=type_,
            with_rows=fmt == ReportFormat.CSV,  # only the CSV lists the rows
        )
    except UnknownType as exc:
        raise _fail(f"--type: {exc}") from None
    except ValueError as exc:
        raise _fail(f"--since/--until: {exc}") from None
    finally:
        database.dispose()
    text = render(review, fmt=fmt, calendars=opened.calendars)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"override review ({fmt}) written to {output}", highlight=False)


def readiness(
    fmt: Annotated[
        DossierFormat, typer.Option("--format", help="text, json, md or html (the dossier)")
    ] = DossierFormat.TEXT,
    output: Annotated[Path | None, typer.Option(help="write here instead of printing")] = None,
) -> None:
    """The five go-live gates with their evidence; exit 1 when a hard gate fails."""
    opened = services()
    try:
        dossier = assess(opened)
    finally:
        opened.database.dispose()
    if fmt == DossierFormat.TEXT:
        text = readiness_text(Readiness(ready=dossier.ready, gates=list(dossier.gates)))
    else:
        text = render_dossier(dossier, fmt)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"readiness dossier ({fmt}) written to {output}", highlight=False)
    if not dossier.ready:
        raise typer.Exit(code=1)


def matrix_signoffs() -> None:
    """Who has signed off the current ownership matrix (approvals lapse when it changes)."""
    database, config = open_store()
    try:
        with database.transaction() as session:
            statuses = signoff_statuses(session, config=config)
    finally:
        database.dispose()
    table = Table(title=f"Sign-offs of ownership matrix {config_hash(config)[:8]}")
    for column in ("lead", "current matrix", "earlier approval (lapsed)"):
        table.add_column(column)
    for status in statuses:
        table.add_row(
            status.lead_id,
            f"approved {status.signed_at:%Y-%m-%d %H:%M}" if status.signed_at else "no",
            f"{status.lapsed_at:%Y-%m-%d %H:%M}" if status.lapsed_at else "-",
        )
    console.print(table)
    if not statuses:
        console.print("nobody is named under readiness.matrix_signoff_leads", highlight=False)
