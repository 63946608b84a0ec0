"""Acked Slack work made durable through the journal every platform shares
(workflows.decisions.durable): between the ack and the work, each click (Accept,
Snooze, a modal submission) is written to the journal of pending actions and deleted
when its work is done; a process that dies with clicks acked but not done leaves them
for another process (or this one after a restart) to take over once their lease has
run out. A live process never takes over its own clicks in flight.

Slack's rows hold the click's payload as acked (`body`): taking over runs the same
listener code on it, which parses it into the neutral click and performs it (rows
written by earlier versions have the same shape). A click taken over may have been
half done: its decision is exactly once by the database's unique key (a replayed
Accept that was recorded already is told "already decided"), a snooze is set again
from the moment of the replay."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.slack.people import PLATFORM
from workflows.decisions import ClickJournal, Entry, wall_now
from workflows.service import Services

__all__ = ["Durable", "Journal", "wall_now"]


@dataclass(frozen=True)
class Durable:
    key: str  # the delivery's own id: a Slack retry of it is the same row
    kind: str  # which handler does it again (SlackHandlers.redo)
    body: dict[str, Any]  # the Slack payload, as acked


class Journal(ClickJournal):
    def __init__(self, *, services: Services, owner: str | None = None) -> None:
        super().__init__(database=services.database, platform=PLATFORM, owner=owner)
        self.services = services

    def write_durable(self, item: Durable, start: Callable[[], None]) -> None:
        """Write the acked Slack payload, then call `start`; returns at once."""
        self.write_then(Entry(key=item.key, kind=item.kind, payload={"body": item.body}), start)
