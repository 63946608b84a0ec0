"""The messages about recommendations in one claimed batch (first deliveries, reminders,
escalations and their channel copies), sent several at a time.

Sent one by one, each row cost two transactions, a dozen queries and a blocking
send: the worker spent most of its time on everything but the send (bench/delivery.py).
Here one transaction renews the leases of the next PREPARE_AHEAD rows, reads their
recommendations and draws their messages (history, context rules and track record read
for the whole chunk at once, see workflows.views.lookups); the sends run on a small pool,
`in_flight` at a time (one by default) and each to a different recipient (one person's
messages still arrive in the order they were claimed); and one transaction records RECORD_EVERY
finished sends at a time (stored references, `delivered` events, and the rows marked
sent with the claim token checked in the same statement).

Exactly once is kept as before: a row is sent only under a lease renewed within a
quarter of a lease before its send, a row whose claim was taken over is not sent, a
sent row is recorded within about a quarter of a lease after its send (so its lease
cannot run out while it waits to be recorded), and the record checks the token. What
a crash costs is bounded: at most `in_flight` rows (MAX_UNRECORDED, one, unless the
deployment asks for more) are started and not yet recorded, so a worker killed mid-batch
leaves at most that many messages sent but not recorded (each sent once more by whoever
re-claims it, never lost). More in flight sends faster and costs that many copies per
crash (bench/README.md, Delivery). That bound is for sends nobody could find again: a
Slack direct message carries its row's mark and a row tried again is looked for before it
is sent (core.chat.SendKey), so those cost no copy and up to MAX_PENDING are under way.

A transaction that fails for the whole chunk (the database, one row's bad data) is
rolled back and its rows are handled one by one, each in transactions of its own, as the
single-row path always did, so one row's fault does not stop the others."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.chat import DeliveryError, MessageRef
from core.clock import Clock
from core.config import Config
from core.domain import EventKind, OutboxState
from storage.db import Database
from storage.models import ChatMessage, Event, OutboxItem, Recommendation
from workflows.delivery.claims import renew_many, write_many_if_held
from workflows.delivery.followups import (
    Cards,
    Outgoing,
    cards_of,
    is_new_card,
    refresh_after_escalations,
)
from workflows.delivery.lanes import ClaimRanOut, Entry, Halted, Lanes
from workflows.delivery.report import DeliveryReport
from workflows.outbox import delivered_data
from workflows.views.lookups import BatchLookups, Lookups


class OutboxWorker(Protocol):
    """What the batched path needs of the worker that owns it (workflows.delivery.worker):
    declared here so the batch depends on a shape, not back on the worker module."""

    database: Database
    config: Config
    clock: Clock
    lease: timedelta

    def one(self, item: OutboxItem, report: DeliveryReport) -> None: ...

    def settle(
        self, item: OutboxItem, report: DeliveryReport, exc: BaseException | None = None
    ) -> None: ...

    def prepare(
        self,
        session: Session,
        item: OutboxItem,
        rec: Recommendation,
        *,
        lookups: Lookups | None = None,
        cards: Cards | None = None,
    ) -> Outgoing | None: ...

    def send_prepared(self, item: OutboxItem, outgoing: Outgoing) -> MessageRef: ...

    def finds_sent(self, item: OutboxItem) -> bool: ...

    def record_delivery(self, session: Session, item: OutboxItem, ref: MessageRef) -> None: ...


log = logging.getLogger(__name__)

SEND_THREADS = 4  # threads the sends run on; at most `in_flight` are busy at once
PREPARE_AHEAD = 50  # rows renewed, read and drawn in one transaction
RECORD_EVERY = 32  # finished sends recorded in one transaction (sooner when none is in flight)
# Sends started and not yet recorded, by default: what a worker killed mid-batch may have
# sent without a record, so at most this many messages are sent twice (once more by the
# re-claimer). One: a crash costs at most the one message in flight. Sends the platform
# finds again (Slack direct messages, see core.chat.SendKey) cost no copy and are bounded
# by MAX_PENDING only.
MAX_UNRECORDED = 1
MAX_PENDING = 2 * RECORD_EVERY
# Sent, and the database away when recording it: how long the record is tried again.
RECORD_PATIENCE = 10.0
RECORD_RETRY_SECONDS = 0.5

Send = Callable[[], MessageRef]
Done = tuple[OutboxItem, MessageRef | BaseException]


class DeliveryBatch:
    """The batched path of `OutboxWorker` for rows of kind DELIVER."""

    def __init__(
        self, worker: OutboxWorker, *, threads: int = SEND_THREADS, in_flight: int = MAX_UNRECORDED
    ) -> None:
        self.worker = worker
        self.lanes = Lanes(
            threads=threads,
            max_unrecorded=in_flight,
            max_pending=MAX_PENDING,
            renew_after=worker.lease.total_seconds() / 4,
            renew=self._renew,
        )

    def _renew(self, items: list[OutboxItem]) -> set[int]:
        with self.worker.database.transaction() as session:
            return renew_many(
                session, items=items, now=self.worker.clock.now(), lease=self.worker.lease
            )

    def run(self, items: Sequence[OutboxItem], report: DeliveryReport) -> None:
        """Prepare PREPARE_AHEAD rows at a time while fewer than that are queued, and
        record the finished sends (in claim order among themselves), RECORD_EVERY at a
        time, or fewer when nothing else would finish first or the `in_flight` slots are
        used up."""
        lanes = self.lanes
        lanes.resume()
        waiting = list(items)
        order: deque[Entry] = deque()  # queued, not yet recorded, in claim order
        while waiting or order:
            if waiting and lanes.queued < PREPARE_AHEAD:
                # The chunk's leases are renewed as its transaction begins, and drawing it
                # takes a while: a lease's age counts from before, never from after.
                renewed = time.monotonic()
                sends = self._start(waiting[:PREPARE_AHEAD], report)
                entries = [
                    Entry(
                        item=item,
                        send=send,
                        renewed_at=renewed,
                        findable=self.worker.finds_sent(item),
                    )
                    for item, send in sends
                ]
                del waiting[:PREPARE_AHEAD]
                order.extend(entries)
                lanes.add(entries)
                continue
            with lanes.changed:
                while True:
                    # Every finished send, not only a finished prefix: a lane waiting for
                    # a free slot must never wait on a row no thread has started yet.
                    done = [e for e in order if e.done]
                    ready = len(done)
                    # A sent row is recorded well within its lease: unrecorded past
                    # it, another worker would re-claim and send it again.
                    aging = (
                        ready
                        and time.monotonic() - min(e.renewed_at for e in done) > lanes.renew_after
                    )
                    if ready and (
                        ready >= RECORD_EVERY
                        or ready == len(order)
                        or aging
                        or lanes.full
                        or (waiting and lanes.queued < PREPARE_AHEAD)
                    ):
                        break
                    if not order or (waiting and lanes.queued < PREPARE_AHEAD):
                        done = []
                        break
                    lanes.changed.wait(timeout=min(1.0, lanes.renew_after / 4))
                for entry in done:
                    order.remove(entry)
            if done:
                self._finish([(e.item, e.result) for e in done if e.result is not None], report)
                lanes.recorded(done)

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

    def _prepare(
        self, picked: list[OutboxItem]
    ) -> tuple[
        list[tuple[OutboxItem, Send]],
        list[OutboxItem],
        list[tuple[OutboxItem, DeliveryError]],
        list[OutboxItem],
    ]:
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
            recs = {
                rec.id: rec
                for rec in session.scalars(select(Recommendation).where(Recommendation.id.in_(ids)))
            }
            lookups = BatchLookups(session, config=worker.config, recs=list(recs.values()))
            cards = cards_of(session, live)  # the cards reminders follow up, in one read
            for item in live:
                try:
                    message = worker.prepare(
                        session,
                        item,
                        recs[item.recommendation_id or 0],
                        lookups=lookups,
                        cards=cards,
                    )
                except DeliveryError as exc:
                    refused.append((item, exc))
                    continue
                if message is None:
                    skipped.append(item)
                else:
                    sends.append((item, self._send(item, message)))
            if skipped:
                write_many_if_held(
                    session,
                    items=skipped,
                    state=OutboxState.SENT,
                    sent_at=now,
                    last_error="skipped: no longer relevant",
                )
        return sends, skipped, refused, [item for item in picked if item.id not in held]

    def _send(self, item: OutboxItem, outgoing: Outgoing) -> Send:
        return lambda: self.worker.send_prepared(item, outgoing)

    # --- after the sends ----------------------------------------------------------------

    def _finish(self, done: list[Done], report: DeliveryReport) -> None:
        worker = self.worker
        sent = [(item, ref) for item, ref in done if isinstance(ref, MessageRef)]
        if sent:
            try:
                self._record(sent)
            except Exception:  # noqa: BLE001 - one row's fault must not stop the batch
                log.exception("outbox: recording %d sends together failed; one by one", len(sent))
                self._record_each(sent, report)
            else:
                for item, _ref in sent:
                    worker.settle(item, report)
        for item, outcome in done:
            if isinstance(outcome, ClaimRanOut):
                report.lost += 1  # the lease ran out and another worker holds it now
            elif isinstance(outcome, Halted):
                log.warning("outbox item %s not sent: recording failed; after its lease", item.id)
            elif not isinstance(outcome, MessageRef):
                worker.settle(item, report, outcome)

    def _record_each(
        self, sent: list[tuple[OutboxItem, MessageRef]], report: DeliveryReport
    ) -> None:
        """Record each send in a transaction of its own. When records fail and the
        database does not answer either, it is away, not one row's data at fault: no more
        sends start (each would be sent again later), and the records are tried again once
        it answers, within RECORD_PATIENCE or half a lease if longer: a message already
        sent is kept from being sent twice unless the outage outlasts that. What still
        fails is counted as a failed attempt."""
        left = [
            (item, ref, exc)
            for item, ref in sent
            if (exc := self._record_alone(item, ref)) is not None
        ]
        if left and not self._database_answers():
            self.lanes.halt()
            patience = max(RECORD_PATIENCE, self.worker.lease.total_seconds() / 2)
            deadline = time.monotonic() + patience
            back = False
            while time.monotonic() < deadline and not (back := self._database_answers()):
                time.sleep(RECORD_RETRY_SECONDS)
            if back:  # the rest of the batch is sent now, not after its lease
                self.lanes.resume()
            left = [
                (item, ref, exc)
                for item, ref, _ in left
                if (exc := self._record_alone(item, ref)) is not None
            ]
        unrecorded = {item.id for item, _, _ in left}
        for item, _ref in sent:
            if item.id not in unrecorded:
                self.worker.settle(item, report)
        for item, _ref, exc in left:
            try:
                self.worker.settle(item, report, exc)  # counted like any failed attempt
            except Exception:  # noqa: BLE001 - the database is away: the lease decides
                log.exception("outbox item %s: sent, and neither recorded nor counted", item.id)

    def _database_answers(self) -> bool:
        try:
            return self.worker.database.ping()
        except Exception:  # noqa: BLE001 - any failure to answer means away
            return False

    def _record_alone(self, item: OutboxItem, ref: MessageRef) -> Exception | None:
        """None when the send is recorded, else what stopped it."""
        try:
            with self.worker.database.transaction() as session:
                self.worker.record_delivery(session, item, ref)
        except Exception as exc:  # noqa: BLE001 - the caller counts or retries it
            return exc
        return None

    def _record(self, sent: list[tuple[OutboxItem, MessageRef]]) -> None:
        worker = self.worker
        now = worker.clock.now()
        with worker.database.transaction() as session:
            refs, events = [], []
            for item, ref in sent:
                purpose = item.payload.get("purpose", "owner")
                if is_new_card(ref):
                    refs.append(worker._ref_row(item, ref, purpose))
                events.append(
                    {
                        "recommendation_id": item.recommendation_id,
                        "kind": EventKind.DELIVERED.value,
                        "actor_id": None,
                        "at": now,
                        "data": delivered_data(item, ref, purpose),
                    }
                )
            # The rows of _store_ref and record_event, one statement each.
            if refs:
                session.execute(insert(ChatMessage.__table__), refs)
            session.execute(insert(Event.__table__), events)
            refresh_after_escalations(session, [item for item, _ in sent], now=now)
            marked = write_many_if_held(
                session,
                items=[item for item, _ in sent],
                state=OutboxState.SENT,
                sent_at=now,
                last_error=None,
            )
        for item, _ref in sent:
            if item.id not in marked:
                log.warning("outbox item %s was done after its claim ran out", item.id)
