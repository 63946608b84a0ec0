"""The sweep as `sopbot serve` and `sopbot sla sweep` run it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import SLA_JOB, build_runtime
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from storage.models import OutboxItem
from tests.support.data import MONDAY_9, make_rec
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch


def test_runtime_registers_the_sweep_and_advancing_the_clock_reminds(
    tmp_path: Path, config: Config
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'rt.db'}", scheduler=False, local_chat=True
    )
    runtime = build_runtime(settings, config=config, clock=AdjustableClock(MONDAY_9, frozen=True))
    try:
        assert SLA_JOB in [name for name, _seconds, _job in runtime.jobs]
        items = validate_batch(config=config, raw_items=[make_rec()])
        ingest(runtime.services, items=items)
        runtime.advance_clock(timedelta(hours=4))  # the demo's "advance the clock"
        with runtime.database.transaction() as session:
            keys = list(session.scalars(select(OutboxItem.dedupe_key)))
        assert any(key.startswith("sla:") and key.endswith(":r1") for key in keys)
    finally:
        runtime.stop()


def test_cli_sweep_dry_run_then_for_real(tmp_path: Path, config: Config, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SOPBOT_DATABASE_URL", url)
    monkeypatch.setenv("SOPBOT_CONFIG", "core/data/demo.yml")
    runtime = build_runtime(
        Settings(database_url=url, scheduler=False),
        config=config,
        clock=AdjustableClock(MONDAY_9, frozen=True),
    )
    ingest(runtime.services, items=validate_batch(config=config, raw_items=[make_rec()]))
    runtime.stop()
    runner = CliRunner()
    dry = runner.invoke(app, ["sla", "sweep", "--at", "2026-11-30T13:00", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 due: would send 1 reminder(s), 0 escalation(s), 0 digest(s)" in dry.output
    real = runner.invoke(app, ["sla", "sweep", "--at", "2026-11-30T13:00"])
    assert "1 due: queued 1 reminder(s)" in real.output
    again = runner.invoke(app, ["sla", "sweep", "--at", "2026-11-30T13:00"])
    assert "0 due: queued 0 reminder(s)" in again.output
    bad = runner.invoke(app, ["sla", "sweep", "--at", "tomorrow"])
    assert bad.exit_code == 2
