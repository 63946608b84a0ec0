"""The command line as an integrator uses it: real files, a real SQLite database."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from core.config import DEMO_CONFIG_PATH
from storage.db import Database
from workflows.views.queries import list_recommendations

runner = CliRunner()


def env_for(tmp_path: Path) -> dict[str, str]:
    return {
        "SOPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "SOPBOT_CONFIG": str(DEMO_CONFIG_PATH),
    }


def test_ingest_csv_keeps_good_rows_and_writes_rejects_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "recs.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["external_id", "source", "type", "title", "action", "site", "confidence", "drivers"]
        )
        writer.writerow(
            [
                "r1",
                "erp",
                "stockout_risk",
                "SKU-1 at DC-NORTH",
                "Move 10",
                "DC-NORTH",
                "0.8",
                "Open orders:0.5|Late PO:0.2",
            ]
        )
        writer.writerow(["r2", "erp", "weather", "SKU-2", "Move 20", "DC-NORTH", "0.8", ""])
        writer.writerow(
            ["r3", "erp", "stockout_risk", "SKU-3 at PLANT-2", "Move 30", "PLANT-2", "lots", ""]
        )
        writer.writerow(
            ["r4", "erp", "supplier_delay", "PO 4 late", "Expedite", "PLANT-2", "0.9", ""]
        )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, **env_for(tmp_path)},
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "4 rows: 2 created" in result.stdout and "2 rejected" in result.stdout
    assert "line 3: type: unknown type 'weather'" in result.stderr
    assert "line 4: confidence" in result.stderr
    rejects = list(csv.DictReader((tmp_path / "recs.csv.rejects.csv").open()))
    assert [(r["line"], r["field"]) for r in rejects] == [("3", "type"), ("4", "confidence")]
    database = Database(env_for(tmp_path)["SOPBOT_DATABASE_URL"])
    with database.transaction() as session:
        stored = list_recommendations(session)
        assert [(r.external_id, r.owner_id) for r in stored] == [("r1", "ana"), ("r4", "dora")]
        assert stored[0].drivers == [
            {"factor": "Open orders", "weight": 0.5, "detail": None},
            {"factor": "Late PO", "weight": 0.2, "detail": None},
        ]
    database.dispose()


def test_ingest_jsonl_reports_bad_json_lines_and_repeats_are_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "recs.jsonl"
    good = {"external_id": "j1", "type": "expedite", "title": "SKU-9", "action": "Air freight"}
    path.write_text(json.dumps(good) + "\n{broken\n" + json.dumps(good) + "\n")
    result = runner.invoke(app, ["ingest", str(path)], env=env_for(tmp_path))
    assert result.exit_code == 1
    assert "3 rows: 1 created" in result.stdout
    assert "line 2: (row): not valid JSON" in result.stderr or "line 2" in result.output
    again = runner.invoke(app, ["ingest", str(path)], env=env_for(tmp_path))
    assert "0 created, 1 duplicate" in again.stdout


def test_db_upgrade_and_matrix_check(tmp_path: Path) -> None:
    upgraded = runner.invoke(app, ["db", "upgrade"], env=env_for(tmp_path))
    assert upgraded.exit_code == 0 and "up to date" in upgraded.stdout
    ok = runner.invoke(app, ["matrix", "check"], env=env_for(tmp_path))
    assert ok.exit_code == 0 and "no gaps" in ok.stdout and "stockout_risk" in ok.stdout
    gappy = tmp_path / "gappy.yml"
    gappy.write_text(DEMO_CONFIG_PATH.read_text().replace("override_reviewer: greta\n", ""))
    gaps = runner.invoke(app, ["matrix", "check", "--config", str(gappy)], env=env_for(tmp_path))
    assert gaps.exit_code == 1 and "no override_reviewer" in gaps.stdout


def test_bad_config_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(DEMO_CONFIG_PATH.read_text().replace("sla: 8h", "sla: soon", 1))
    result = runner.invoke(app, ["matrix", "check", "--config", str(broken)])
    assert result.exit_code == 2
    assert "recommendation_types.stockout_risk.sla" in result.output
    assert "Traceback" not in result.output


def test_rows_the_store_refuses_and_superseded_lines_become_rejects(tmp_path: Path) -> None:
    config = tmp_path / "no-owner.yml"
    config.write_text(
        DEMO_CONFIG_PATH.read_text()
        .replace(
            "  capacity_warning:\n    label: Capacity warning\n    owner: eve\n",
            "  capacity_warning:\n    label: Capacity warning\n",
            1,
        )
        .replace("override_reviewer: greta\n", "")
    )
    path = tmp_path / "recs.jsonl"
    rows = [
        {"external_id": "a", "type": "supplier_delay", "title": "PO 1", "action": "Expedite"},
        {"external_id": "b", "type": "capacity_warning", "title": "Line 4", "action": "Add shift"},
        {"external_id": "c", "type": "expedite", "title": "SKU-1", "action": "Air", "quantity": 1},
        {"external_id": "c", "type": "expedite", "title": "SKU-1", "action": "Air", "quantity": 2},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    env = {**env_for(tmp_path), "SOPBOT_CONFIG": str(config)}
    result = runner.invoke(app, ["ingest", str(path)], env=env)
    assert result.exit_code == 1, result.output
    assert "4 rows: 2 created" in result.stdout and "2 rejected" in result.stdout
    rejects = list(csv.DictReader((tmp_path / "recs.jsonl.rejects.csv").open()))
    assert [(r["line"], r["field"]) for r in rejects] == [("2", "type"), ("3", "external_id")]
    assert "no owner" in rejects[0]["reason"] and "superseded by line 4" in rejects[1]["reason"]
    database = Database(env["SOPBOT_DATABASE_URL"])
    with database.transaction() as session:
        stored = {r.external_id: r.quantity for r in list_recommendations(session)}
    database.dispose()
    assert stored == {"a": None, "c": 2}
