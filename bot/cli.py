"""`sopbot`: the command line (see `sopbot --help`)."""

from __future__ import annotations

import gc
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.progress import Progress
from rich.table import Table

from adapters.teams.package import PackageError, write_package
from bot.cli_away import away_app
from bot.cli_common import console, errors, fail, services, settings
from bot.cli_context import interview_app, rules_app
from bot.cli_review import matrix_signoffs, readiness, report_app
from bot.cli_webhooks import export_app, webhooks_app
from bot.demo import run_demo
from bot.runtime import build_runtime
from bot.server import create_app
from bot.startup_checks import refusals, verdict, warnings
from core.clock import Calendars, SystemClock, local_time_label
from core.config import ConfigError, load_config
from workflows.intake import (
    ImportReport,
    count_rows,
    import_outcomes,
    import_recommendations,
)
from workflows.ownership import matrix_gaps, matrix_rows
from workflows.sla import sweep

app = typer.Typer(
    no_args_is_help=True, help="sopbot: AI planning recommendations, owned and decided in chat."
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
matrix_app = typer.Typer(no_args_is_help=True, help="The ownership matrix.")
app.add_typer(db_app, name="db")
app.add_typer(matrix_app, name="matrix")
teams_app = typer.Typer(no_args_is_help=True, help="Microsoft Teams.")
app.add_typer(teams_app, name="teams")
sla_app = typer.Typer(no_args_is_help=True, help="The SLA clock: reminders, escalations, digests.")
app.add_typer(sla_app, name="sla")
app.add_typer(interview_app, name="interview")
app.add_typer(rules_app, name="rules")
app.add_typer(report_app, name="report")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(away_app, name="away")
app.add_typer(export_app, name="export")
app.command("readiness")(readiness)
matrix_app.command("signoffs")(matrix_signoffs)
_settings = settings
_fail = fail


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    check: Annotated[
        bool, typer.Option("--check", help="print the settings' verdict and exit (0 or 2)")
    ] = False,
) -> None:
    """Run the bot: API, chat adapters, reminders. Upgrades the database first.
    Partial or contradictory settings refuse to start (exit 2), one line each."""
    current = _settings()
    refused = refusals(current, host=host)
    for line in refused:
        errors.print(f"[red]error:[/red] {line}", highlight=False)
    if refused:
        raise typer.Exit(code=2)
    if check:
        console.print(verdict(current, host=host), highlight=False)
        try:
            found = warnings(current, load_config(current.config_path))
        except ConfigError as exc:
            raise _fail(str(exc)) from None
        for line in found:
            console.print(f"warning: {line}", highlight=False, soft_wrap=True)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        runtime = build_runtime(current)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    web_app = create_app(runtime)
    # Everything built so far lives as long as the process: keep it out of the cyclic
    # garbage collector's full passes, which otherwise rescan it under ingestion load.
    gc.collect()
    gc.freeze()
    # A batch of 100 recommendations allocates tens of thousands of short-lived objects
    # that die young: collect the youngest generation less often than every 700.
    gc.set_threshold(20_000, 20, 20)
    uvicorn.run(web_app, host=host, port=port, log_level="info")


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="port of the web chat")] = 8000,
    data_dir: Annotated[Path | None, typer.Option(help="keep the demo database here")] = None,
) -> None:
    """The whole product on a laptop: SQLite, demo team, sample recommendations, web chat."""
    run_demo(port=port, data_dir=data_dir)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to $SOPBOT_DATABASE_URL."""
    services()  # opening the services applies every pending migration
    console.print("database is up to date")


Encoding = Annotated[
    str | None,
    typer.Option(
        help="the file's text encoding (default: detected: UTF-8, UTF-16 with a BOM, cp1252)",
    ),
]


def _report_rejects(report: ImportReport) -> None:
    for reject in report.rejects[:20]:
        errors.print(f"line {reject.line}: {reject.field}: {reject.message}", highlight=False)
    if report.rejects_path:
        console.print(f"rejected rows written to {report.rejects_path}")


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)], encoding: Encoding = None
) -> None:
    """Import recommendations from CSV, JSON or JSONL; bad rows go to FILE.rejects.csv."""
    try:
        total = count_rows(file, encoding)
        runtime = build_runtime(_settings())
    except (ConfigError, ValueError) as exc:
        raise _fail(str(exc)) from None
    with Progress(console=console, transient=False) as progress:
        task = progress.add_task(f"ingesting {file.name}", total=total if total >= 0 else None)
        report = import_recommendations(
            runtime.services,
            path=file,
            encoding=encoding,
            progress=lambda n: progress.advance(task, n),
        )
    console.print(
        f"{report.total} rows: {report.created} created, {report.duplicate} duplicate, "
        f"{report.revised} revised, {report.withdrawn} withdrawn, "
        f"{len(report.rejects)} rejected ({report.encoding})"
    )
    _report_rejects(report)
    runtime.stop()
    if report.rejects:
        raise typer.Exit(code=1)


@app.command()
def outcomes(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)], encoding: Encoding = None
) -> None:
    """Import outcomes (what actually happened) from CSV, JSON or JSONL."""
    opened = services()
    try:
        report = import_outcomes(opened, path=file, encoding=encoding)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    console.print(
        f"{report.total} rows: {report.recorded} outcomes recorded, "
        f"{len(report.rejects)} rejected ({report.encoding})"
    )
    _report_rejects(report)
    if report.rejects:
        raise typer.Exit(code=1)


@matrix_app.command("check")
def matrix_check(
    config: Annotated[Path | None, typer.Option(help="configuration file")] = None,
) -> None:
    """Print the ownership matrix and every gap; exit 1 when there are gaps."""
    try:
        cfg = load_config(config or _settings().config_path)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    table = Table(title="Ownership matrix")
    for column in ("type", "scope", "owner", "backup", "SLA", "due if received now", "escalation"):
        table.add_column(column, no_wrap=column in ("type", "SLA"))
    calendars, now = Calendars(cfg), SystemClock().now()
    for row in matrix_rows(cfg):
        due = row.due_if_received(calendars=calendars, now=now)
        shown = local_time_label(due, cfg.person_tz(row.owner_id)) if due else "-"
        table.add_row(row.type, row.scope, row.owner, row.backup, row.sla, shown, row.escalation)
    console.print(table)
    gaps = matrix_gaps(cfg)
    if not gaps:
        console.print("[green]no gaps[/green]")
        return
    console.print(f"[yellow]{len(gaps)} gap(s):[/yellow]")
    for gap in gaps:
        console.print(f"  - {gap}", highlight=False)
    raise typer.Exit(code=1)


@sla_app.command("sweep")
def sla_sweep(
    at: Annotated[
        str | None, typer.Option(help="sweep as if at this ISO time (default: now)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show, write nothing")] = False,
) -> None:
    """Run one SLA sweep and print what it queued (or would queue)."""
    try:
        runtime = build_runtime(_settings())
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    now = SystemClock().now()
    try:
        moment = datetime.fromisoformat(at) if at else now
    except ValueError:
        raise _fail(f"--at: '{at}' is not an ISO time such as 2026-12-01T09:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=runtime.config.person_tz(None))
    report = sweep(
        database=runtime.database,
        config=runtime.config,
        calendars=runtime.services.calendars,
        now=moment,
        dry_run=dry_run,
        send_from=min(moment, now),
    )
    runtime.stop()
    table = Table(title=f"SLA sweep as of {moment.isoformat()}" + (" (dry run)" if dry_run else ""))
    for column in ("recommendation", "step", "to", "key"):
        table.add_column(column)
    for step in report.steps:
        what = f"{step.kind} {step.level}" if step.level else str(step.kind)
        table.add_row(str(step.recommendation_id), what, step.person_id, step.key)
    if report.steps:
        console.print(table)
    console.print(report.summary(), highlight=False)


@teams_app.command("package")
def teams_package(
    out: Annotated[Path, typer.Option(help="where to write the zip")] = Path("sopbot-teams.zip"),
    app_id: Annotated[
        str | None, typer.Option(help="the bot's Microsoft App ID (default: TEAMS_APP_ID)")
    ] = None,
    website: Annotated[str, typer.Option(help="https URL for the developer links")] = (
        "https://example.com/sopbot"
    ),
    domain: Annotated[
        list[str] | None, typer.Option(help="a validDomains entry (repeat, at most 16)")
    ] = None,
    privacy_url: Annotated[str | None, typer.Option(help="https URL of your privacy statement")] = (
        None
    ),
    terms_url: Annotated[str | None, typer.Option(help="https URL of your terms of use")] = None,
    app_version: Annotated[
        str | None,
        typer.Option(
            "--version", help="the package version, higher on each upload (default: sopbot's)"
        ),
    ] = None,
) -> None:
    """Write the Teams app package (manifest.json and icons, zipped) ready to upload."""
    try:
        path = write_package(
            out,
            app_id=app_id or _settings().teams_app_id,
            website=website,
            domains=domain or [],
            app_version=app_version,
            privacy_url=privacy_url,
            terms_url=terms_url,
        )
    except PackageError as exc:
        raise _fail(str(exc)) from None
    console.print(f"Teams app package written to {path}", highlight=False)


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        errors.print(str(exc), highlight=False)
        sys.exit(2)
