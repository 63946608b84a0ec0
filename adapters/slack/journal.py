"""Acked Slack work made durable: between the ack and the work, each click (Accept,
Snooze, a modal submission) is written to the database's journal of pending actions
(workflows.decisions.journal), and deleted when its work is done. A process that dies
with clicks acked but not done leaves them there; another process (or this one after a
restart) takes them over once their lease has run out and does them.

The ack never waits for this: one writer thread writes what was acked meanwhile in one
insert, then queues the work. What can still be lost is only what was acked in the
last moment before a crash and not yet written (the writer's queue: normally one
insert's time, milliseconds; longer only while the database itself is stuck). A click
taken over may have been half done: its decision is exactly once by the database's
unique key (a replayed Accept that was recorded already is told "already decided"),
a snooze is set again from the moment of the replay."""

from __future__ import annotations

import logging
import queue
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.slack.people import PLATFORM
from workflows.decisions import Pending, finish, journal, take_abandoned
from workflows.service import Services

log = logging.getLogger(__name__)

BATCH = 200  # clicks per insert at most
CHECK_SECONDS = 30.0  # how often clicks of processes gone are looked for


@dataclass(frozen=True)
class Durable:
    key: str  # the delivery's own id: a Slack retry of it is the same row
    kind: str  # which handler does it again (SlackHandlers.replay)
    body: dict[str, Any]  # the Slack payload, as acked


def wall_now() -> datetime:
    return datetime.now(UTC)


class Journal:
    def __init__(self, *, services: Services, owner: str | None = None) -> None:
        self.services = services
        self.owner = owner or secrets.token_hex(8)  # this process, in the rows it claims
        self._queue: queue.SimpleQueue[tuple[Durable, Callable[[], None]] | None] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._writer: threading.Thread | None = None
        self._checker: threading.Thread | None = None
        self._stopping = threading.Event()

    # --- after an ack ---------------------------------------------------------------------

    def write_then(self, item: Durable, start: Callable[[], None]) -> None:
        """Write `item`, then call `start` (which queues its work); returns at once."""
        with self._lock:
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write_loop, daemon=True, name="slack-journal"
                )
                self._writer.start()
        self._queue.put((item, start))

    def _write_loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(more)
            entries = [Pending(key=d.key, kind=d.kind, payload={"body": d.body}) for d, _ in batch]
            try:
                journal(
                    database=self.services.database,
                    platform=PLATFORM,
                    owner=self.owner,
                    now=wall_now(),
                    entries=entries,
                )
            except Exception:
                log.exception("could not write acked Slack work to the journal; doing it anyway")
            for _item, start in batch:
                start()

    def done(self, key: str) -> None:
        """The work of `key` is done: nothing to take over."""
        try:
            finish(database=self.services.database, platform=PLATFORM, key=key)
        except Exception:  # the row stays; a takeover later finds the work done already
            log.exception("could not clear a finished Slack click from the journal")

    # --- taking over ----------------------------------------------------------------------

    def start_takeover(self, redo: Callable[[Pending], None]) -> None:
        """Now, and every CHECK_SECONDS: claim the clicks of processes gone and `redo`
        each (it queues the work, which calls `done` when finished)."""

        def loop() -> None:
            while True:
                try:
                    self.take_over(redo)
                except Exception:
                    log.exception("could not take over pending Slack clicks")
                if self._stopping.wait(CHECK_SECONDS):
                    return

        self._checker = threading.Thread(target=loop, daemon=True, name="slack-takeover")
        self._checker.start()

    def take_over(self, redo: Callable[[Pending], None]) -> int:
        """One pass: claim what processes gone left and `redo` it; how many."""
        taken = take_abandoned(
            database=self.services.database, platform=PLATFORM, owner=self.owner, now=wall_now()
        )
        for pending in taken:
            log.warning("taking over a Slack %s acked by a process gone", pending.kind)
            redo(pending)
        return len(taken)

    def stop(self) -> None:
        """Write (and start) everything acked so far, then stop looking for takeovers."""
        self._stopping.set()
        with self._lock:
            writer = self._writer
        if writer is not None:
            self._queue.put(None)
            writer.join(timeout=30)
        if self._checker is not None:
            self._checker.join(timeout=30)
