"""`sopbot report overrides` in every format, and GET /api/v1/reports/overrides, over the
known history: the same numbers, and the small-sample sentence, everywhere."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from core.config import DEMO_CONFIG_PATH
from storage import migrate
from storage.db import Database
from tests.support.history import write_history

runner = CliRunner()
SMALL = "n too small (n=9)"  # 9 decided stockout-risk recommendations, minimum 10


def history_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    database = Database(url)
    migrate.upgrade(database)
    write_history(database)
    database.dispose()
    return {"SOPBOT_DATABASE_URL": url, "SOPBOT_CONFIG": str(DEMO_CONFIG_PATH)}


def report(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, ["report", "overrides", *args], env=history_env(tmp_path))
    assert result.exit_code == 0, result.output
    return result.output


def test_markdown_has_every_section_and_the_small_sample_rule(tmp_path: Path) -> None:
    text = report(tmp_path, "--type", "stockout_risk")
    assert text.startswith("# Override review: the beginning to now, type stockout_risk")
    for heading in (
        "**Volume**",
        "**Override rate by owner**",
        "**Overrides by reason**",
        "**Speed (business hours; SLA as first set, before any extension)**",
        "**Forecast value added (WAPE, n=7)**",
        "**Model calibration (how often the AI was right)**",
        "Threshold advice",
    ):
        assert heading in text, heading
    assert f"| 12 | 9 | 4 | 4 | 1 | 1 | 2 | 1 | {SMALL} |" in text
    assert "| naive | n too small (n=7) | - |" in text  # 7 rows, minimum 10
    assert "| final | n too small (n=7) | n too small (n=7) |" in text
    assert "Definitions" in text and "sum |actual|" in text


def test_csv_is_one_row_per_decision(tmp_path: Path) -> None:
    output = tmp_path / "review.csv"
    report(tmp_path, "--format", "csv", "--output", str(output))
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert [r["external_id"] for r in rows] == [f"h-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 12)]
    third = rows[2]
    assert (
        third["decision"],
        third["reason_code"],
        third["final_value"],
        third["actual_value"],
        third["override_right"],
        third["override_direction"],
        third["override_size"],
        third["business_hours_to_decide"],
    ) == ("override", "SUPPLIER_PATTERN", "150.0", "160.0", "yes", "down", "large", "3.0")
    # No baseline, and #5's actual was observed after #6 was made: no naive value.
    assert rows[5]["naive_value"] == ""


def test_json_rates_are_fractions_or_the_small_sample_sentence(tmp_path: Path) -> None:
    data = json.loads(report(tmp_path, "--format", "json"))
    scope = data["scopes"]["stockout_risk"]
    assert data["min_sample"] == 10 and set(data["scopes"]) >= {"all", "stockout_risk"}
    assert scope["volume"]["override_rate"] == SMALL and scope["volume"]["override_rate_n"] == 9
    assert data["scopes"]["all"]["volume"]["received"] == 12
    ai_step = scope["stairstep"]["steps"][1]
    assert ai_step["wape"] == "n too small (n=7)" and ai_step["wape_n"] == 7
    assert data["scopes"]["all"]["stairstep"] is None  # units differ between types


def test_html_is_one_file_with_embedded_charts(tmp_path: Path) -> None:
    text = report(tmp_path, "--format", "html", "--type", "stockout_risk")
    assert text.startswith("<!DOCTYPE html>") and SMALL in text
    # Calibration; no stairstep chart: its WAPE rests on 7 rows, below the minimum of 10.
    assert text.count('src="data:image/png;base64,') == 1
    assert "http://" not in text and "https://" not in text and "<script" not in text


def test_bad_filters_are_named(tmp_path: Path) -> None:
    env = history_env(tmp_path)
    bad_type = runner.invoke(app, ["report", "overrides", "--type", "nope"], env=env)
    assert bad_type.exit_code == 2 and "--type: unknown type 'nope'" in bad_type.output
    bad_date = runner.invoke(app, ["report", "overrides", "--since", "yesterday"], env=env)
    assert bad_date.exit_code == 2 and "--since: 'yesterday' is not a date" in bad_date.output
