"""Import files as Excel and ERP exports write them: UTF-8 with or without a BOM,
UTF-16 with a BOM, Windows-1252. Detected (or given with --encoding); a file that stops
decoding half-way keeps what came before, and always prints the summary and writes the
rejects file, never a traceback."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from storage.db import Database
from tests.core.test_cli import env_for
from workflows.views.queries import list_recommendations

runner = CliRunner()
HEADER = ["external_id", "source", "type", "title", "action", "site"]
TITLE = "Müller Kühlschrank 5°C – DC-NORTH"  # ü, °, – (an en dash: 0x96 in cp1252)


def write_csv(path: Path, encoding: str, rows: int = 3) -> None:
    lines = [",".join(HEADER)] + [
        f"e{n},erp,stockout_risk,{TITLE} {n},Move {n},DC-NORTH" for n in range(rows)
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def stored_titles(tmp_path: Path) -> list[str]:
    database = Database(env_for(tmp_path)["SOPBOT_DATABASE_URL"])
    try:
        with database.transaction() as session:
            return [r.title for r in list_recommendations(session, limit=5000)]
    finally:
        database.dispose()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_common_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "recs.csv"
    write_csv(path, encoding)
    result = runner.invoke(app, ["ingest", str(path)], env=env_for(tmp_path))
    assert result.exit_code == 0, result.output
    assert "3 rows: 3 created" in result.stdout
    assert stored_titles(tmp_path) == [f"{TITLE} {n}" for n in range(3)]


def test_encoding_can_be_given(tmp_path: Path) -> None:
    path = tmp_path / "recs.csv"
    path.write_bytes(
        ("\n".join([",".join(HEADER), "e1,erp,stockout_risk,Ïñ,Move,DC-NORTH"]) + "\n").encode(
            "latin-1"
        )
    )
    result = runner.invoke(
        app, ["ingest", str(path), "--encoding", "latin-1"], env=env_for(tmp_path)
    )
    assert result.exit_code == 0, result.output
    assert stored_titles(tmp_path) == ["Ïñ"]
    unknown = runner.invoke(
        app, ["ingest", str(path), "--encoding", "klingon"], env=env_for(tmp_path)
    )
    assert unknown.exit_code == 2 and "unknown encoding 'klingon'" in unknown.output
    assert "Traceback" not in unknown.output


def test_a_decode_error_half_way_keeps_the_rows_before_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "recs.csv"
    write_csv(path, "utf-8", rows=1200)  # more than one chunk of 500 before the bad bytes
    path.write_bytes(path.read_bytes() + b"late,erp,stockout_risk,Bad \xff byte,Move,DC-NORTH\r\n")
    result = runner.invoke(app, ["ingest", str(path), "--encoding", "utf-8"], env=env_for(tmp_path))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "1200 rows: 1200 created" in result.stdout and "1 rejected" in result.stdout
    rejects = list(csv.DictReader((tmp_path / "recs.csv.rejects.csv").open(encoding="utf-8")))
    assert [r["field"] for r in rejects] == ["(file)"]
    assert "cannot read the file as utf-8-sig after line 1201" in rejects[0]["reason"]
    assert len(stored_titles(tmp_path)) == 1200


def test_outcomes_in_utf16_and_a_bad_row_print_a_summary_and_rejects(tmp_path: Path) -> None:
    recs = tmp_path / "recs.csv"
    write_csv(recs, "utf-8", rows=2)
    assert runner.invoke(app, ["ingest", str(recs)], env=env_for(tmp_path)).exit_code == 0
    path = tmp_path / "outcomes.jsonl"
    rows = [
        {"external_id": "e0", "source": "erp", "actual_value": 250, "note": "Kühl – ok"},
        {"external_id": "nope", "source": "erp", "actual_value": 1},
        {"external_id": "e1", "source": "erp", "note": "nul\u0000"},
    ]
    path.write_bytes("".join(json.dumps(r) + "\n" for r in rows).encode("utf-16"))
    result = runner.invoke(app, ["outcomes", str(path)], env=env_for(tmp_path))
    assert result.exit_code == 1, result.output
    assert "3 rows: 1 outcomes recorded, 2 rejected (utf-16)" in result.stdout
    rejects = list(csv.DictReader((tmp_path / "outcomes.jsonl.rejects.csv").open()))
    assert [(r["line"], r["field"]) for r in rejects] == [("2", "external_id"), ("3", "note")]
