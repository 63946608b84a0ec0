"""The local web chat as an adapter: a peer of Slack and Teams for trying sopbot on a
laptop (`sopbot demo`) or running it where no chat tenant is configured."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from fastapi import APIRouter

from adapters.local.actions import AfterPost
from adapters.local.chat import LocalChat
from adapters.local.routes import build_router
from workflows.service import Services


class LocalAdapter:
    name = "local"

    def __init__(self, services: Services, *, extra_hosts: Iterable[str] = ()) -> None:
        self.chat = LocalChat(services.clock)
        # Set by the composition root once the runtime exists, and only when its clock
        # can move (the demo): the page then offers "+1 business hour" and "+1 day".
        self.advance_clock: Callable[[timedelta], datetime] | None = None
        # The work of form posts already answered (a decision, a snooze, an extension).
        self.after = AfterPost()
        self.router: APIRouter = build_router(
            services=services,
            chat=self.chat,
            clock_control=lambda: self.advance_clock,
            after=self.after,
            extra_hosts=extra_hosts,  # besides loopback, the Host names the chat answers to
        )

    def start(self) -> None:
        """The browser polls; the pool for posts' work starts with its first post."""

    def stop(self) -> None:
        """Finish the work of posts already answered."""
        self.after.stop()
