"""The messages about recommendations in one claimed batch (first deliveries, reminders,
escalations and their channel copies), sent several at a time.

Sent one by one, each row cost two transactions, a dozen queries and a blocking
send: the worker spent most of its time on everything but the send (bench/delivery.py).
Here the rows go through a pipeline of at most `SEND_THREADS` sends in flight, each to a
different recipient (one person's messages still arrive in the order they were
claimed). Whenever sends finish, one transaction records them all (stored references,
`delivered` events, and the rows marked sent with the claim token checked in the same
statement), then one transaction renews the leases of the next rows, reads their
recommendations and draws their messages (the history, context rules and track record
read for the whole chunk at once, see workflows.lookups), and those sends start.

Exactly once is kept as before: a row's lease is renewed just before its send and a row
whose claim was taken over is not sent; a send's slot is given to the next row only once
its result is committed, so a worker killed mid-batch leaves at most `SEND_THREADS` rows
sent but not recorded (each is sent once more by whoever re-claims it, never lost).

A transaction that fails for the whole chunk (the database, one row's bad data) is
rolled back and its rows are handled one by one, each in transactions of its own, as the
single-row path always did, so one row's fault does not stop the others."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.chat import DeliveryError, MessageRef
from core.domain import EventKind, OutboxState
from core.messages import Message
from storage.models import OutboxItem, Recommendation
from workflows.audit import record_event
from workflows.claims import renew_many, write_many_if_held
from workflows.lookups import BatchLookups

if TYPE_CHECKING:
    from workflows.delivery import DeliveryReport, OutboxWorker

log = logging.getLogger(__name__)

SEND_THREADS = 4  # sends in flight per worker, each to a different recipient

Send = Callable[[], MessageRef]
Done = tuple[OutboxItem, MessageRef | BaseException]


Start = Callable[[list[OutboxItem]], list[tuple[OutboxItem, Send]]]


def pipeline(
    items: Sequence[OutboxItem], *, start: Start, finish: Callable[[list[Done]], None],
    pool: ThreadPoolExecutor | None, slots: int,
) -> None:  # fmt: skip
    """Run `items` through `start` (in claim order, at most `slots` in flight, one per
    recipient) and their sends on `pool` (inline without one); `finish` takes the results
    in the order the sends started (so the audit trail reads in claim order), and a slot
    is used again only once `finish` has taken its result."""
    waiting = list(items)
    started: list[tuple[OutboxItem, Future[MessageRef]]] = []
    while waiting or started:
        ready = 0
        while ready < len(started) and started[ready][1].done():
            ready += 1
        if ready:
            finish([(item, future.exception() or future.result())
                    for item, future in started[:ready]])  # fmt: skip
            del started[:ready]
        busy = {item.person_id for item, _ in started}
        picked: list[OutboxItem] = []
        for item in waiting:
            if len(started) + len(picked) >= slots:
                break
            if item.person_id not in busy:
                picked.append(item)
                busy.add(item.person_id)
        if picked:
            chosen = {id(item) for item in picked}
            waiting = [item for item in waiting if id(item) not in chosen]
            started += [(item, _submit(pool, send)) for item, send in start(picked)]
        elif started:
            wait([started[0][1]])  # the oldest send: nothing can be finished before it


def _submit(pool: ThreadPoolExecutor | None, send: Send) -> Future[MessageRef]:
    if pool is not None:
        return pool.submit(send)
    future: Future[MessageRef] = Future()
    try:
        future.set_result(send())
    except Exception as exc:  # noqa: BLE001 - settled by `finish`
        future.set_exception(exc)
    return future


class DeliveryBatch:
    """The batched path of `OutboxWorker` for rows of kind DELIVER."""

    def __init__(self, worker: OutboxWorker, *, threads: int = SEND_THREADS) -> None:
        self.worker = worker
        self.threads = max(1, threads)
        self.pool = (ThreadPoolExecutor(self.threads, thread_name_prefix="outbox-send")
                     if self.threads > 1 else None)  # fmt: skip

    def run(self, items: Sequence[OutboxItem], report: DeliveryReport) -> None:
        def start(picked: list[OutboxItem]) -> list[tuple[OutboxItem, Send]]:
            return self._start(picked, report)

        def finish(done: list[Done]) -> None:
            self._finish(done, report)

        pipeline(items, start=start, finish=finish, pool=self.pool, slots=self.threads)

    # --- before the sends ---------------------------------------------------------------

    def _start(
        self, picked: list[OutboxItem], report: DeliveryReport
    ) -> list[tuple[OutboxItem, Send]]:
        worker = self.worker
        try:
            sends, skipped, refused, lost = self._prepare(picked)
        except Exception:  # noqa: BLE001 - the chunk's transaction: each row on its own
            log.exception("outbox: preparing %d rows together failed; one by one", len(picked))
            for item in picked:
                worker.one(item, report)
            return []
        for _item in lost:
            report.lost += 1  # the lease ran out and another worker holds it now
        for item in skipped:
            worker.settle(item, report)
        for item, exc in refused:
            worker.settle(item, report, exc)
        return sends

    def _prepare(self, picked: list[OutboxItem]) -> tuple[
        list[tuple[OutboxItem, Send]], list[OutboxItem], list[tuple[OutboxItem, DeliveryError]],
        list[OutboxItem],
    ]:  # fmt: skip
        """One transaction: renew, read, draw. Rows that are no longer relevant are marked
        sent here (as the single-row path does)."""
        worker = self.worker
        now = worker.clock.now()
        sends: list[tuple[OutboxItem, Send]] = []
        skipped: list[OutboxItem] = []
        refused: list[tuple[OutboxItem, DeliveryError]] = []
        with worker.database.transaction() as session:
            held = renew_many(session, items=picked, now=now, lease=worker.lease)
            live = [item for item in picked if item.id in held]
            ids = {item.recommendation_id for item in live}
            recs = {rec.id: rec for rec in session.scalars(
                select(Recommendation).where(Recommendation.id.in_(ids)))}  # fmt: skip
            lookups = BatchLookups(session, config=worker.config, recs=list(recs.values()))
            for item in live:
                try:
                    message = worker.prepare(session, item, recs[item.recommendation_id or 0],
                                             lookups=lookups)  # fmt: skip
                except DeliveryError as exc:
                    refused.append((item, exc))
                    continue
                if message is None:
                    skipped.append(item)
                else:
                    sends.append((item, self._send(item, message)))
            if skipped:
                write_many_if_held(session, items=skipped, state=OutboxState.SENT, sent_at=now,
                                   last_error="skipped: no longer relevant")  # fmt: skip
        return sends, skipped, refused, [item for item in picked if item.id not in held]

    def _send(self, item: OutboxItem, message: Message) -> Send:
        return lambda: self.worker.send_prepared(item, message)

    # --- after the sends ----------------------------------------------------------------

    def _finish(self, done: list[Done], report: DeliveryReport) -> None:
        worker = self.worker
        sent = [(item, ref) for item, ref in done if isinstance(ref, MessageRef)]
        if sent:
            try:
                self._record(sent)
            except Exception:  # noqa: BLE001 - one row's fault must not stop the batch
                log.exception("outbox: recording %d sends together failed; one by one", len(sent))
                for item, ref in sent:
                    self._record_alone(item, ref, report)
            else:
                for item, _ref in sent:
                    worker.settle(item, report)
        for item, outcome in done:
            if not isinstance(outcome, MessageRef):
                worker.settle(item, report, outcome)

    def _record_alone(self, item: OutboxItem, ref: MessageRef, report: DeliveryReport) -> None:
        try:
            with self.worker.database.transaction() as session:
                self.worker.record_delivery(session, item, ref)
        except Exception as exc:  # noqa: BLE001 - counted like any failed attempt
            self.worker.settle(item, report, exc)
        else:
            self.worker.settle(item, report)

    def _record(self, sent: list[tuple[OutboxItem, MessageRef]]) -> None:
        worker = self.worker
        now = worker.clock.now()
        with worker.database.transaction() as session:
            for item, ref in sent:
                purpose = item.payload.get("purpose", "owner")
                worker._store_ref(session, item, ref, purpose)
                record_event(session, kind=EventKind.DELIVERED, at=now,
                             recommendation_id=item.recommendation_id, actor_id=None,
                             to=item.person_id, platform=ref.platform, purpose=purpose)  # fmt: skip
            marked = write_many_if_held(session, items=[item for item, _ in sent],
                                        state=OutboxState.SENT, sent_at=now,
                                        last_error=None)  # fmt: skip
        for item, _ref in sent:
            if item.id not in marked:
                log.warning("outbox item %s was done after its claim ran out", item.id)
