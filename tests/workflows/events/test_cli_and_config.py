"""The command line of issue #28 on a real SQLite file, and the configuration refusing
an unknown event type or a plain-http URL at load, naming the entry."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.clock import SystemClock
from core.config import DEMO_CONFIG_PATH, ConfigError, load_config, parse_config
from core.domain import Action
from storage import migrate
from storage.db import Database
from tests.support.data import make_rec
from tests.workflows.events.helpers import ingest, override
from tests.workflows.events.receiver import receiving
from tests.workflows.events.test_webhooks import SECRET
from workflows.decisions.service import DecisionRequest, decide
from workflows.service import build_services

runner = CliRunner()
DEMO = DEMO_CONFIG_PATH.read_text(encoding="utf-8")


def with_hooks(block: str) -> str:
    return DEMO + "\nwebhooks:\n" + block


def test_unknown_type_or_plain_http_is_refused_naming_the_entry() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(
            with_hooks(
                "  - {name: ibp, url: 'https://ibp.example.com/h', secret_env: S_A,"
                " events: [decision.made]}\n"
                "  - {name: lake, url: 'http://lake.example.com/h', secret_env: S_B}\n"
            )
        )
    problems = "\n".join(caught.value.problems)
    assert "webhooks[0].events" in problems and "unknown event type 'decision.made'" in problems
    assert "webhooks[1]" in problems and "'lake'" in problems and "not https" in problems
    ok = parse_config(
        with_hooks(
            "  - {name: lake, url: 'http://127.0.0.1:9/h', secret_env: S_B,"
            " allow_insecure_http: true, retry_for: 2h}\n"
        )
    )
    assert ok.webhooks[0].retry_for.total_seconds() == 7200


def _setup(tmp_path: Path, url: str) -> tuple[dict[str, str], Database]:
    config = tmp_path / "sopbot.yml"
    config.write_text(
        with_hooks(
            f"  - {{name: ibp, url: '{url}', secret_env: SOPBOT_WEBHOOK_SECRET_IBP,"
            " allow_insecure_http: true}\n"
        ),
        encoding="utf-8",
    )
    env = {
        "SOPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "SOPBOT_CONFIG": str(config),
        "SOPBOT_WEBHOOK_SECRET_IBP": SECRET,
    }
    database = Database(env["SOPBOT_DATABASE_URL"])
    migrate.upgrade(database)
    return env, database


def test_export_decisions_csv_opens_one_row_per_decision(tmp_path: Path) -> None:
    env, database = _setup(tmp_path, "http://127.0.0.1:9/h")
    services = build_services(
        database=database, config=load_config(env["SOPBOT_CONFIG"]), clock=SystemClock()
    )
    a, b, _open = ingest(services, make_rec(sku="=1+1"), make_rec(), make_rec())
    override(services, a.id, note="=cmd()")
    decide(services, DecisionRequest(b.id, "ana", Action.ACCEPT, "api"))
    out = tmp_path / "decisions.csv"
    result = runner.invoke(
        app, ["export", "decisions", "--format", "csv", "--output", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    assert "2 decisions written" in result.output
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["external_id", "source", "type"] and len(rows) == 3
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert "'=cmd()" in rows[1] or "'=cmd()" in rows[2]
    jsonl = runner.invoke(app, ["export", "decisions", "--format", "jsonl"], env=env)
    assert [json.loads(line)["action"] for line in jsonl.stdout.splitlines()] == [
        "override",
        "accept",
    ]
    bad = runner.invoke(app, ["export", "decisions", "--since", "yesterday"], env=env)
    assert bad.exit_code == 2 and "--since" in bad.output
    rules = runner.invoke(app, ["rules", "export", "--format", "json"], env=env)
    assert rules.exit_code == 0 and json.loads(rules.stdout) == {"rules": []}
    database.dispose()


def test_webhooks_list_test_and_replay(tmp_path: Path) -> None:
    with receiving(SECRET) as receiver:
        env, database = _setup(tmp_path, receiver.url)
        tested = runner.invoke(app, ["webhooks", "test", "ibp"], env=env)
        assert tested.exit_code == 0, tested.output
        assert [e["type"] for e in receiver.received] == ["webhook.test"]
        replayed = runner.invoke(app, ["webhooks", "replay", "ibp", "--since", "1"], env=env)
        assert replayed.exit_code == 0 and "position 1" in replayed.output
        listed = runner.invoke(app, ["webhooks", "list"], env=env)
        assert listed.exit_code == 0 and "ibp" in listed.output
        unknown = runner.invoke(app, ["webhooks", "test", "nope"], env=env)
        assert unknown.exit_code == 2 and "no webhook named 'nope'" in unknown.output
        bad = runner.invoke(app, ["webhooks", "replay", "ibp", "--since", "later"], env=env)
        assert bad.exit_code == 2 and "--since" in bad.output
        missing = runner.invoke(
            app, ["webhooks", "test", "ibp"], env={**env, "SOPBOT_WEBHOOK_SECRET_IBP": ""}
        )
        assert missing.exit_code == 2 and "webhooks 'ibp'" in missing.output
    assert receiver.forged == 0
    database.dispose()
