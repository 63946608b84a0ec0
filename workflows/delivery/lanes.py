"""Sends on a few threads, one lane per recipient: each recipient's messages go out one at
a time in the order they were queued, different recipients' at the same time.

The outbox worker's own thread only queues prepared sends and records finished ones;
the lanes keep sending meanwhile, so the database work of one chunk overlaps the sends
of the one before. Two bounds keep the outbox's guarantees:

- at most `max_unrecorded` sends the platform could not find again (core.chat.SendKey)
  are started and not yet recorded (`recorded` gives the slots back): what a worker
  killed mid-batch may have sent without a record, each sent once more by whoever
  re-claims it. Sends that can be found again cost no copy, so only `max_pending` bounds
  them (with the rest). A free slot goes to the earliest-queued send of a recipient with
  none under way, and a send that must wait for a slot holds back those queued after it,
  so with one slot (the default) such messages go out in claim order across recipients
  too, as one by one would;
- a send whose lease was renewed more than `renew_after` seconds ago renews first, with
  the rest of its lane (`renew` returns the ids still held); one whose claim was taken
  over is not sent and finishes as `ClaimRanOut`."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from core.chat import MessageRef
from storage.models import OutboxItem


class ClaimRanOut(Exception):
    """The row's lease ran out before its send and another worker holds it now."""


class Halted(Exception):
    """Not sent: recording earlier sends failed (the database is away), and every send
    made meanwhile would be one nobody can record, so sent again later. The row stays
    claimed; when its lease has run out it is claimed again and sent once."""


@dataclass(eq=False)
class Entry:
    item: OutboxItem
    send: Callable[[], MessageRef]
    renewed_at: float = field(default_factory=time.monotonic)
    lost: bool = False
    done: bool = False
    result: MessageRef | BaseException | None = None
    seq: int = 0  # queued order, across lanes
    findable: bool = False  # the platform finds it again if it is sent and not recorded


class Lanes:
    """Sends dispatched from one place: whenever a slot frees (a send finishes, sends are
    recorded, new ones are queued), the earliest-queued send of a recipient with none
    under way starts on the pool. No pool thread ever waits for a slot, so any number of
    recipients share the few threads without one lane starving behind another."""

    def __init__(
        self,
        *,
        threads: int,
        max_unrecorded: int,
        max_pending: int,
        renew_after: float,
        renew: Callable[[list[OutboxItem]], set[int]],
    ) -> None:
        self.pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="outbox-send")
        self.max_unrecorded = max_unrecorded
        self.max_pending = max(max_pending, max_unrecorded)
        self.renew_after = renew_after
        self.renew = renew
        self.changed = threading.Condition()
        self._lanes: dict[str | None, deque[Entry]] = {}  # recipient -> sends not started
        self._sending: set[str | None] = set()  # recipients with a send under way
        self.unrecorded = 0  # started (or finished), not yet recorded, not findable
        self.pending = 0  # started (or finished) and not yet recorded, all of them
        self.queued = 0  # added and not yet started
        self.halted = False  # no more sends until `resume` (see Halted)
        self._seq = 0

    def halt(self) -> None:
        with self.changed:
            self.halted = True

    def resume(self) -> None:
        with self.changed:
            self.halted = False

    def add(self, entries: Sequence[Entry]) -> None:
        with self.changed:
            for entry in entries:
                self._seq += 1
                entry.seq = self._seq
                self._lanes.setdefault(entry.item.person_id, deque()).append(entry)
                self.queued += 1
            self._dispatch()

    @property
    def full(self) -> bool:
        """No send may start before some are recorded."""
        return self.unrecorded >= self.max_unrecorded or self.pending >= self.max_pending

    def recorded(self, entries: Sequence[Entry]) -> None:
        with self.changed:
            self.pending -= len(entries)
            self.unrecorded -= sum(1 for e in entries if not e.findable)
            self._dispatch()
            self.changed.notify_all()

    def _dispatch(self) -> None:
        """Under the lock: start sends while slots are free, earliest-queued first among
        the recipients with no send under way (one recipient's stay in order)."""
        while self.pending < self.max_pending:
            free = [key for key, lane in self._lanes.items() if key not in self._sending]
            if not free:
                return
            key = min(free, key=lambda k: self._lanes[k][0].seq)
            lane = self._lanes[key]
            if not lane[0].findable and self.unrecorded >= self.max_unrecorded:
                return  # it waits for a slot, and what was queued after it waits behind
            entry = lane.popleft()
            stale = (
                []
                if time.monotonic() - entry.renewed_at <= self.renew_after
                else [entry, *(e for e in lane if not e.lost)]
            )
            if not lane:
                del self._lanes[key]
            self._sending.add(key)
            self.pending += 1
            self.unrecorded += 0 if entry.findable else 1
            self.queued -= 1
            self.pool.submit(self._send, key, entry, stale)

    def _send(self, key: str | None, entry: Entry, stale: list[Entry]) -> None:
        result: MessageRef | BaseException
        try:
            if stale:
                self._renew(stale)
            result = ClaimRanOut() if entry.lost else Halted() if self.halted else entry.send()
        except Exception as exc:  # noqa: BLE001 - settled by the worker
            result = exc
        with self.changed:
            entry.result, entry.done = result, True
            self._sending.discard(key)
            self._dispatch()
            self.changed.notify_all()

    def _renew(self, entries: list[Entry]) -> None:
        held = self.renew([e.item for e in entries])
        now = time.monotonic()
        with self.changed:
            for entry in entries:
                entry.renewed_at = now
                entry.lost = entry.lost or entry.item.id not in held
