"""Issue 24: a Teams card click answered and never worked (the process died between
its answer and its turn) is done by the next process, once. The click is journaled
between the answer and the turn (adapters.teams.durable); here the crash is the turn
never started (the process's after-answer executor dropped), and the next process is a
second runtime on the same database, which replays the activity in a proactive turn
against the same Bot Connector. Action.Submit and Action.Execute; SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from adapters.teams.app import TeamsAdapter
from bot.runtime import Runtime
from core.clock import AdjustableClock
from core.config import Config
from storage.models import PendingAction
from tests.adapters.teams.test_execute import execute_activity
from tests.support.cards import find_submit, texts
from tests.support.live import LOOPBACK_TLS
from tests.support.teams import USERS, TeamsWorld, teams_runtime
from workflows.decisions import wall_now
from workflows.decisions.journal import LEASE, unfinished


@pytest.fixture
def delivered(world: TeamsWorld) -> tuple[int, str]:
    world.install("ana")
    rec_id = world.ingest()
    world.deliver()
    [call] = world.cards_to("ana")
    assert call.response_id
    return rec_id, call.response_id


def crashed_before_its_turn(world: TeamsWorld, activity: dict[str, Any]) -> None:
    """Post `activity` to a process whose turns never run once answered (its executor
    is gone), and wait until the click is in the journal."""
    teams = world.teams
    dropped: list[str] = []
    start = teams.turns.start

    async def nothing() -> None:
        return None

    def never(turn: Any, *, expected: bool = False, **_: Any) -> None:
        turn.close()  # the turn never runs, its journal row is never cleared
        dropped.append("turn")
        start(nothing(), expected=expected)

    teams.turns.start = never  # type: ignore[method-assign]
    response = httpx.post(
        f"{world.url}/api/messages", json=activity, timeout=30, verify=LOOPBACK_TLS
    )
    assert response.status_code in (200, 202)
    teams.durable.journal.stop()  # the writer has written what was answered
    assert dropped == ["turn"]
    assert len(unfinished(database=world.runtime.database, platform="teams")) == 1


@pytest.fixture
def next_process(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Runtime]:
    runtime = teams_runtime(db_url, config, clock)
    yield runtime
    runtime.stop()


def take_over(world: TeamsWorld, runtime: Runtime) -> int:
    """The lease of the dead process runs out; the next process takes its clicks over."""
    with world.runtime.database.transaction() as session:
        session.execute(update(PendingAction).values(claimed_at=wall_now() - LEASE * 2))
    teams = next(a for a in runtime.adapters if isinstance(a, TeamsAdapter))
    taken = teams.durable.journal.take_over(teams.durable.redo)
    assert teams.turns.wait_idle()
    return taken


@pytest.mark.parametrize("how", ["submit", "execute"])
def test_an_answered_click_whose_turn_never_ran_is_recorded_once_by_the_next_process(
    world: TeamsWorld, delivered: tuple[int, str], next_process: Runtime, how: str
) -> None:
    rec_id, card_id = delivered
    if how == "submit":
        value = find_submit(world.connector.card_of(card_id), "accept")
        activity = world.activity(USERS["ana"], "message", value=value, replyToId=card_id)
    else:
        activity = execute_activity(world, "ana", card_id, "accept")
    world.connector.clear()
    crashed_before_its_turn(world, activity)
    assert world.decision_kinds(rec_id) == []

    assert take_over(world, next_process) == 1
    assert world.decision_kinds(rec_id) == ["accepted"]
    [put] = world.updates_of(card_id)  # the card is updated as the first process would have
    assert "Accepted by Ana Lopez" in texts(put.card)
    assert unfinished(database=world.runtime.database, platform="teams") == []
    assert take_over(world, next_process) == 0


def test_a_click_recorded_before_the_crash_is_not_recorded_again(
    world: TeamsWorld, delivered: tuple[int, str], next_process: Runtime
) -> None:
    """The turn ran and recorded the decision, and the process died before clearing the
    journal row: the replay finds the delivery handled and does nothing."""
    rec_id, card_id = delivered
    value = find_submit(world.connector.card_of(card_id), "accept")
    activity = world.activity(USERS["ana"], "message", value=value, replyToId=card_id)
    teams = world.teams
    teams.durable.journal.done = lambda key: None  # type: ignore[method-assign]
    assert world.post(activity).status_code in (200, 202)
    assert world.decision_kinds(rec_id) == ["accepted"]
    assert len(unfinished(database=world.runtime.database, platform="teams")) == 1
    world.connector.clear()
    assert take_over(world, next_process) == 1
    assert world.decision_kinds(rec_id) == ["accepted"]
    assert world.connector.of_kind("update", "send", "reply") == []  # nobody is told twice
