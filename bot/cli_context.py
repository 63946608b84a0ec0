"""`sopbot interview ...` and `sopbot rules ...`: the context loop from the command line,
for facilitators who prefer a terminal and for versioning rules with the configuration."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from bot.cli_common import services
from core.config import ConfigError
from core.messages import Message
from core.rules import dump_rules, parse_rules, rules_document
from workflows.chat import start_interview, templates_message
from workflows.context import (
    approve_rule,
    edit_rule,
    find_rule,
    import_specs,
    list_rules,
    planner_words,
    reject_rule,
    rule_card,
    rules_list_message,
    to_spec,
)
from workflows.errors import WorkflowError
from workflows.service import Services

interview_app = typer.Typer(no_args_is_help=True, help="Guided context interviews.")
rules_app = typer.Typer(no_args_is_help=True, help="Context rules: review, import, export.")
console = Console(soft_wrap=True, highlight=False)
errors = Console(stderr=True, soft_wrap=True, highlight=False)

AsOption = Annotated[
    str | None, typer.Option("--as", help="who reviews (default: the override reviewer)")
]


_services = services


def _print(message: Message | str) -> None:
    if isinstance(message, str):
        console.print(escape(message))
        return
    console.print(f"[bold]{escape(message.header)}[/bold]")
    if message.text:
        console.print(escape(message.text))
    for field in message.fields:
        console.print(f"  {escape(field.label)}: {escape(field.value)}")
    for section in message.sections:
        console.print(f"[bold]{escape(section.title)}[/bold]")
        for line in section.lines:
            console.print(f"  - {escape(line)}")
    for line in message.context:
        console.print(f"[dim]{escape(line)}[/dim]")


def _refuse(error: WorkflowError) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(str(error))}")
    return typer.Exit(code=1)


def _actor(services: Services, as_person: str | None) -> str:
    actor = as_person or services.config.override_reviewer
    if actor is None:
        errors.print("[red]error:[/red] --as: name the reviewing person (no override_reviewer)")
        raise typer.Exit(code=2)
    return actor


def _today(services: Services, person: str | None) -> date:
    return services.clock.now().astimezone(services.config.person_tz(person)).date()


@interview_app.command("templates")
def interview_templates() -> None:
    """List the interview templates (bundled and from `context.templates_dir`)."""
    _print(templates_message(_services()))


@interview_app.command("start")
def interview_start(
    person: Annotated[str, typer.Option(help="the planner who answers")],
    template: Annotated[str, typer.Option(help="template name (see `interview templates`)")],
    facilitator: Annotated[
        str | None, typer.Option(help="who reviews the result (default: the override reviewer)")
    ] = None,
) -> None:
    """Start an interview; the planner gets the first question in chat."""
    services = _services()
    try:
        started = start_interview(
            services,
            facilitator_id=facilitator or services.config.override_reviewer or person,
            person_id=person,
            template_name=template,
        )
    except WorkflowError as error:
        raise _refuse(error) from None
    _print(started.reply)


@rules_app.command("list")
def rules_list(status: Annotated[str | None, typer.Option(help="draft|approved|...")] = None):
    """Every context rule by status; rules past their review-by date come first."""
    services = _services()
    with services.database.transaction() as session:
        _print(
            rules_list_message(
                list_rules(session, status=status), services.config, today=_today(services, None)
            )
        )


@rules_app.command("show")
def rules_show(rule: str) -> None:
    """One rule in full."""
    services = _services()
    try:
        with services.database.transaction() as session:
            found = find_rule(session, rule)
            words = planner_words(session, rule=found, config=services.config)
            _print(rule_card(found, services.config, today=_today(services, None), words=words))
    except WorkflowError as error:
        raise _refuse(error) from None


@rules_app.command("approve")
def rules_approve(
    rule: str,
    as_person: AsOption = None,
    owner: Annotated[str | None, typer.Option(help="who keeps it true")] = None,
    review_by: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
) -> None:
    """Approve a rule: it gets an owner and a review-by date and shows on recommendations."""
    services = _services()
    actor = _actor(services, as_person)
    try:
        when = date.fromisoformat(review_by) if review_by else None
    except ValueError:
        errors.print(f"[red]error:[/red] --review-by: '{review_by}' is not a date (2027-03-31)")
        raise typer.Exit(code=2) from None
    try:
        with services.database.transaction() as session:
            approved = approve_rule(
                session,
                config=services.config,
                key=rule,
                actor_id=actor,
                now=services.clock.now(),
                today=_today(services, actor),
                owner=owner,
                review_by=when,
            )
            _print(rule_card(approved, services.config, today=_today(services, actor)))
    except WorkflowError as error:
        raise _refuse(error) from None


@rules_app.command("reject")
def rules_reject(
    rule: str,
    as_person: AsOption = None,
    reason: Annotated[str | None, typer.Option(help="why")] = None,
) -> None:
    """Reject a rule: it is kept, never shown."""
    services = _services()
    try:
        with services.database.transaction() as session:
            rejected = reject_rule(
                session,
                config=services.config,
                key=rule,
                actor_id=_actor(services, as_person),
                now=services.clock.now(),
                reason=reason,
            )
            _print(rule_card(rejected, services.config, today=_today(services, None)))
    except WorkflowError as error:
        raise _refuse(error) from None


@rules_app.command("edit")
def rules_edit(rule: str, field: str, value: str, as_person: AsOption = None) -> None:
    """Change one field (entity, condition, effect, magnitude, evidence, confidence...)."""
    services = _services()
    try:
        with services.database.transaction() as session:
            edited = edit_rule(
                session,
                config=services.config,
                key=rule,
                field=field,
                value=value,
                actor_id=_actor(services, as_person),
                now=services.clock.now(),
            )
            _print(rule_card(edited, services.config, today=_today(services, None)))
    except WorkflowError as error:
        raise _refuse(error) from None


class RulesFormat(StrEnum):
    YAML = "yaml"
    JSON = "json"


@rules_app.command("export")
def rules_export(
    file: Annotated[Path | None, typer.Argument(help="file to write; default stdout")] = None,
    format: Annotated[RulesFormat, typer.Option("--format")] = RulesFormat.YAML,
) -> None:
    """Write every rule (`rules:` list, the import format) as YAML or JSON."""
    services = _services()
    with services.database.transaction() as session:
        specs = [to_spec(rule) for rule in list_rules(session)]
    if format == RulesFormat.JSON:
        text = json.dumps(rules_document(specs), indent=2, ensure_ascii=False) + "\n"
    else:
        text = dump_rules(specs)
    if file is None:
        sys.stdout.write(text)
        return
    file.write_text(text, encoding="utf-8")
    console.print(f"{len(specs)} rules written to {file}")


@rules_app.command("import")
def rules_import(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Read rules from YAML; every rule is validated first, a bad file imports nothing."""
    services = _services()
    try:
        specs = parse_rules(
            file.read_text(encoding="utf-8"), config=services.config, source=str(file)
        )
    except ConfigError as exc:
        errors.print(escape(str(exc)))
        raise typer.Exit(code=1) from None
    with services.database.transaction() as session:
        created, updated = import_specs(
            session, specs=specs, actor_id=None, now=services.clock.now()
        )
    console.print(f"{len(specs)} rules imported: {created} new, {updated} updated")
