"""Stamping positions: the one step that makes the feed's order the commit order.

Ids from a sequence are not commit-ordered on PostgreSQL: a transaction holding id 7
can commit after one holding id 8, and a reader that paged past 8 would never see 7.
So positions are not ids. One sequencer at a time (an advisory lock on PostgreSQL;
SQLite's single writer) takes the committed audit rows not yet stamped, in id order,
gives them the next positions and writes their public bodies (the data, and the feed
entry's JSON text as it leaves under the configured privacy mode: bodies.py), all in one
transaction.
A row that commits late is simply stamped by a later run, with a higher position; and
since a run commits before the next may start, positions become visible in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from core.config import Config
from storage.db import Database
from storage.models import Decision, Event, FeedEvent, Recommendation
from storage.models.feed import PUBLISHED_PREDICATE
from workflows.base import WorkflowContext
from workflows.events.bodies import refresh_for_a_while, render_entry
from workflows.events.catalogue import PUBLIC_TYPE, public_data
from workflows.events.privacy import EventPeople, event_people

# Any fixed 64-bit number, the same in every replica: pg_advisory_xact_lock's key.
SEQUENCER_LOCK = 0x50B_0E7E
BATCH = 2000


@dataclass(frozen=True)
class Stamped:
    count: int
    last_position: int


def lock_sequencer(session: Session, database: Database) -> None:
    """Held until the transaction ends: stamps of two replicas never interleave."""
    if database.is_postgres:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEQUENCER_LOCK})


def head_position(session: Session) -> int:
    return session.scalar(select(func.max(Event.feed_position))) or 0


def _unstamped(session: Session, limit: int) -> list[Any]:
    # Spelled like the partial index ix_events_unpublished so both databases use it.
    query = (
        select(Event.id, Event.recommendation_id, Event.kind, Event.actor_id, Event.at, Event.data)
        .where(text(PUBLISHED_PREDICATE))
        .order_by(Event.id)
        .limit(limit)
    )
    return list(session.execute(query))


def _decisions(session: Session, rec_ids: set[int]) -> dict[tuple[int, bool], Decision]:
    if not rec_ids:
        return {}
    rows = session.scalars(select(Decision).where(Decision.recommendation_id.in_(rec_ids)))
    return {(d.recommendation_id, d.automatic): d for d in rows}


def stamp_batch(
    session: Session, *, database: Database, config: Config, people: EventPeople, limit: int
) -> Stamped:
    """Stamp up to `limit` committed audit rows (the caller's transaction commits)."""
    lock_sequencer(session, database)
    rows = _unstamped(session, limit)
    position = head_position(session)
    if not rows:
        return Stamped(0, position)
    rec_ids = {row.recommendation_id for row in rows if row.recommendation_id is not None}
    recs = {
        rec.id: rec
        for rec in session.scalars(select(Recommendation).where(Recommendation.id.in_(rec_ids)))
    }
    decisions = _decisions(session, rec_ids)
    feed, stamps = [], []
    for row in rows:
        position += 1
        rec = recs.get(row.recommendation_id) if row.recommendation_id is not None else None
        decision = None
        if rec is not None:
            decision = decisions.get((rec.id, row.kind == "auto_accepted"))
        type_ = PUBLIC_TYPE[row.kind].value
        data = public_data(
            kind=row.kind,
            data=row.data or {},
            actor_id=row.actor_id,
            at=row.at,
            rec=rec,
            decision=decision,
            config=config,
        )
        feed.append(
            {
                "position": position,
                "audit_event_id": row.id,
                "type": type_,
                "recommendation_id": row.recommendation_id,
                "at": row.at,
                "data": data,
                "body": render_entry(position, type_, row.at, data, people),
                "body_key": people.key,
            }
        )
        stamps.append({"b_id": row.id, "b_position": position})
    session.execute(insert(FeedEvent.__table__), feed)
    stamp = (
        update(Event.__table__)
        .where(Event.__table__.c.id == bindparam("b_id"))
        .values(feed_position=bindparam("b_position"))
    )
    session.connection().execute(stamp, stamps)
    return Stamped(len(rows), position)


@dataclass(kw_only=True, eq=False)
class Sequencer(WorkflowContext):
    """Run by the `events` timer job of every replica; the lock makes them take turns.
    `people`: the privacy settings bodies are written for (resolved once when None)."""

    people: EventPeople | None = field(default=None)

    def event_people(self) -> EventPeople:
        if self.people is None:
            self.people = event_people(self.database, config=self.config, now=self.clock.now())
        return self.people

    def run_once(self, *, batch: int = BATCH) -> Stamped:
        people = self.event_people()
        total, last = 0, 0
        while True:
            with self.database.transaction() as session:
                done = stamp_batch(
                    session, database=self.database, config=self.config, people=people, limit=batch
                )
            total, last = total + done.count, done.last_position
            if done.count < batch:
                return Stamped(total, last)

    def refresh(self) -> int:
        """Rewrite stored bodies written under other privacy settings, or before bodies
        were stored (the migration's backfill), for a bounded time per call."""
        return refresh_for_a_while(self.database, people=self.event_people())

    def prune(self) -> int:
        """Drop feed events older than `event_feed.retention` (the audit rows stay)."""
        horizon = self.clock.now() - self.config.event_feed.retention
        with self.database.transaction() as session:
            return session.execute(delete(FeedEvent).where(FeedEvent.at < horizon)).rowcount
