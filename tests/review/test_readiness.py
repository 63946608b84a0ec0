"""The five go-live gates: all hard gates passing, each failing alone with the exact
thing to do, the sign-off lapsing when the configuration changes, the exit code."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from core.clock import AdjustableClock, SystemClock
from core.config import DEMO_CONFIG_PATH, Config
from storage import migrate
from storage.db import Database
from storage.models import OutboxItem
from tests.review.readiness_world import (
    demo_config,
    failing,
    feed,
    readiness,
    ready_world,
    sign_off,
)
from workflows.ownership.signoffs import config_hash

runner = CliRunner()
SOFT = 5


def test_all_hard_gates_pass_and_the_soft_one_says_what_is_missing(
    database: Database, config: Config, clock: AdjustableClock
) -> None:
    ready_world(database, config, clock)
    result = readiness(database, config, clock.now())
    assert result.ready is True
    assert [(g.id, g.name, g.hard) for g in result.gates] == [
        (1, "ownership", True),
        (2, "data feed", True),
        (3, "override logging", True),
        (4, "success criteria", True),
        (5, "operational context", False),
    ]
    assert list(failing(result)) == [SOFT]
    assert "stockout_risk: no context interview run" in failing(result)[SOFT][0]
    assert any(
        d.startswith("entry lag (recorded minus event time) p95 from planner-ai: ")
        for d in result.gates[1].details
    )


def test_ownership_fails_alone_without_a_backup(database: Database, clock: AdjustableClock) -> None:
    def no_backup(data: dict[str, Any]) -> None:
        del data["recommendation_types"]["capacity_warning"]["backup"]

    config = demo_config(no_backup)
    ready_world(database, config, clock)
    result = readiness(database, config, clock.now())
    assert result.ready is False
    assert failing(result) == {
        1: ["capacity_warning: no backup owner: set recommendation_types.capacity_warning.backup"],
        SOFT: failing(result)[SOFT],
    }


def test_ownership_fails_alone_until_every_lead_signs_off(
    database: Database, config: Config, clock: AdjustableClock
) -> None:
    ready_world(database, config, clock, signed=False)
    result = readiness(database, config, clock.now())
    short = config_hash(config)[:8]
    assert set(failing(result)) == {1, SOFT}
    assert failing(result)[1] == [
        f"ben: has not signed off: the ownership matrix {short} needs their approval (they "
        f"type `/sopbot matrix approve {short}` in chat)",
        f"greta: has not signed off: the ownership matrix {short} needs their approval (they "
        f"type `/sopbot matrix approve {short}` in chat)",
    ]


def test_the_sign_off_lapses_when_the_configuration_changes(
    database: Database, config: Config, clock: AdjustableClock
) -> None:
    ready_world(database, config, clock)
    assert readiness(database, config, clock.now()).ready

    def longer_sla(data: dict[str, Any]) -> None:
        data["recommendation_types"]["expedite"]["sla"] = "5h"

    changed = demo_config(longer_sla)
    assert config_hash(changed) != config_hash(config)
    result = readiness(database, changed, clock.now())
    assert result.ready is False and set(failing(result)) == {1, SOFT}
    assert failing(result)[1][0].startswith(
        "ben: their sign-off of 2026-11-30 lapsed when the configuration changed: the "
        f"ownership matrix {config_hash(changed)[:8]} needs their approval"
    )
    sign_off(database, changed, clock)
    assert readiness(database, changed, clock.now()).ready
    assert readiness(database, config, clock.now()).ready  # the earlier one stays approved


def test_data_feed_fails_alone_when_events_arrive_late(
    database: Database, config: Config, clock: AdjustableClock
) -> None:
    ready_world(database, config, clock)
    feed(database, config, clock, lag=timedelta(minutes=50))  # now 5 fresh, 5 late: p95 late
    result = readiness(database, config, clock.now())
    assert set(failing(result)) == {2, SOFT}
    [late] = failing(result)[2]
    assert late.startswith(
        "p95 of received minus event time over the last 7 days: 50m "
        "(limit 15m): send recommendations sooner"
    )


def test_data_feed_names_missing_fields_and_undocumented_meanings(
    database: Database, clock: AdjustableClock
) -> None:
    def undocumented(data: dict[str, Any]) -> None:
        del data["recommendation_types"]["expedite"]["field_meanings"]

    config = demo_config(undocumented)
    ready_world(database, config, clock)
    feed(database, config, clock, confidence=None)
    missing = failing(readiness(database, config, clock.now()))[2]
    assert (
        "supplier_delay: 1 of 2 recommendations in the last 7 days lack confidence: send "
        "confidence with every one" in missing
    )
    assert (
        "expedite: field meanings not documented: describe what each field means under "
        "recommendation_types.expedite.field_meanings"
    ) in missing
    clock.advance(timedelta(days=8))
    later = failing(readiness(database, config, clock.now()))[2]
    assert later[0].startswith("no recommendations received in the last 7 days: connect the feed")


def test_override_logging_fails_alone_until_the_review_is_posted(
    database: Database, config: Config, clock: AdjustableClock
) -> None:
    ready_world(database, config, clock, reviews=False)
    result = readiness(database, config, clock.now())
    assert set(failing(result)) == {3, SOFT}
    assert failing(result)[3][0] == (
        "stockout_risk: no weekly override review posted since 2026-11-23: run `sopbot serve` "
        "(it posts each period's review to greta) and make sure greta can be reached in chat"
    )


def test_success_criteria_fail_alone_without_a_baseline(
    database: Database, clock: AdjustableClock
) -> None:
    def no_baseline(data: dict[str, Any]) -> None:
        del data["recommendation_types"]["stockout_risk"]["success"]["baseline"]

    config = demo_config(no_baseline)
    ready_world(database, config, clock)
    result = readiness(database, config, clock.now())
    assert set(failing(result)) == {4, SOFT}
    assert failing(result)[4] == [
        "stockout_risk: no baseline captured before go-live: set "
        "recommendation_types.stockout_risk.success.baseline"
    ]


def test_cli_exit_code_json_and_signoffs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ready.db'}"
    env = {"SOPBOT_DATABASE_URL": url, "SOPBOT_CONFIG": str(DEMO_CONFIG_PATH)}
    fresh = runner.invoke(app, ["readiness"], env=env)
    assert fresh.exit_code == 1 and fresh.output.startswith("NOT READY to go live\n1. ownership")
    database = Database(url)
    migrate.upgrade(database)
    config = demo_config()
    ready_world(database, config, AdjustableClock(SystemClock().now(), frozen=True))
    ready = runner.invoke(app, ["readiness", "--format", "json"], env=env)
    assert ready.exit_code == 0, ready.output
    body = yaml.safe_load(ready.output)
    assert body["ready"] is True and [g["id"] for g in body["gates"]] == [1, 2, 3, 4, 5]
    assert set(body["gates"][0]) >= {"id", "name", "hard", "passed", "missing"}
    listed = runner.invoke(app, ["matrix", "signoffs"], env=env)
    assert listed.exit_code == 0 and "ben" in listed.output and "approved" in listed.output
    with database.transaction() as session:
        keys = session.scalars(
            select(OutboxItem.dedupe_key).where(OutboxItem.dedupe_key.like("review:%"))
        ).all()
    assert len(keys) == len(config.recommendation_types)
    database.dispose()
