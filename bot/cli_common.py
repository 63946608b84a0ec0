"""What every `sopbot` subcommand shares: its consoles, the one way it refuses (one line,
exit 2), and its services, opened through the composition root like `serve`'s."""

from __future__ import annotations

import typer
from rich.console import Console

from bot.runtime import open_services
from bot.settings import Settings
from core.config import ConfigError
from workflows.service import Services

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code=2)


def settings() -> Settings:
    return Settings.from_env()


def services() -> Services:
    """The configured database (upgraded), configuration, calendars and a system clock,
    built by bot.runtime as `serve` builds them; a bad configuration exits 2 naming why."""
    try:
        return open_services(settings())
    except ConfigError as exc:
        raise fail(str(exc)) from None
