"""`sopbot away set|list|clear` (registered in bot.cli): out of office from the command
line, for an operator setting it for someone who cannot (the chat word `away` is the
person's or their manager's own way). Audited like the chat command."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer
from rich.table import Table

from bot.cli_common import console, fail, services
from workflows.errors import WorkflowError
from workflows.ownership import absences, clear_absence, end_expired, set_absence

away_app = typer.Typer(no_args_is_help=True, help="Out of office: absences and delegates.")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date: use YYYY-MM-DD") from None


@away_app.command("set")
def away_set(
    person: Annotated[str, typer.Option("--person", help="who is away (person id)")],
    until: Annotated[str, typer.Option("--until", help="last day away, YYYY-MM-DD")],
    delegate: Annotated[
        str | None, typer.Option("--delegate", help="who takes their new items")
    ] = None,
) -> None:
    """Set (or replace) an absence: new items go to the delegate (else the backup)."""
    last = _day(until)
    opened = services()
    try:
        with opened.database.transaction() as session:
            away = set_absence(
                session,
                config=opened.config,
                now=opened.clock.now(),
                actor_id=None,
                person_id=person,
                until=last,
                delegate_id=delegate,
            )
    except WorkflowError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"{away.person_id} is away until {away.until.isoformat()}; "
        f"delegate: {away.delegate_id or '(the backup of each item)'}",
        highlight=False,
    )


@away_app.command("list")
def away_list() -> None:
    """Who is away now, until when, and who stands in."""
    opened = services()
    now: datetime = opened.clock.now()
    with opened.database.transaction() as session:
        end_expired(session, now=now)
        found = absences(session, now=now)
    table = Table("person", "until", "delegate", "set by")
    for person_id in sorted(found):
        a = found[person_id]
        table.add_row(person_id, a.until.isoformat(), a.delegate_id or "(backup)", a.set_by)
    console.print(table if found else "Nobody is away.")


@away_app.command("clear")
def away_clear(
    person: Annotated[str, typer.Option("--person", help="who is back (person id)")],
) -> None:
    """End an absence now."""
    opened = services()
    with opened.database.transaction() as session:
        cleared = clear_absence(
            session, config=opened.config, now=opened.clock.now(), actor_id=None, person_id=person
        )
    console.print(f"{person} is back." if cleared else f"{person} was not away.")
