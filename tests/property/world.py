"""What the lifecycle state machine drives and reads back: the real services on one
database, the real outbox worker through a chat that remembers which outbox row each
send belonged to, and the invariant checks run after every step.

The chat spy is the only addition to the product path: it attributes every send to the
outbox row the worker was delivering, so "each row is sent at most once" and "each
message sent corresponds to one row" can be checked from the outside."""

from __future__ import annotations

import contextvars
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, raiseload

from core.chat import InMemoryChat, MessageRef, SendKey
from core.clock import AdjustableClock, as_utc
from core.config import Config, Person
from core.domain import EventKind, OutboxKind, OutboxState, Status
from core.messages import Message
from storage.db import Database
from storage.models import ChatMessage, Decision, Event, OutboxItem, Recommendation
from workflows.delivery.followups import Outgoing
from workflows.delivery.worker import REFRESHED_PURPOSES, OutboxWorker
from workflows.service import Services, build_services

NUDGE_PURPOSES = ("reminder", "escalation")
# Events that (re)state the routing: the owner and due time the matrix chose.
_ROUTING = (EventKind.RECEIVED, EventKind.ROUTED, EventKind.REVISED)
# The outbox row a worker is delivering in this thread (set around OutboxWorker._deliver
# and, on the batched path's send lanes, OutboxWorker.send_prepared).
_CURRENT_ROW: contextvars.ContextVar[int | None] = contextvars.ContextVar("row", default=None)


@dataclass(frozen=True)
class Send:
    """One new message the chat platform received (updates in place are not sends)."""

    outbox_id: int | None
    ref: MessageRef
    part: str | None  # a digest's "2/3"


class SpyChat(InMemoryChat):
    """The in-memory chat, recording for every send which outbox row caused it."""

    def __init__(self) -> None:
        super().__init__()
        self.sends: list[Send] = []

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def _remember(self, ref: MessageRef) -> MessageRef:
        self.sends.append(Send(_CURRENT_ROW.get(), ref, None))
        return ref

    def send(self, *, person: Person, message: Message, key: SendKey | None = None) -> MessageRef:
        return self._remember(super().send(person=person, message=message, key=key))

    def post_to_channel(self, *, channel: str, message: Message) -> MessageRef:
        return self._remember(super().post_to_channel(channel=channel, message=message))

    def reply(self, *, ref: MessageRef, message: Message, key: SendKey | None = None) -> MessageRef:
        return self._remember(super().reply(ref=ref, message=message, key=key))


class SpyWorker(OutboxWorker):
    """The real worker; only marks which row each send belongs to."""

    def _deliver(self, item: OutboxItem) -> None:
        token = _CURRENT_ROW.set(item.id)
        try:
            super()._deliver(item)
        finally:
            _CURRENT_ROW.reset(token)

    def send_prepared(self, item: OutboxItem, outgoing: Outgoing) -> MessageRef:
        """The batched path (workflows.delivery.batch) sends on its lane threads."""
        token = _CURRENT_ROW.set(item.id)
        try:
            ref = super().send_prepared(item, outgoing)
            if outgoing.update_only and ref.extra.get("updated"):
                # the channel's one entry per item, updated in place: this row's "send"
                self.chat.sends.append(Send(item.id, ref, None))
            return ref
        finally:
            _CURRENT_ROW.reset(token)


@dataclass
class Final:
    """The moment a recommendation stopped being open, as positions in the logs."""

    status: str
    outbox_id: int  # the highest outbox id when it was first seen final
    event_id: int
    sends: int  # len(chat.sends) then


def _rows(session: Session, model: type[Any], *order: Any) -> list[Any]:
    """Every row of `model`, its relationships not loaded: the checks read columns only,
    and they run after every step (eager loading was a third of their time)."""
    query = select(model).options(raiseload("*")).order_by(*(order or (model.id,)))
    return list(session.scalars(query))


@dataclass
class World:
    database: Database
    config: Config
    clock: AdjustableClock
    services: Services = field(init=False)
    chat: SpyChat = field(init=False)
    worker: SpyWorker = field(init=False)
    finals: dict[int, Final] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.services = build_services(database=self.database, config=self.config, clock=self.clock)
        self.chat = SpyChat()
        self.worker = self.new_worker()

    def new_worker(self) -> SpyWorker:
        return SpyWorker(
            database=self.database, config=self.config, chat=self.chat, clock=self.clock
        )

    # --- reading ----------------------------------------------------------------------

    def rows(self, model: type[Any], *order: Any) -> list[Any]:
        with self.database.read() as session:
            return _rows(session, model, *order)

    def coverage(self) -> Counter[str]:
        """How much of the life this example reached (reported, not asserted)."""
        found: Counter[str] = Counter()
        outbox = {o.id: o for o in self.rows(OutboxItem)}
        for send in self.chat.sends:
            row = outbox[send.outbox_id] if send.outbox_id else None
            purpose = row.payload.get("purpose", row.kind) if row else "?"
            found[f"sent_{purpose}"] += 1
        found["fallbacks"] = sum(1 for o in outbox.values() if ":fallback:" in o.dedupe_key)
        found["skipped"] = sum(
            1 for o in outbox.values() if o.last_error and o.last_error.startswith("skipped")
        )
        for event in self.rows(Event):
            if event.kind in (
                EventKind.ACCEPTED,
                EventKind.OVERRIDDEN,
                EventKind.REASSIGNED,
                EventKind.WITHDRAWN,
                EventKind.SNOOZED,
                EventKind.SLA_EXTENDED,
                EventKind.REVISED,
                EventKind.AUTO_ACCEPTED,
                EventKind.DECISION_REFUSED,
            ):
                found[str(event.kind)] += 1
        return found

    # --- invariants ---------------------------------------------------------------------

    def note_finals(self) -> None:
        """Remember where the logs stood when each recommendation stopped being open.
        Called right after every action that may close one (before the worker runs again
        in the same step), and before each check."""
        with self.database.read() as session:
            closed = session.execute(
                select(Recommendation.id, Recommendation.status).where(
                    Recommendation.status != Status.OPEN
                )
            ).all()
            fresh = [(i, status) for i, status in closed if i not in self.finals]
            if not fresh:
                return
            top_outbox = session.scalar(select(func.max(OutboxItem.id))) or 0
            top_event = session.scalar(select(func.max(Event.id))) or 0
        for rec_id, status in fresh:
            self.finals[rec_id] = Final(status, top_outbox, top_event, len(self.chat.sends))

    def settle(self) -> None:
        """Let the worker finish: past every lease and back-off, with a chat that works,
        until nothing is due. Then nothing asked for may still wait, and no message
        about a closed recommendation may still offer its buttons."""
        self.chat.clear_failures()
        for _ in range(3):
            self.clock.advance(timedelta(minutes=10))
            self.worker.drain(rounds=100)
        now = self.clock.now()
        waiting = [
            o.dedupe_key
            for o in self.rows(OutboxItem)
            if o.state == OutboxState.PENDING and o.next_attempt_at <= now
        ]
        assert waiting == [], f"left waiting after the worker finished: {waiting}"
        closed = {r.id: r.status for r in self.rows(Recommendation) if r.status != Status.OPEN}
        human = {d.recommendation_id for d in self.rows(Decision) if not d.automatic}
        with self.database.read() as session:
            refs = {
                m.message_id: (m.recommendation_id, m.purpose)
                for m in session.scalars(select(ChatMessage))
            }
        live = [
            (sent.to, refs[sent.ref.message_id], [b.action.value for b in sent.message.buttons])
            for sent in self.chat.sent
            if sent.ref.message_id in refs
            and refs[sent.ref.message_id][1] in REFRESHED_PURPOSES
            and (
                refs[sent.ref.message_id][0] in human
                or closed.get(refs[sent.ref.message_id][0]) == Status.WITHDRAWN
            )
            and sent.message.buttons
        ]
        assert live == [], f"closed recommendations still show buttons: {live}"
        self.check()

    def check(self) -> None:
        with self.database.read() as session:  # one snapshot of the four tables
            recs = {r.id: r for r in _rows(session, Recommendation)}
            events = _rows(session, Event)
            outbox = {o.id: o for o in _rows(session, OutboxItem)}
            decisions = _rows(session, Decision)
        self._at_most_one_decision(recs, decisions, events)
        self._replay(recs, events)
        self._sent_once(outbox)
        self._no_nudge_after_final(recs, events, outbox)

    def _at_most_one_decision(
        self, recs: dict[int, Recommendation], decisions: list[Decision], events: list[Event]
    ) -> None:
        human = Counter(d.recommendation_id for d in decisions if not d.automatic)
        auto = Counter(d.recommendation_id for d in decisions if d.automatic)
        assert max(human.values(), default=0) <= 1, f"two human decisions: {human}"
        assert max(auto.values(), default=0) <= 1, f"two automatic decisions: {auto}"
        final_events = Counter(
            e.recommendation_id
            for e in events
            if e.kind in (EventKind.ACCEPTED, EventKind.OVERRIDDEN)
        )
        assert final_events == human, "decision events and decision rows disagree"
        for rec_id in human | auto:
            assert recs[rec_id].status == Status.DECIDED, f"{rec_id} decided but not so"
        for rec in recs.values():
            if rec.status == Status.DECIDED:
                assert human[rec.id] + auto[rec.id] >= 1, f"{rec.id} decided by nobody"

    def _replay(self, recs: dict[int, Recommendation], events: list[Event]) -> None:
        """Owner, status and due time from the audit trail alone equal the row's."""
        state: dict[int, dict[str, Any]] = defaultdict(dict)
        for event in events:
            if event.recommendation_id is None:
                continue
            now = state[event.recommendation_id]
            data = event.data or {}
            if event.kind == EventKind.RECEIVED:
                now["status"] = Status.OPEN
            elif event.kind in (EventKind.ACCEPTED, EventKind.OVERRIDDEN, EventKind.AUTO_ACCEPTED):
                now["status"] = Status.DECIDED
            elif event.kind == EventKind.WITHDRAWN:
                now["status"] = Status.WITHDRAWN
            if event.kind == EventKind.REASSIGNED:  # by a person, or a revision's re-route
                now["owner"] = data["new_owner"]
            elif event.kind in _ROUTING and "owner" in data:
                now["owner"] = data["owner"]
            if event.kind in (*_ROUTING, EventKind.REASSIGNED, EventKind.SLA_EXTENDED) and (
                "due_at" in data
            ):
                now["due"] = as_utc(datetime.fromisoformat(data["due_at"]))
        for rec in recs.values():
            replayed = state.get(rec.id, {})
            actual = {"status": rec.status, "owner": rec.owner_id, "due": rec.due_at}
            assert replayed == actual, f"audit of {rec.id} replays to {replayed}, row {actual}"

    def _sent_once(self, outbox: dict[int, OutboxItem]) -> None:
        """Every send belongs to one outbox row; a row is one message (a digest one per
        part); a row marked sent (not skipped) was sent exactly once."""
        assert all(s.outbox_id is not None for s in self.chat.sends), (
            "a message was sent that no outbox row asked for"
        )
        per_row = Counter((s.outbox_id, s.ref.extra.get("digest_part")) for s in self.chat.sends)
        twice = {key: n for key, n in per_row.items() if n > 1}
        assert twice == {}, f"outbox rows sent more than once: {twice}"
        sent_rows = Counter(s.outbox_id for s in self.chat.sends)
        for row in outbox.values():
            if row.kind in (OutboxKind.DELIVER, OutboxKind.NOTICE) and (
                row.state == OutboxState.SENT and row.last_error is None
            ):
                assert sent_rows[row.id] == 1, f"{row.dedupe_key} marked sent, never sent"
        with self.database.read() as session:
            stored = list(session.scalars(select(ChatMessage)))
        refs = Counter(
            (m.platform, m.channel, m.message_id) for m in stored if m.purpose != "digest"
        )
        assert max(refs.values(), default=0) <= 1, "one chat message stored twice"
        sent = {(s.ref.platform, s.ref.channel, s.ref.message_id) for s in self.chat.sends}
        assert set(refs) <= sent, "a stored message reference no send produced"

    def _no_nudge_after_final(
        self,
        recs: dict[int, Recommendation],
        events: list[Event],
        outbox: dict[int, OutboxItem],
    ) -> None:
        self.note_finals()
        for rec_id, final in self.finals.items():
            assert recs[rec_id].status == final.status, (
                f"{rec_id} went from {final.status} to {recs[rec_id].status}"
            )
            late_rows = [
                o.dedupe_key
                for o in outbox.values()
                if o.id > final.outbox_id
                and o.recommendation_id == rec_id
                and o.kind == OutboxKind.DELIVER
                and o.payload.get("purpose") in NUDGE_PURPOSES
            ]
            assert late_rows == [], f"{rec_id} ({final.status}) nudged after: {late_rows}"
            late_events = [
                e.kind
                for e in events
                if e.id > final.event_id
                and e.recommendation_id == rec_id
                and (
                    e.kind in (EventKind.ESCALATED, EventKind.REMINDED)
                    or (
                        e.kind == EventKind.DELIVERED
                        and (e.data or {}).get("purpose") in NUDGE_PURPOSES
                    )
                )
            ]
            assert late_events == [], f"{rec_id} ({final.status}) escalated after: {late_events}"
            late_sends = [
                outbox[s.outbox_id].dedupe_key
                for s in self.chat.sends[final.sends :]
                if s.outbox_id is not None
                and outbox[s.outbox_id].recommendation_id == rec_id
                and outbox[s.outbox_id].payload.get("purpose") in NUDGE_PURPOSES
            ]
            assert late_sends == [], f"{rec_id} ({final.status}) got nudges sent: {late_sends}"
