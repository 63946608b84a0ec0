"""Out: the outbox worker. Claims due rows, renders the neutral message, sends it
through the `Chat` port and stores where it went, so it can be updated in place.

Claims are leases with an owner (see claims): a worker killed mid-send lets another send
the row once the lease runs out (at most one duplicate for a message in flight, never a
loss), and a slow worker whose lease ran out sends nothing more of its batch. PostgreSQL
claims with FOR UPDATE SKIP LOCKED so replicas never take the same row; SQLite has a
single writer anyway."""

from __future__ import annotations

import logging
from datetime import timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.chat import Chat, DeliveryError, FindsSent, MessageRef
from core.clock import Calendars, Clock
from core.config import Config
from core.domain import EventKind, OutboxKind, OutboxState, Status
from core.messages import Message
from storage.db import Database
from storage.models import ChatMessage, OutboxItem, Recommendation
from workflows.audit import record_event
from workflows.delivery.batch import MAX_UNRECORDED, SEND_THREADS, DeliveryBatch
from workflows.delivery.cap import overflow_to_digest
from workflows.delivery.claims import claim_due, new_token, renew, write_if_held
from workflows.delivery.failures import retry_or_fail
from workflows.delivery.followups import (
    CLOCK_PURPOSES,
    Cards,
    Outgoing,
    is_new_card,
    outgoing_for,
    refresh_after_escalations,
    send,
)
from workflows.delivery.report import DeliveryReport
from workflows.digest.send import DigestDelivery
from workflows.metering import NO_METER, Meter
from workflows.outbox import channel_of, delivered_data, send_key, sent_in_stead
from workflows.views.lookups import Lookups
from workflows.views.message import message_for_purpose

log = logging.getLogger(__name__)

# Longer than the slowest single send (a Teams send may retry for up to two minutes):
# each row's lease is renewed just before its send (see claims).
LEASE = timedelta(seconds=180)
DRAIN_BATCH = 200  # rows per claim when draining (leases are renewed per chunk anyway)
# Stored messages re-rendered after a decision, a reassignment, a snooze or an extension.
REFRESHED_PURPOSES = ("owner", "escalation", "reminder")


class _ClaimLost(Exception):
    """Internal: another worker re-claimed the row after this worker's lease ran out."""


class OutboxWorker:
    def __init__(
        self,
        *,
        database: Database,
        config: Config,
        chat: Chat,
        clock: Clock,
        lease: timedelta = LEASE,
        meter: Meter = NO_METER,
        send_threads: int = SEND_THREADS,
        sends_in_flight: int = MAX_UNRECORDED,
    ) -> None:
        self.lease = lease
        self.database = database
        self.config = config
        self.chat = chat
        self.clock = clock
        self.meter = meter
        self.calendars = Calendars(config)
        self.digests = DigestDelivery(database=database, config=config, chat=chat, clock=clock)
        self.batch = DeliveryBatch(self, threads=send_threads, in_flight=sends_in_flight)

    # --- claiming ---------------------------------------------------------------------

    def claim(self, *, limit: int = 50) -> list[OutboxItem]:
        """Due rows under a fresh claim token. First deliveries beyond the owner's daily
        cap are moved to the digest here, in the claiming transaction (see daily_cap)."""
        return self._claim(limit=limit)[0]

    def _claim(self, *, limit: int) -> tuple[list[OutboxItem], int]:
        now = self.clock.now()
        with self.database.transaction() as session:
            items = claim_due(
                session,
                postgres=self.database.is_postgres,
                now=now,
                lease=self.lease,
                limit=limit,
                token=new_token(),
            )
            overflow = overflow_to_digest(
                session, config=self.config, calendars=self.calendars, items=items, now=now
            )
            return [item for item in items if item.id not in overflow], len(overflow)

    def run_once(self, *, limit: int = 50) -> DeliveryReport:
        items, digested = self._claim(limit=limit)
        report = DeliveryReport(digested=digested)
        # In claim order (a refresh redraws what was sent before it); each run of
        # messages about recommendations goes out together (see delivery_batch).
        for deliver, run in groupby(items, key=lambda item: item.kind == OutboxKind.DELIVER):
            if deliver:
                self.batch.run(list(run), report)
            else:
                for item in run:
                    self.one(item, report)
        return report

    def one(self, item: OutboxItem, report: DeliveryReport) -> None:
        """One row on its own: the path of all but DELIVER rows, and of a batch whose
        shared transaction failed."""
        try:
            self._deliver(item)
        except Exception as exc:  # noqa: BLE001 - one row's fault must not stop the batch
            self.settle(item, report, exc)
        else:
            self.settle(item, report)

    def settle(
        self, item: OutboxItem, report: DeliveryReport, exc: BaseException | None = None
    ) -> None:
        """Count one row's outcome; a failure is retried or failed (see _retry_or_fail)."""
        if isinstance(exc, _ClaimLost):
            report.lost += 1  # the lease ran out and another worker holds it now
            return
        if exc is not None and not isinstance(exc, Exception):
            raise exc
        retried = exc is not None and (
            self._retry_or_fail(item, exc)
            if isinstance(exc, DeliveryError)
            else self._count_unexpected(item, exc)
        )
        result = "sent" if exc is None else "retried" if retried else "failed"
        setattr(report, result, getattr(report, result) + 1)
        self.meter.delivered(kind=item.kind, result=result)

    def _hold(self, session: Session, item: OutboxItem) -> None:
        """A full lease for the send about to start, in the transaction that prepares it."""
        if not renew(session, item=item, now=self.clock.now(), lease=self.lease):
            raise _ClaimLost

    def _count_unexpected(self, item: OutboxItem, exc: Exception) -> bool:
        """Not a delivery error (e.g. the database failing after a successful send): an
        attempt like any other, audited, retried until the bound. If even that cannot be
        written, the row's lease runs out and it is claimed again."""
        log.exception("outbox item %s: %s", item.id, exc)
        error = DeliveryError(f"{type(exc).__name__}: {exc}", transient=True)
        try:
            return self._retry_or_fail(item, error, unexpected=True)
        except Exception:  # noqa: BLE001
            log.exception("outbox item %s: could not record the failure", item.id)
            return True

    def drain(self, *, rounds: int = 20, limit: int = DRAIN_BATCH) -> DeliveryReport:
        """Run until nothing is due, in large claims (the send pipeline empties after each)."""
        total = DeliveryReport()
        for _ in range(rounds):
            report = self.run_once(limit=limit)
            for name, count in vars(report).items():
                setattr(total, name, getattr(total, name) + count)
            if not any(vars(report).values()):
                break
        return total

    # --- sending ----------------------------------------------------------------------

    def _deliver(self, item: OutboxItem) -> None:
        if item.kind == OutboxKind.DELIVER:
            self._deliver_recommendation(item)
        elif item.kind == OutboxKind.REFRESH:
            self._refresh(item)
        elif item.kind == OutboxKind.NOTICE:
            self._notice(item)
        elif item.kind == OutboxKind.DIGEST:
            self._digest(item)
        else:
            raise DeliveryError(f"unknown outbox kind {item.kind}", transient=False)

    def _deliver_recommendation(self, item: OutboxItem) -> None:
        with self.database.transaction() as session:
            self._hold(session, item)
            rec = session.get(Recommendation, item.recommendation_id)
            assert rec is not None
            outgoing = self.prepare(session, item, rec)
            if outgoing is None:
                return
        ref = self.send_prepared(item, outgoing)
        with self.database.transaction() as session:
            self.record_delivery(session, item, ref)

    def prepare(
        self,
        session: Session,
        item: OutboxItem,
        rec: Recommendation,
        *,
        lookups: Lookups | None = None,
        cards: Cards | None = None,
    ) -> Outgoing | None:
        """The message to send, drawn in the transaction that holds the row; None (and
        the row marked sent) when it is no longer relevant. A reminder or escalation to
        someone who already has a card about the item is a follow-up to that card and
        an update of it (see followups; `cards` read for a whole chunk)."""
        assert item.recommendation_id is not None and item.person_id is not None
        person = self.config.people_by_id.get(item.person_id)
        if person is None and channel_of(item.person_id) is None:
            raise DeliveryError(f"{item.person_id} is not in the configuration", transient=False)
        purpose = item.payload.get("purpose", "owner")
        if (
            rec.status == Status.WITHDRAWN
            or (
                purpose in ("owner", "reminder")
                and rec.owner_id not in (item.person_id, None)
                and not sent_in_stead(item.payload, owner_id=rec.owner_id)
            )
            or (purpose in CLOCK_PURPOSES and rec.status != Status.OPEN)
        ):
            self._mark_sent(session, item, note="skipped: no longer relevant")
            return None
        message = message_for_purpose(
            session,
            config=self.config,
            rec=rec,
            reader_id=item.person_id,
            now=(now := self.clock.now()),
            purpose=purpose,
            lookups=lookups,
        )
        if item.payload.get("fallback"):
            message.context.insert(0, item.payload["fallback"])
        return outgoing_for(
            session, config=self.config, item=item, rec=rec, message=message, now=now, cards=cards
        )

    def send_prepared(self, item: OutboxItem, outgoing: Outgoing) -> MessageRef:
        return send(
            self.chat,
            outgoing,
            lambda message: self._post_card(item, message),
            key=send_key(item, at=self.clock.now()),
        )

    def _post_card(self, item: OutboxItem, message: Message) -> MessageRef:
        assert item.person_id is not None
        channel = channel_of(item.person_id)
        person = self.config.people_by_id.get(item.person_id)
        if person is not None:
            return self.chat.send(
                person=person, message=message, key=send_key(item, at=self.clock.now())
            )
        # a read-only copy for the team channel (the channel is no decider)
        assert channel is not None
        return self.chat.post_to_channel(channel=channel, message=message)

    def finds_sent(self, item: OutboxItem) -> bool:
        """Whether the platform would find this row's message if it were sent and then
        not recorded (see SendKey): such sends do not count against `sends_in_flight`.
        A person's reminder is a card or a keyed follow-up (its card update idempotent)."""
        person = self.config.people_by_id.get(item.person_id or "")
        chat = self.chat
        return person is not None and isinstance(chat, FindsSent) and chat.finds_sent(person)

    def record_delivery(self, session: Session, item: OutboxItem, ref: MessageRef) -> None:
        purpose = item.payload.get("purpose", "owner")
        if is_new_card(ref):
            self._store_ref(session, item, ref, purpose)
        refresh_after_escalations(session, [item], now=self.clock.now())
        record_event(
            session,
            kind=EventKind.DELIVERED,
            at=self.clock.now(),
            recommendation_id=item.recommendation_id,
            actor_id=None,
            **delivered_data(item, ref, purpose),
        )
        self._mark_sent(session, item)

    def _refresh(self, item: OutboxItem) -> None:
        with self.database.transaction() as session:
            self._hold(session, item)
            rec = session.get(Recommendation, item.recommendation_id)
            assert rec is not None
            stored = list(
                session.scalars(
                    select(ChatMessage).where(
                        ChatMessage.recommendation_id == rec.id,
                        ChatMessage.purpose.in_((*REFRESHED_PURPOSES, "digest")),
                    )
                )
            )
            updates = [
                (
                    MessageRef.model_validate(m.ref),
                    self.digests.again(session, m, rec)
                    if m.purpose == "digest"
                    else message_for_purpose(
                        session,
                        config=self.config,
                        rec=rec,
                        reader_id=m.person_id or rec.owner_id,
                        now=self.clock.now(),
                        purpose=m.purpose,
                    ),
                )
                for m in stored
            ]
        # Each stored message on its own: one that is gone for good (a deleted DM, an
        # archived channel) must not keep the others showing live buttons. A transient
        # failure retries the whole refresh (updates are idempotent).
        gone: list[str] = []
        retry: DeliveryError | None = None
        for ref, message in updates:
            if message is None:
                continue
            try:
                self.chat.update(ref=ref, message=message)
            except DeliveryError as exc:
                if exc.transient:
                    retry = retry or exc
                else:
                    gone.append(f"{ref.platform}:{ref.channel}:{ref.message_id}: {exc}")
        with self.database.transaction() as session:
            if gone:
                record_event(
                    session,
                    kind=EventKind.DELIVERY_FAILED,
                    at=self.clock.now(),
                    recommendation_id=item.recommendation_id,
                    kind_of_message=item.kind,
                    error="; ".join(gone),
                )
            if retry is None:
                self._mark_sent(session, item)
        if retry is not None:
            raise retry

    def _notice(self, item: OutboxItem) -> None:
        message = Message.model_validate(item.payload["message"])
        with self.database.transaction() as session:
            self._hold(session, item)
        if item.person_id:
            person = self.config.people_by_id.get(item.person_id)
            if person is None:
                raise DeliveryError(
                    f"{item.person_id} is not in the configuration", transient=False
                )
            ref = self.chat.send(person=person, message=message)
        else:
            ref = self.chat.post_to_channel(channel=item.payload["channel"], message=message)
        with self.database.transaction() as session:
            self._store_ref(session, item, ref, item.payload.get("purpose", "notice"))
            self._mark_sent(session, item)

    def _digest(self, item: OutboxItem) -> None:
        self.digests.send(item, hold=self._hold, mark_sent=self._mark_sent)

    def _store_ref(self, session: Session, item: OutboxItem, ref: MessageRef, purpose: str) -> None:
        session.execute(insert(ChatMessage.__table__), [self._ref_row(item, ref, purpose)])

    def _ref_row(self, item: OutboxItem, ref: MessageRef, purpose: str) -> dict[str, Any]:
        """A `chat_messages` row: where a message went, so it can be updated in place."""
        return {
            "recommendation_id": item.recommendation_id,
            "person_id": item.person_id,
            "purpose": purpose,
            "platform": ref.platform,
            "channel": ref.channel,
            "message_id": ref.message_id,
            "ref": ref.model_dump(),
            "created_at": self.clock.now(),
        }

    def _mark_sent(self, session: Session, item: OutboxItem, note: str | None = None) -> bool:
        marked = write_if_held(
            session, item=item, state=OutboxState.SENT, sent_at=self.clock.now(), last_error=note
        )
        if not marked:
            log.warning("outbox item %s was done after its claim ran out", item.id)
        return marked

    def _retry_or_fail(
        self, item: OutboxItem, exc: DeliveryError, *, unexpected: bool = False
    ) -> bool:
        return retry_or_fail(self, digests=self.digests, item=item, exc=exc, unexpected=unexpected)
