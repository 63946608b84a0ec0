"""The sweep reads a range of the SLA clocks' key (next-action time first) and each due
recommendation by its key, never a scan of all open recommendations; and who an
escalation step reaches."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from bench.sla import load as load_open_recommendations
from core.config import Config
from storage.db import Database
from storage.driver_writes import sqlite_time
from tests.support.data import MONDAY_9, berlin
from workflows.ownership.absences import Away
from workflows.service import Services
from workflows.sla.schedule import SlaSchedule, SlaState
from workflows.sla.sweep import due_query


def test_the_due_query_uses_the_clock_index_and_primary_keys(database: Database) -> None:
    if database.is_postgres:
        # Real statistics (20,000 open rows, 1% due, analysed): on an empty table the
        # planner may pick any index that mentions `status`, which proves nothing.
        load_open_recommendations(database, 20_000)
    query = due_query(MONDAY_9, limit=1000, lock=database.is_postgres)
    with database.engine.begin() as connection:
        if database.is_postgres:
            sql = str(query.compile(database.engine, compile_kwargs={"literal_binds": True}))
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
        else:
            # As executed: time and limit bound.
            sql = str(query.compile(database.engine))
            rows = connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {sql}", (sqlite_time(MONDAY_9), 1000, 0)
            )
            plan = "\n".join(str(row[-1]) for row in rows)
    # The clock table's own key (next_action_at first): a range, not an extra index.
    clock_key = "pk_sla_clocks" if database.is_postgres else "sla_clocks USING PRIMARY KEY"
    assert clock_key in plan, plan
    key = "pk_recommendations" if database.is_postgres else "INTEGER PRIMARY KEY"
    assert key in plan and "SCAN" not in plan and "Seq Scan" not in plan, plan


def state(owner: str, **changes: object) -> SlaState:
    base = {
        "id": 1,
        "type": "stockout_risk",
        "tier": "direct",
        "owner_id": owner,
        "received_at": berlin(2026, 11, 30, 9),
        "due_at": berlin(2026, 11, 30, 17),
        "reminders_sent": 0,
        "escalation_level": 0,
        "snoozed_until": None,
    }
    return SlaState(**{**base, **changes})


def test_escalation_targets(services: Services, config: Config) -> None:
    schedule = SlaSchedule(config=config, calendars=services.calendars)
    assert schedule.escalation_target(state("ana"), 1) == "ben"  # her manager
    assert schedule.escalation_target(state("ana"), 2) == "greta"  # a named person
    assert schedule.escalation_target(state("finn"), 1) == "greta"  # Finn's manager
    # Greta has no manager and is the override reviewer herself: nobody to tell.
    assert schedule.escalation_target(state("greta"), 1) is None
    assert schedule.escalation_target(state("ben"), 1) == "greta"  # Ben's manager
    assert schedule.escalation_target(state("ben"), 3) is None  # no such step


def test_rows_with_one_clock_share_a_plan_but_keep_their_own_ids_and_keys(
    services: Services, config: Config
) -> None:
    """The schedule works a clock out once per sweep and applies it per row: each step
    still names its own recommendation, and who is away changes the plan."""
    schedule = SlaSchedule(config=config, calendars=services.calendars)
    after_due = berlin(2026, 11, 30, 17, 30)  # due 17:00: level 1 goes to Ben
    first, second = (schedule.advance(state("ana", id=i), after_due) for i in (7, 8))
    due_stamp = int(berlin(2026, 11, 30, 17).timestamp())
    assert [(s.recommendation_id, s.key, s.person_id) for s in first.steps] == [
        (7, f"sla:7:{due_stamp}:e1", "ben")
    ]
    assert [(s.recommendation_id, s.key) for s in second.steps] == [(8, f"sla:8:{due_stamp}:e1")]
    assert (first.state.id, second.state.id) == (7, 8)
    assert first.next_action_at == second.next_action_at
    assert first.state.escalation_level == second.state.escalation_level == 1

    schedule.away = {"ben": Away("ben", date(2026, 12, 18), berlin(2026, 12, 18, 0), None, "ben")}
    [skipped] = schedule.advance(state("ana", id=9), after_due).steps
    assert (skipped.recommendation_id, skipped.person_id, skipped.instead_of) == (9, "greta", "ben")
