"""Acked clicks made durable, the same way on every platform: between the answer a
person got ("Recording your override...", Slack's ack, the web chat's 303) and the
work, each click is written to the journal of pending actions (workflows.decisions.
journal) and deleted when its work is done. A process that dies with clicks answered
but not done leaves them there; another process (or this one after a restart) takes
them over once their lease has run out, and does them.

The answer never waits for the database: one writer thread writes what was answered
meanwhile in one insert, then starts each click's work. What can still be lost is only
what was answered in the last moment before a crash and not yet written (normally one
insert's time, milliseconds). Each row carries the neutral `Click` (what was asked, by
whom, on which platform) and what the platform needs to answer again (`reply`); the
platform's `redo` does the work again from it.

A live process never takes over its own work in flight: the keys it has written and
not finished are its `in_flight`; their claims are renewed every `CHECK_SECONDS` (well
within the lease), so no other process takes them either, and `take_abandoned` skips
them for this one. Work that failed leaves its row, no longer in flight: it is taken
over after its lease like a dead process's (at most MAX_ATTEMPTS times)."""

from __future__ import annotations

import logging
import queue
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.db import Database
from workflows.decisions.click import Click
from workflows.decisions.journal import Pending, finish, journal, renew, take_abandoned

log = logging.getLogger(__name__)

BATCH = 200  # clicks per insert at most
CHECK_SECONDS = 30.0  # how often claims are renewed and clicks of processes gone looked for


def wall_now() -> datetime:
    """Leases are about processes being alive: wall-clock time, never the demo's clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Entry:
    """One answered click: its key (the platform's delivery id when it has one), what
    the platform's `redo` switches on (`kind`), and the row's payload."""

    key: str
    kind: str
    payload: dict[str, Any]


def entry(key: str, click: Click, reply: dict[str, Any] | None = None) -> Entry:
    """The journal entry of a neutral click and what its platform needs to answer."""
    payload = {"click": click.model_dump(mode="json"), "reply": reply or {}}
    return Entry(key=key, kind=click.action.value, payload=payload)


def click_of(pending: Pending) -> Click | None:
    """The neutral click a row holds; None for a row of the older Slack-only shape."""
    raw = pending.payload.get("click")
    return Click.model_validate(raw) if isinstance(raw, dict) else None


class ClickJournal:
    """The journal of one platform's answered clicks, in one process."""

    def __init__(self, *, database: Database, platform: str, owner: str | None = None) -> None:
        self.database = database
        self.platform = platform
        self.owner = owner or secrets.token_hex(8)  # this process, in the rows it claims
        self._queue: queue.SimpleQueue[tuple[Entry, Callable[[], None]] | None] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._writer: threading.Thread | None = None
        self._checker: threading.Thread | None = None
        self._stopping = threading.Event()

    # --- after an answer --------------------------------------------------------------

    def write_then(self, item: Entry, start: Callable[[], None]) -> None:
        """Write `item`, then call `start` (which queues its work); returns at once."""
        with self._lock:
            self._in_flight.add(item.key)
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write_loop, daemon=True, name=f"{self.platform}-journal"
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
            try:
                journal(
                    database=self.database,
                    platform=self.platform,
                    owner=self.owner,
                    now=wall_now(),
                    entries=[Pending(key=e.key, kind=e.kind, payload=e.payload) for e, _ in batch],
                )
            except Exception:
                log.exception(
                    "could not journal answered %s clicks; doing them anyway", self.platform
                )
            for _item, start in batch:
                start()

    def done(self, key: str) -> None:
        """The work of `key` is done (or told as refused): nothing to take over."""
        try:
            finish(database=self.database, platform=self.platform, key=key)
        except Exception:  # the row stays; a takeover later finds the work done already
            log.exception("could not clear a finished %s click from the journal", self.platform)
        finally:
            self.release(key)

    def release(self, key: str) -> None:
        """`key` is no longer worked on here (its work failed): its row, if left, is
        taken over once its claim is older than the lease, by any process."""
        with self._lock:
            self._in_flight.discard(key)

    def in_flight(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._in_flight)

    # --- keeping claims, taking over ----------------------------------------------------

    def renew(self) -> int:
        """Renew the claims of the work in flight here; how many rows."""
        return renew(
            database=self.database,
            platform=self.platform,
            owner=self.owner,
            keys=self.in_flight(),
            now=wall_now(),
        )

    def start_takeover(self, redo: Callable[[Pending], None]) -> None:
        """Now, and every CHECK_SECONDS: renew this process's claims, claim the clicks
        of processes gone and `redo` each (it queues the work; `done` when finished)."""

        def loop() -> None:
            while True:
                try:
                    self.renew()
                    self.take_over(redo)
                except Exception:
                    log.exception("could not take over pending %s clicks", self.platform)
                if self._stopping.wait(CHECK_SECONDS):
                    return

        self._checker = threading.Thread(target=loop, daemon=True, name=f"{self.platform}-takeover")
        self._checker.start()

    def take_over(self, redo: Callable[[Pending], None]) -> int:
        """One pass: claim what processes gone left (never this one's work in flight)
        and `redo` it; how many."""
        taken = take_abandoned(
            database=self.database,
            platform=self.platform,
            owner=self.owner,
            now=wall_now(),
            in_flight=self.in_flight(),
        )
        for pending in taken:
            log.warning(
                "taking over a %s %s answered by a process gone", self.platform, pending.kind
            )
            with self._lock:
                self._in_flight.add(pending.key)
            redo(pending)
        return len(taken)

    def stop(self) -> None:
        """Write (and start) everything answered so far, then stop looking for takeovers."""
        self._stopping.set()
        with self._lock:
            writer = self._writer
        if writer is not None:
            self._queue.put(None)
            writer.join(timeout=30)
        if self._checker is not None:
            self._checker.join(timeout=30)
