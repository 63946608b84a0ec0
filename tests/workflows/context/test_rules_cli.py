"""`sopbot rules ...` and `sopbot interview ...` on a real SQLite file: a bad rules file
names key and line and imports nothing; export and import round-trip; review by CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from core.config import DEMO_CONFIG_PATH

runner = CliRunner()
DEMO_RULES = DEMO_CONFIG_PATH.parent / "demo_rules.yml"

BAD = """\
rules:
  - id: acme-q4
    entity: {supplier: ACME}
    condition: {months: [oct, novembr]}
    effect: "Confirms late every Q4"
    confidence: high
  - id: ok-rule
    entity: {warehouse: DC-NORTH}
    effect: "fine"
    magnitude: {likely: lots, unit: days}
    owner: bob
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOPBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SOPBOT_CONFIG", str(DEMO_CONFIG_PATH))
    return tmp_path


def test_bad_rules_file_names_key_and_line_and_imports_nothing(env: Path) -> None:
    bad = env / "rules.yml"
    bad.write_text(BAD)
    result = runner.invoke(app, ["rules", "import", str(bad)])
    assert result.exit_code == 1
    out = result.output
    assert "rules[0].condition.months (line 4): I don't know the month 'novembr'" in out
    assert "rules[1].entity (line 8): unknown entity kind 'warehouse'" in out
    assert "rules[1].magnitude.likely (line 10)" in out
    listed = runner.invoke(app, ["rules", "list"])
    assert "No context rules yet" in listed.output  # nothing imported

    references = env / "refs.yml"
    references.write_text(
        BAD.split("  - id: ok-rule")[0].replace("novembr", "nov")
        + "    owner: bob\n    types: [weather]\n"
    )
    result = runner.invoke(app, ["rules", "import", str(references)])
    assert result.exit_code == 1
    assert "rules[0].owner (line 7): unknown person 'bob'" in result.output
    assert "rules[0].types[0] (line 8): unknown recommendation type 'weather'" in result.output


def test_import_export_round_trip_and_review(env: Path) -> None:
    imported = runner.invoke(app, ["rules", "import", str(DEMO_RULES)])
    assert imported.exit_code == 0, imported.output
    assert "3 rules imported: 3 new, 0 updated" in imported.output
    again = runner.invoke(app, ["rules", "import", str(DEMO_RULES)])
    assert "0 new, 3 updated" in again.output
    out = env / "export.yml"
    assert runner.invoke(app, ["rules", "export", str(out)]).exit_code == 0
    exported = {r["id"]: r for r in yaml.safe_load(out.read_text())["rules"]}
    original = {r["id"]: r for r in yaml.safe_load(DEMO_RULES.read_text())["rules"]}
    assert exported.keys() == original.keys()
    for key, rule in original.items():
        for field, value in rule.items():
            if field == "magnitude":
                value = {k: float(v) if k != "unit" else v for k, v in value.items()}
            assert exported[key][field] == (str(value) if field == "review_by" else value), field

    shown = runner.invoke(app, ["rules", "show", "hydraflex-it-q4"])
    assert "Status: draft" in shown.output and "rules approve hydraflex-it-q4" in shown.output
    refused = runner.invoke(app, ["rules", "approve", "hydraflex-it-q4", "--as", "ana"])
    assert refused.exit_code == 1 and "Only a facilitator" in refused.output
    edited = runner.invoke(app, ["rules", "edit", "hydraflex-it-q4", "magnitude", "two weeks"])
    assert edited.exit_code == 1 and "has no number in it" in edited.output
    edited = runner.invoke(app, ["rules", "edit", "hydraflex-it-q4", "magnitude", "10 days (7-14)"])
    assert "likely 10 days (7-14)" in edited.output
    approved = runner.invoke(
        app, ["rules", "approve", "hydraflex-it-q4", "--review-by", "2030-01-31"]
    )
    assert approved.exit_code == 0 and "Review by: 2030-01-31" in approved.output
    rejected = runner.invoke(app, ["rules", "reject", "retailer-y-first-orders"])
    assert "Status: rejected" in rejected.output
    listed = runner.invoke(app, ["rules", "list"]).output
    assert "Approved (2)" in listed and "Rejected (1)" in listed


def test_interview_templates_and_start_from_the_cli(env: Path) -> None:
    templates = runner.invoke(app, ["interview", "templates"]).output
    for name in ("suppliers", "customers", "equipment", "data_quirks", "decision_forums"):
        assert f"{name}: " in templates
    started = runner.invoke(
        app, ["interview", "start", "--person", "ana", "--template", "suppliers"]
    )
    assert started.exit_code == 0 and "Started the Suppliers interview with Ana Lopez" in (
        started.output
    )
    twice = runner.invoke(app, ["interview", "start", "--person", "ana", "--template", "customers"])
    assert twice.exit_code == 1 and "already has the suppliers interview open" in twice.output
    unknown = runner.invoke(app, ["interview", "start", "--person", "ana", "--template", "x"])
    assert unknown.exit_code == 1 and "Unknown template 'x'" in unknown.output
