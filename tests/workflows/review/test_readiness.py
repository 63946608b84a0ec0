"""The five go-live gates pass on evidence only: a complete deployment is READY; each
gate fails alone, naming what to do, when one piece of its evidence is taken away; and
junk (one row, "x", a self-approval, a review nobody read) never passes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import pytest

from core.clock import AdjustableClock
from core.config import Config
from storage import migrate
from storage.db import Database
from tests.support.data import MONDAY_9, make_rec
from tests.support.pg import pg_admin_url, scratch_database
from tests.workflows.review.readiness_world import (
    PER_DAY,
    demo_config,
    failing,
    feed,
    readiness,
    ready_world,
    sign_off,
)
from workflows.intake.validation import BatchRejected, validate_batch
from workflows.ownership.signoffs import Subject, criteria_hash, matrix_hash

SOFT = 5


@pytest.fixture
def complete() -> Config:
    return demo_config()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def ready_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """One complete deployment per database for the whole module, built once: the
    configuration-only breakers read it and sign only what their change made new."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('ready') / 'ready.db'}"
        else:
            url = stack.enter_context(scratch_database(pg_admin_url(), "sopbot_ready"))
        database = Database(url)
        migrate.upgrade(database)
        ready_world(database, demo_config(), AdjustableClock(MONDAY_9, frozen=True))
        yield database
        database.dispose()


def test_a_complete_deployment_is_ready_with_its_evidence(
    database: Database, complete: Config, clock: AdjustableClock
) -> None:
    ready_world(database, complete, clock)
    result = readiness(database, complete, clock.now())
    assert result.ready is True, failing(result)
    assert [(g.id, g.name, g.hard) for g in result.gates] == [
        (1, "ownership", True),
        (2, "data feed", True),
        (3, "override logging and review", True),
        (4, "success criteria", True),
        (5, "operational context", False),
    ]
    assert list(failing(result)) == [SOFT]  # no interview run, no rule: reported, not required
    evidence = {g.id: g.evidence for g in result.gates}
    short = matrix_hash(complete)[:8]
    assert (
        f"Ben Okafor signed off ownership matrix {short} on 2026-11-30 08:00 UTC in slack"
        in (evidence[1])
    )
    assert any(
        line.startswith("stockout_risk: 5 received since 2026-11-23; sources planner-ai 5")
        and "p95 recorded->received 4m" in line
        and "p95 event->recorded 1m (entry lag, reported)" in line
        for line in evidence[2]
    ), evidence[2]
    assert (
        "stockout_risk: Greta Lindqvist acknowledged the review of 2026-11-23 to 2026-11-29 "
        '(5 decisions) on 2026-11-30 08:00 UTC in slack: "read it"'
    ) in evidence[3]
    assert any(
        line.startswith("Greta Lindqvist agreed to success criteria") for line in evidence[4]
    )


def _drop(*path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


def _set(value: Any, *path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


T = "recommendation_types"
# One piece of configuration taken away -> the one gate that must fail, and what it says.
BROKEN_CONFIG = [
    (_drop(T, "capacity_warning", "backup"), 1, "capacity_warning: eve has no backup"),
    (_set("eve", T, "capacity_warning", "backup"), 1, "eve is their own backup"),
    (_drop(T, "expedite", "sla"), 1, "expedite: no SLA written (the 8h default"),
    (_set([], T, "expedite", "escalation"), 1, "expedite: no escalation path"),
    (_drop(T, "expedite", "function"), {1, 4}, "expedite: no owning function"),
    (_set(None, "people", 5, "slack"), 1, "goes to ana's manager, who is not reachable"),
    (_set(["ERP"], T, "stockout_risk", "data", "sources"), 2, "declared source ERP not seen"),
    (_set(["DC-NORTH", "DC-EAST"], T, "supplier_delay", "data", "sites"), 2, "site DC-EAST"),
    (_set(5, T, "expedite", "data", "production_volume"), 2, "below 80% of the declared"),
    (_drop(T, "expedite", "data"), 2, "expedite: no data declaration"),
    (_drop(T, "expedite", "data", "fields"), 2, "does not define quantity"),
    (_set(1, "readiness", "window_days"), None, None),  # a shorter window still holds
    (_set("x", T, "stockout_risk", "success", "metric"), 4, "'x' is not a metric"),
    (_set("x", T, "stockout_risk", "success", "baseline"), 4, "baseline 'x' is not a number"),
    (_drop(T, "stockout_risk", "success", "unit"), 4, "no unit for the baseline"),
    (_drop(T, "stockout_risk", "success", "baseline_period"), 4, "no baseline period"),
    (_set(11, T, "stockout_risk", "success", "target"), 4, "the target equals the baseline"),
    (_drop(T, "stockout_risk", "actionable_confidence"), 4, "no signal threshold set"),
    (_drop(T, "stockout_risk", "success"), 4, "stockout_risk: no success criteria"),
]


@pytest.mark.parametrize(("change", "gate", "says"), BROKEN_CONFIG)
def test_each_gate_fails_alone_without_one_piece_of_its_evidence(
    ready_db: Database,
    clock: AdjustableClock,
    change: Callable[[dict[str, Any]], None],
    gate: int | set[int] | None,
    says: str | None,
) -> None:
    config = demo_config(change)
    ready_world(ready_db, config, clock, fed=False, reviews=False)  # its own sign-offs
    found = failing(readiness(ready_db, config, clock.now()))
    gates = {gate} if isinstance(gate, int) else (gate or set())
    assert set(found) == gates | {SOFT}, found
    for failed in gates:
        assert any(says in line for line in found[failed]), found[failed]


@pytest.mark.parametrize(
    ("step", "gate", "says"),
    [
        ("signed", 1, "ben: has not signed off: the ownership matrix"),
        ("agreed", 4, "greta: has not signed off: the success criteria"),
        ("reviews", 3, "is not acknowledged: Greta Lindqvist reads it and types `reviewed"),
    ],
)
def test_each_gate_fails_alone_until_people_give_their_evidence(
    database: Database, complete: Config, clock: AdjustableClock, step: str, gate: int, says: str
) -> None:
    ready_world(database, complete, clock, **{step: False})
    found = failing(readiness(database, complete, clock.now()))
    assert set(found) == {gate, SOFT}
    assert any(says in line for line in found[gate]), found[gate]


def test_the_data_gate_wants_the_feed_fresh_long_enough_and_in_the_dictionarys_units(
    database: Database, complete: Config, clock: AdjustableClock
) -> None:
    feed(database, complete, clock, days=3)  # shorter than the 5 business days it reads
    ready_world(database, complete, clock, fed=False)
    found = failing(readiness(database, complete, clock.now()))
    assert found[2][0].startswith("the feed has run since 2026-11-25: the data gate reads")
    feed(database, complete, clock, days=6, lag=timedelta(minutes=50), decided=False)
    late = failing(readiness(database, complete, clock.now()))[2]
    assert any("p95 from recorded_time to receipt is 50m (limit 15m)" in m for m in late)


def test_a_unit_other_than_the_dictionarys_is_refused_at_ingestion(complete: Config) -> None:
    with pytest.raises(BatchRejected) as refused:
        validate_batch(config=complete, raw_items=[make_rec(type="capacity_warning", unit="h")])
    [error] = refused.value.errors
    assert error.field == "unit"
    assert "expects 'pcs'" in error.message and "capacity_warning" in error.message


def test_the_matrix_hash_covers_the_matrix_only(complete: Config) -> None:
    """An unrelated edit (a planner's e-mail, the digest cap) leaves the sign-off standing;
    any matrix edit (an SLA, a backup, a reason code) lapses it; criteria likewise."""
    email = demo_config(_set("ana.lopez@nordwind.example", "people", 0, "email"))
    cap = demo_config(_set({"daily_direct_cap": 3}, "digest"))
    assert matrix_hash(email) == matrix_hash(cap) == matrix_hash(complete)
    assert criteria_hash(email) == criteria_hash(complete)
    for edit in (
        _set("5h", T, "expedite", "sla"),
        _set("dora", T, "expedite", "backup"),
        _set("Known pattern", "reason_codes", 0, "label"),
    ):
        assert matrix_hash(demo_config(edit)) != matrix_hash(complete)
    assert criteria_hash(demo_config(_set(4, T, "expedite", "success", "target"))) != (
        criteria_hash(complete)
    )


def test_a_sign_off_lapses_with_a_matrix_edit_and_not_with_another(
    database: Database, complete: Config, clock: AdjustableClock
) -> None:
    ready_world(database, complete, clock)
    assert readiness(database, complete, clock.now()).ready
    email = demo_config(_set("ana.lopez@nordwind.example", "people", 0, "email"))
    assert readiness(database, email, clock.now()).ready
    changed = demo_config(_set("5h", T, "expedite", "sla"))
    found = failing(readiness(database, changed, clock.now()))
    assert set(found) == {1, SOFT}
    lapsed = (
        "ben: their sign-off of 2026-11-30 lapsed when the ownership matrix changed: the "
        f"ownership matrix {matrix_hash(changed)[:8]} needs their approval"
    )
    assert any(line.startswith(lapsed) for line in found[1]), found[1]
    sign_off(database, changed, clock, Subject.MATRIX)
    assert readiness(database, changed, clock.now()).ready
    assert readiness(database, complete, clock.now()).ready  # the earlier one stays approved


def test_a_review_below_the_minimum_sample_does_not_count(
    database: Database, clock: AdjustableClock
) -> None:
    config = demo_config(_set({"min_sample": PER_DAY * 10}, "review"))
    ready_world(database, config, clock)
    found = failing(readiness(database, config, clock.now()))
    assert set(found) == {3, SOFT}
    assert "covered 5 decisions, below the minimum sample of 10" in found[3][0]
