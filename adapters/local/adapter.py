"""The local web chat as an adapter: a peer of Slack and Teams for trying sopbot on a
laptop (`sopbot demo`) or running it where no chat tenant is configured."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from fastapi import APIRouter

from adapters.local.actions import CHANNEL, AfterPost
from adapters.local.chat import LocalChat
from adapters.local.routes import WebChat, build_router
from workflows.decisions import ClickJournal
from workflows.service import Services


class LocalAdapter:
    name = "local"

    def __init__(self, services: Services, *, extra_hosts: Iterable[str] = ()) -> None:
        self.chat = LocalChat(services.clock)
        # Set by the composition root once the runtime exists, and only when its clock
        # can move (the demo): the page then offers "+1 business hour" and "+1 day".
        self.advance_clock: Callable[[timedelta], datetime] | None = None
        # The work of form posts already answered (a decision, a snooze, an extension).
        # Journaled first (workflows.decisions.durable): a crash loses no answered click.
        self.journal = ClickJournal(database=services.database, platform=CHANNEL)
        self.after = AfterPost(journal=self.journal)
        self.web = WebChat(
            services=services,
            chat=self.chat,
            clock_control=lambda: self.advance_clock,
            after=self.after,
        )
        # Besides loopback, the Host names the chat answers to.
        self.router: APIRouter = build_router(web=self.web, extra_hosts=extra_hosts)

    def start(self) -> None:
        """The browser polls; the pool for posts' work starts with its first post.
        Clicks a process gone had answered and not done are taken over from now on."""
        self.journal.start_takeover(self.web.actions.redo)

    def stop(self) -> None:
        """Finish the work of posts already answered (journaled ones first)."""
        self.journal.stop()
        self.after.stop()
