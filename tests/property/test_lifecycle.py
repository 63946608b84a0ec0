"""A recommendation's whole life as a Hypothesis state machine, on both databases.

Hypothesis draws sequences of what happens in a deployment: the planning system
ingests, revises, withdraws and repeats itself; the outbox worker delivers (sometimes
through a failing chat, sometimes after another worker claimed rows and stalled);
owners snooze, managers extend, people reassign, accept and override, click twice with
the same delivery id or race each other; the SLA sweep runs at arbitrary moments of a
clock that Hypothesis moves. After every step `World.check` holds the invariants: at
most one final decision, nothing decided or withdrawn nudged or escalated afterwards,
the audit trail replays to the row's owner, status and due time, and every outbox row
is sent at most once (each send belongs to one row). Real services, real databases; the
in-memory chat is the only fake."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from core.clock import AdjustableClock
from core.config import Config
from core.domain import Action, IngestStatus, Status
from storage.db import Database
from storage.models import Event, OutboxItem, Recommendation
from tests.property.world import SpyWorker, World
from tests.support.data import MONDAY_9, make_rec
from tests.support.pg import empty_database
from workflows.decisions.service import DecisionRequest, decide
from workflows.delivery.worker import _ClaimLost
from workflows.errors import RepeatedDelivery, WorkflowError
from workflows.intake.ingestion import ingest
from workflows.intake.outcomes import record_outcomes
from workflows.intake.validation import validate_batch
from workflows.ownership.routing import escalation_contacts
from workflows.sla import snooze as snoozing
from workflows.sla.extension import extend_sla
from workflows.sla.sweep import sweep

# Bounded for `make test`; SOPBOT_LIFECYCLE_EXAMPLES=500 searches longer. Every rule runs
# on both databases. SQLite searches widest; PostgreSQL (a step costs about twice as
# much there, every statement a round trip) runs a third as many examples for what only
# it has: row locks under racing clicks, stalled workers and the sweep, READ ONLY
# transactions. SOPBOT_LIFECYCLE_PG_EXAMPLES sets its count on its own.
_SQLITE_EXAMPLES = int(os.environ.get("SOPBOT_LIFECYCLE_EXAMPLES", "30"))
EXAMPLES = {
    "sqlite": _SQLITE_EXAMPLES,
    "postgresql": int(
        os.environ.get("SOPBOT_LIFECYCLE_PG_EXAMPLES", str(max(1, _SQLITE_EXAMPLES // 3)))
    ),
}
STEPS = 30
MAX_RECS = 4
PEOPLE = ("ana", "carl", "dora", "eve", "finn", "ben", "greta")
TYPES = ("stockout_risk", "supplier_delay", "expedite")
SITES = ("DC-NORTH", "DC-SOUTH", "PLANT-2")
# Below actionable (digest tier), direct, and at auto-accept for `expedite`.
CONFIDENCES = (0.3, 0.82, 0.98)
REASONS = (
    ("ALREADY_ACTIONED", None),
    ("COST_TRADEOFF", None),
    ("SUPPLIER_PATTERN", "they over-promise in Q4"),
)
FAILURES = st.sampled_from(["none", "none", "transient", "permanent"])
# Who acts, resolved against the recommendation at the time: mostly people who may.
WHO = st.one_of(
    st.sampled_from(["owner", "owner", "backup", "manager", "reviewer", "anyone"]),
    st.sampled_from(PEOPLE),
)
# Clock moves between sweeps: none, inside a lease, past a lease; hours, past SLAs, days.
SOON = (0, 60, 200, 1800)
LATER = (3600, 3 * 3600, 4 * 3600, 9 * 3600, 26 * 3600, 3 * 86400)


class Lifecycle(RuleBasedStateMachine):
    """One example: a fresh database, up to MAX_RECS recommendations, STEPS steps."""

    make_world: Callable[[], World]
    runs: dict[str, int]

    def __init__(self) -> None:
        super().__init__()
        self.world = self.make_world()
        self.payloads: list[dict[str, Any]] = []  # the last payload sent per recommendation
        self.ids: list[int] = []
        self.stalled: list[tuple[SpyWorker, list[OutboxItem]]] = []
        self.runs["examples"] += 1

    # --- helpers --------------------------------------------------------------------

    def _ingest(self, payload: dict[str, Any]) -> Any:
        items = validate_batch(config=self.world.config, raw_items=[payload])
        [result] = ingest(self.world.services, items=items)
        self.world.note_finals()
        return result

    def _rec(self, index: int) -> Recommendation:
        with self.world.database.read() as session:
            rec = session.get(Recommendation, self.ids[index % len(self.ids)])
            assert rec is not None
            session.expunge(rec)
            return rec

    def _counts(self) -> tuple[int, int]:
        with self.world.database.read() as session:
            return (
                session.scalar(select(func.count()).select_from(OutboxItem)) or 0,
                session.scalar(select(func.count()).select_from(Event)) or 0,
            )

    def _actor(self, index: int, who: str) -> str:
        rec = self._rec(index)
        if who == "owner":
            return rec.owner_id
        if who == "backup":
            return rec.backup_id or rec.owner_id
        if who == "manager":
            contacts = escalation_contacts(
                config=self.world.config, type_name=rec.type, owner_id=rec.owner_id
            )
            return contacts[0] if contacts else rec.owner_id
        if who == "reviewer":
            return self.world.config.override_reviewer or rec.owner_id
        return "eve" if who == "anyone" else who

    def _sweep(self) -> None:
        sweep(
            database=self.world.database,
            config=self.world.config,
            calendars=self.world.services.calendars,
            now=self.world.clock.now(),
        )

    def _decide(self, request: DecisionRequest) -> bool:
        """True when recorded; a refusal must be a WorkflowError a planner can read."""
        try:
            decide(self.world.services, request)
        except WorkflowError:
            return False
        finally:
            self.world.note_finals()
        return True

    def _request(
        self,
        index: int,
        actor: str,
        action: Action,
        reason: int,
        deliveries: tuple[str, ...] = (),
        to: str | None = None,
    ) -> DecisionRequest:
        code, note = REASONS[reason]
        if action == Action.OVERRIDE:
            return DecisionRequest(
                self.ids[index % len(self.ids)],
                actor,
                action,
                "slack",
                reason_code=code,
                note=note,
                value=100.0,
                deliveries=deliveries,
            )
        if action == Action.REASSIGN:
            return DecisionRequest(
                self.ids[index % len(self.ids)],
                actor,
                action,
                "slack",
                to=to,
                note="knows the site",
                deliveries=deliveries,
            )
        return DecisionRequest(
            self.ids[index % len(self.ids)], actor, action, "slack", deliveries=deliveries
        )

    # --- the planning system --------------------------------------------------------------

    @initialize(
        kinds=st.lists(
            st.tuples(st.sampled_from(TYPES), st.sampled_from(SITES), st.sampled_from(CONFIDENCES)),
            min_size=1,
            max_size=3,
        )
    )
    def start(self, kinds: list[tuple[str, str, float]]) -> None:
        """Every example starts with a few delivered recommendations, so its steps act on
        a live SLA instead of spending themselves on setting one up."""
        for type_, site, confidence in kinds:
            self.ingest(type_, site, confidence, withdrawn=False)
        self.world.worker.drain()

    @precondition(lambda self: len(self.ids) < MAX_RECS)
    @rule(
        type_=st.sampled_from(TYPES),
        site=st.sampled_from(SITES),
        confidence=st.sampled_from(CONFIDENCES),
        withdrawn=st.sampled_from([False, False, False, True]),
    )
    def ingest(self, type_: str, site: str, confidence: float, withdrawn: bool) -> None:
        payload = make_rec(
            external_id=f"ext-{uuid.uuid4().hex[:10]}",
            type=type_,
            site=site,
            confidence=confidence,
            withdrawn=withdrawn,
        )
        result = self._ingest(payload)
        assert result.status == IngestStatus.CREATED
        self.payloads.append(payload)
        self.ids.append(result.id)

    @precondition(lambda self: self.ids)
    @rule(
        index=st.integers(0, MAX_RECS - 1),
        what=st.sampled_from(["repeat", "revise", "revise", "withdraw"]),
        quantity=st.integers(1, 999),
        site=st.sampled_from(SITES),
    )
    def planning_system_sends_again(
        self, index: int, what: str, quantity: int, site: str | None = None
    ) -> None:
        """The same item again (nothing new is written), a newer revision (changes an
        open one only) or its withdrawal (withdraws an open one only)."""
        index %= len(self.ids)
        before, counts = self._rec(index), self._counts()
        payload = self.payloads[index]
        if what == "revise":
            payload = {
                **payload,
                "quantity": quantity,
                "site": site or payload["site"],
                "revision": payload.get("revision", 1) + 1,
            }  # a new site may re-route
        elif what == "withdraw":
            payload = {**payload, "withdrawn": True}
        result = self._ingest(payload)
        self.payloads[index] = payload
        is_open = before.status == Status.OPEN
        if what == "repeat":
            assert result.status == IngestStatus.DUPLICATE
            assert self._counts() == counts, "a repeated item wrote something"
        elif what == "revise":
            assert result.status == (IngestStatus.REVISED if is_open else IngestStatus.DUPLICATE)
        else:
            assert result.status == (IngestStatus.WITHDRAWN if is_open else IngestStatus.DUPLICATE)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, MAX_RECS - 1), correct=st.booleans())
    def outcome(self, index: int, correct: bool) -> None:
        payload = self.payloads[index % len(self.ids)]
        record_outcomes(
            self.world.services,
            raw_items=[
                {
                    "source": payload["source"],
                    "external_id": payload["external_id"],
                    "actual_value": 200.0,
                    "ai_correct": correct,
                }
            ],
        )

    # --- delivery and the clock -----------------------------------------------------------

    @rule(failure=FAILURES)
    def deliver(self, failure: str) -> None:
        """The worker runs; the chat may fail its first send (retried later, or for good:
        the recommendation goes to a fallback person)."""
        if failure != "none":
            self.world.chat.fail_next(1, transient=failure == "transient")
        self.world.worker.drain()
        self.world.chat.clear_failures()  # an unused one must not leak into a later step

    @rule(limit=st.integers(1, 4))
    def stall_a_worker(self, limit: int) -> None:
        """Another worker claims rows and stalls (a long GC pause, a lost network)."""
        worker = self.world.new_worker()
        self.stalled.append((worker, worker.claim(limit=limit)))

    @precondition(lambda self: self.stalled)
    @rule()
    def stalled_worker_resumes(self) -> None:
        """It carries on with what it claimed: whatever another worker re-claimed after the
        lease ran out must not be sent again."""
        worker, items = self.stalled.pop(0)
        for item in items:
            try:
                worker._deliver(item)
            except _ClaimLost:
                continue

    @precondition(lambda self: self.ids)
    @rule(
        seconds=st.sampled_from(LATER),
        index=st.integers(0, MAX_RECS - 1),
        who=WHO,
        action=st.sampled_from(list(Action)),
        to=st.sampled_from(PEOPLE),
    )
    def decided_while_a_nudge_waits(
        self, seconds: int, index: int, who: str, action: Action, to: str
    ) -> None:
        """The sweep queues reminders and escalations; before the worker sends them, a
        decision, a hand-over or a withdrawal lands. Then the worker runs."""
        self.sweep_later(seconds, deliver=False)
        if action == Action.REASSIGN:
            self.reassign(index, who, to)
        elif who == "anyone":
            self.planning_system_sends_again(index, "withdraw", 1)
        else:
            self.decide(index, who, action, 0)
        self.world.worker.drain()

    @rule(limit=st.integers(1, 4), past_lease=st.booleans())
    def worker_stalls_while_another_delivers(self, limit: int, past_lease: bool) -> None:
        """A worker claims rows and stalls; time passes (past its lease or not), the other
        worker delivers what is due, then the stalled one carries on: each row once."""
        self.stall_a_worker(limit)
        self.world.clock.advance(self.world.worker.lease * (1.2 if past_lease else 0.5))
        self.world.worker.drain()
        self.stalled_worker_resumes()

    @rule(seconds=st.sampled_from(SOON), deliver=st.booleans(), failure=FAILURES)
    def sweep_soon(self, seconds: int, deliver: bool, failure: str = "none") -> None:
        """Minutes pass (inside or just past a claim's lease); the sweep runs as of then,
        and perhaps the worker right after."""
        self.world.clock.advance(timedelta(seconds=seconds))
        self._sweep()
        if deliver:
            self.deliver(failure)

    @rule(seconds=st.sampled_from(LATER), deliver=st.booleans(), failure=FAILURES)
    def sweep_later(self, seconds: int, deliver: bool, failure: str = "none") -> None:
        """Hours or days pass: reminders, the due time, escalations, the next day."""
        self.sweep_soon(seconds, deliver, failure)

    # --- people ---------------------------------------------------------------------------

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, MAX_RECS - 1), who=WHO, choice=st.sampled_from(["1h", "4h", "nbd"]))
    def snooze(self, index: int, who: str, choice: str) -> None:
        with contextlib.suppress(WorkflowError):
            snoozing.snooze(
                self.world.services,
                recommendation_id=self._rec(index).id,
                actor_id=self._actor(index, who),
                choice=choice,
                channel="slack",
            )

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, MAX_RECS - 1), who=WHO, hours=st.integers(-2, 72))
    def extend(self, index: int, who: str, hours: int) -> None:
        rec = self._rec(index)
        with contextlib.suppress(WorkflowError):
            extend_sla(
                self.world.services,
                recommendation_id=rec.id,
                actor_id=self._actor(index, who),
                new_due=rec.due_at + timedelta(hours=hours),
                reason="supplier call on Thursday",
                channel="slack",
            )

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, MAX_RECS - 1), who=WHO, to=st.sampled_from(PEOPLE))
    def reassign(self, index: int, who: str, to: str) -> None:
        self._decide(self._request(index, self._actor(index, who), Action.REASSIGN, 0, to=to))

    @precondition(lambda self: self.ids)
    @rule(
        index=st.integers(0, MAX_RECS - 1),
        who=WHO,
        action=st.sampled_from([Action.ACCEPT, Action.OVERRIDE]),
        reason=st.integers(0, len(REASONS) - 1),
        how=st.sampled_from(["once", "twice", "race"]),
        to=st.sampled_from(PEOPLE),
        rivals=st.lists(
            st.tuples(WHO, st.sampled_from(list(Action)), st.sampled_from(PEOPLE)),
            min_size=1,
            max_size=2,
        ),
        with_sweep=st.booleans(),
    )
    def click(
        self,
        index: int,
        who: str,
        action: Action,
        reason: int,
        how: str,
        to: str,
        rivals: list[tuple[str, Action, str]],
        with_sweep: bool,
    ) -> None:
        """A decision: one click, the same click delivered twice, or racing others."""
        if how == "once":
            self.decide(index, who, action, reason)
        elif how == "twice":
            self.click_delivered_twice(index, who, action, to)
        else:
            self.concurrent_clicks(index, [(who, action, to), *rivals], with_sweep)

    def decide(self, index: int, who: str, action: Action, reason: int) -> None:
        before = self._rec(index)
        recorded = self._decide(self._request(index, self._actor(index, who), action, reason))
        if recorded:
            assert before.status == Status.OPEN or (
                before.status == Status.DECIDED and action == Action.OVERRIDE
            ), f"decided a {before.status} recommendation"

    def click_delivered_twice(self, index: int, who: str, action: Action, to: str) -> None:
        """Slack retries, a Teams activity sent twice: the same delivery id again."""
        request = self._request(
            index, self._actor(index, who), action, 1, deliveries=(uuid.uuid4().hex,), to=to
        )
        first = self._decide(request)
        before = self._counts()
        try:
            decide(self.world.services, request)
        except RepeatedDelivery:
            assert first, "a click refused first was called repeated"
        except WorkflowError:
            assert not first, "a handled click was answered as a new one"
        else:
            raise AssertionError("the same delivery was handled twice")
        if first:
            assert self._counts()[0] == before[0], "a repeat queued messages"

    def concurrent_clicks(
        self, index: int, clicks: list[tuple[str, Action, str]], with_sweep: bool
    ) -> None:
        """Deciders racing (and perhaps the sweep): at most one final decision wins."""
        requests = [
            self._request(index, self._actor(index, who), action, 0, to=to)
            for who, action, to in clicks
        ]
        barrier = threading.Barrier(len(requests) + with_sweep)
        won: list[Action] = []
        errors: list[BaseException] = []

        def click(request: DecisionRequest) -> None:
            barrier.wait(30)
            try:
                if self._decide(request):
                    won.append(request.action)
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        def sweeper() -> None:
            barrier.wait(30)
            try:
                self._sweep()
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=click, args=(r,)) for r in requests]
        threads += [threading.Thread(target=sweeper)] if with_sweep else []
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == [], errors
        assert sum(a != Action.REASSIGN for a in won) <= 1, f"several won: {won}"

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def holds(self) -> None:
        self.runs["steps"] += 1
        self.world.check()

    def teardown(self) -> None:
        """The worker finishes (World.settle checks what must then be true), and what
        the example reached is summed over the run: a state machine whose steps never
        decide or escalate would prove nothing."""
        self.world.settle()
        for name, count in self.world.coverage().items():
            self.runs[name] = self.runs.get(name, 0) + count


# --- one fresh database per example, both backends ---------------------------------------


@pytest.fixture
def fresh_worlds(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, config: Config
) -> Iterator[Callable[[], World]]:
    engines: list[Database] = []
    backend = request.param

    def make() -> World:
        clock = AdjustableClock(MONDAY_9, frozen=True)
        if backend == "postgresql":
            if not engines:
                engines.append(Database(request.getfixturevalue("pg_url")))
            empty_database(engines[0])
            return World(database=engines[0], config=config, clock=clock)
        for db in engines:
            db.dispose()
        engines.clear()
        path = tmp_path / f"{uuid.uuid4().hex}.db"
        shutil.copy(sqlite_template, path)
        engines.append(Database(f"sqlite:///{path}"))
        return World(database=engines[0], config=config, clock=clock)

    yield make
    for db in engines:
        db.dispose()


@pytest.mark.parametrize("fresh_worlds", ["sqlite", "postgresql"], indirect=True)
def test_a_recommendations_life_keeps_its_invariants(
    request: pytest.FixtureRequest,
    fresh_worlds: Callable[[], World],
    record_property: Callable[[str, object], None],
) -> None:
    examples = EXAMPLES[request.node.callspec.params["fresh_worlds"]]
    runs = {"examples": 0, "steps": 0}
    machine = type(
        "LifecycleRun", (Lifecycle,), {"make_world": staticmethod(fresh_worlds), "runs": runs}
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=False,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    for name, count in runs.items():
        record_property(f"lifecycle_{name}", count)
    print(f"lifecycle state machine: {runs}")
    assert runs["examples"] >= examples // 2 and runs["steps"] >= runs["examples"]
