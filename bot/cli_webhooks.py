"""`sopbot webhooks list|test|replay` and `sopbot export decisions` (registered in
bot.cli): the planning system's side of issue #28 from the command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.table import Table

from bot.cli_common import console, fail, services
from core.event_settings import Webhook
from workflows.events import (
    BadCursor,
    ExportFormat,
    SecretError,
    decision_rows,
    event_people,
    export_chunks,
    hook_statuses,
    replay,
    send_test,
    subscriptions,
)
from workflows.service import Services

webhooks_app = typer.Typer(no_args_is_help=True, help="Webhook subscriptions (sopbot.yml).")
export_app = typer.Typer(no_args_is_help=True, help="Exports for the planning system.")


def _hook(opened: Services, name: str) -> Webhook:
    for hook in opened.config.webhooks:
        if hook.name == name:
            return hook
    known = ", ".join(h.name for h in opened.config.webhooks) or "none configured"
    raise fail(f"no webhook named '{name}' (webhooks: {known})")


@webhooks_app.command("list")
def webhooks_list() -> None:
    """Each subscription: where it stands in the feed, delivered and failed counts."""
    opened = services()
    with opened.database.read() as session:
        statuses = hook_statuses(session, opened.config.webhooks)
    table = Table(
        "name", "url", "events", "position", "behind", "delivered", "failed", "last error"
    )
    for s in statuses:
        table.add_row(
            s.name,
            s.url,
            ", ".join(s.events),
            "-" if s.position is None else str(s.position),
            str(s.behind),
            str(s.delivered),
            str(s.failed),
            s.last_error or "",
        )
    console.print(table)


@webhooks_app.command("test")
def webhooks_test(name: str) -> None:
    """Send one signed `webhook.test` event to NAME now and show the answer."""
    opened = services()
    hook = _hook(opened, name)
    try:
        [sub] = subscriptions([hook], os.environ)
    except SecretError as exc:
        raise fail(str(exc)) from None
    with httpx.Client() as client:
        result = send_test(client, sub, now=opened.clock.now())
    if not result.ok:
        raise fail(f"{hook.url}: {result.error}")
    console.print(f"{name}: {hook.url} answered 2xx")


@webhooks_app.command("replay")
def webhooks_replay(
    name: str,
    since: Annotated[
        str, typer.Option(help="a position, a feed cursor, or an ISO date-time with zone")
    ],
) -> None:
    """Send NAME everything again from SINCE on (same event ids), by `serve`'s next tick."""
    opened = services()
    hook = _hook(opened, name)
    try:
        with opened.database.transaction() as session:
            start = replay(session, hook=hook, since=since, now=opened.clock.now())
    except BadCursor as exc:
        raise fail(f"--since: {exc}") from None
    console.print(f"{name}: delivery resumes at position {start}")


def _moment(option: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"{option}: '{value}' is not a date-time such as 2026-11-30T00:00+01:00"
        ) from None
    if moment.tzinfo is None:
        raise fail(f"{option}: '{value}' needs a time zone, e.g. {value}+00:00")
    return moment


class _Counted:
    """Rows streamed through, counted on the way for the closing line."""

    def __init__(self, rows: Iterator[dict[str, Any]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.count += 1
            yield row


@export_app.command("decisions")
def export_decisions(
    since: Annotated[str | None, typer.Option(help="decided at or after (ISO, with zone)")] = None,
    until: Annotated[str | None, typer.Option(help="decided before (ISO, with zone)")] = None,
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.CSV,
    output: Annotated[Path | None, typer.Option(help="file to write; default stdout")] = None,
) -> None:
    """One row per decision, for a key-figure import (CSV cells neutralised)."""
    first, last = _moment("--since", since), _moment("--until", until)
    opened = services()
    people = event_people(opened.database, config=opened.config, now=opened.clock.now())
    with opened.database.read() as session:
        found = decision_rows(session, config=opened.config, since=first, until=last, people=people)
        rows = _Counted(found)
        chunks = export_chunks(iter(rows), format)
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with output.open("w", encoding="utf-8", newline="") as file:
            for chunk in chunks:
                file.write(chunk)
    console.print(f"{rows.count} decisions written to {output}")
