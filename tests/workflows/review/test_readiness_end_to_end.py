"""`sopbot readiness` as an auditor and as a pilot team meet it: the auditor's junk
deployment (one row from a spreadsheet, criteria "x", a review nobody read, a rule its
author approved) is NOT READY with every hard gate naming what it lacks; a deployment
built through the HTTP API, the web chat and the CLI is READY, and the dossier says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from adapters.local import LocalAdapter
from bot.cli import app
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock, Calendars
from core.config import Config
from storage import migrate
from storage.db import Database
from tests.support.data import MONDAY_9, make_rec
from tests.support.live import LOOPBACK_TLS, serving
from tests.workflows.review.readiness_world import SITE, SOURCE, UNIT, demo_config, demo_config_text
from workflows.ownership.signoffs import criteria_hash, matrix_hash

runner = CliRunner()
START = MONDAY_9.isoformat()

JUNK = """
timezone: Europe/Berlin
people:
  - {id: ana, name: Ana, slack: U0ANA, manager: ben, roles: [planner, facilitator]}
  - {id: ben, name: Ben, slack: U0BEN, roles: [manager]}
reason_codes:
  - {code: OTHER, label: Other}
recommendation_types:
  stockout_risk:
    label: Stockout risk
    owner: ana
    backup: ben
    escalation: [{after: 0h, notify: manager}]
    success: {metric: x, baseline: x, target: x}
override_reviewer: ana
readiness: {matrix_signoff_leads: [ana]}
"""


def cli(*args: str, env: dict[str, str]) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_the_auditors_junk_deployment_is_not_ready(tmp_path: Path) -> None:
    (tmp_path / "sopbot.yml").write_text(JUNK, encoding="utf-8")
    env = {
        "SOPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'junk.db'}",
        "SOPBOT_CONFIG": str(tmp_path / "sopbot.yml"),
        "SOPBOT_CLOCK_START": START,
    }
    rec = tmp_path / "one.json"
    rec.write_text(json.dumps([make_rec(source="spreadsheet")]), encoding="utf-8")
    assert cli("ingest", str(rec), env=env)[0] == 0
    code, out = cli("readiness", "--format", "json", env=env)
    assert code == 1
    gates = {g["id"]: g for g in json.loads(out)["gates"]}
    assert json.loads(out)["ready"] is False
    assert all(not gates[i]["passed"] and gates[i]["verdict"] == "fail" for i in (1, 2, 3, 4))
    assert any("no SLA written" in m for m in gates[1]["missing"])
    assert any("no functions named" in m for m in gates[1]["missing"])
    assert any("stockout_risk: no data declaration" in m for m in gates[2]["missing"])
    assert any("the feed has run since 2026-11-30" in m for m in gates[2]["missing"])
    assert any("is not acknowledged: Ana reads it" in m for m in gates[3]["missing"])
    assert any("'x' is not a metric" in m for m in gates[4]["missing"])
    assert any("baseline 'x' is not a number" in m for m in gates[4]["missing"])
    # The reviewer acknowledging a review of nothing does not make it held.
    code, out = cli("readiness", env=env)
    assert code == 1 and out.startswith("NOT READY to go live")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Runtime, httpx.Client, dict[str, str], Config]]:
    config = demo_config()
    path = tmp_path / "sopbot.yml"
    path.write_text(demo_config_text(), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'pilot.db'}"
    migrate.upgrade(Database(url))
    settings = Settings(database_url=url, local_chat=True, api_open_for_demo=True, scheduler=False)
    clock = AdjustableClock(MONDAY_9, frozen=True)
    runtime = build_runtime(settings, config=config, clock=clock, upgrade=False)
    env = {"SOPBOT_DATABASE_URL": url, "SOPBOT_CONFIG": str(path), "SOPBOT_CLOCK_START": START}
    with (
        serving(create_app(runtime, start_background=False)) as server,
        httpx.Client(base_url=server.url, timeout=30, verify=LOOPBACK_TLS) as http,
    ):
        yield runtime, http, env, config
    runtime.stop()


def _business_days_before(config: Config, moment: datetime, count: int) -> list[datetime]:
    calendar = Calendars(config).for_person(None)
    day, days = moment.astimezone(calendar.tz).date(), []
    while len(days) < count:
        day -= timedelta(days=1)
        if calendar.is_business_day(day):
            days.append(datetime.combine(day, time(10, 0), tzinfo=calendar.tz))
    return list(reversed(days))


def test_a_deployment_built_through_api_chat_and_cli_is_ready(
    world: tuple[Runtime, httpx.Client, dict[str, str], Config], tmp_path: Path
) -> None:
    runtime, http, env, config = world
    clock = runtime.clock
    assert isinstance(clock, AdjustableClock)
    now = clock.now()
    for at in _business_days_before(config, now, 6):  # the feed, through the API
        clock.set(at)
        items = [
            make_rec(
                type=name,
                source=SOURCE,
                site=SITE,
                unit=UNIT,
                event_time=(at - timedelta(minutes=5)).isoformat(),
                recorded_time=(at - timedelta(minutes=4)).isoformat(),
            )
            for name in config.recommendation_types
        ]
        answer = http.post("/api/v1/recommendations", json=items)
        assert answer.status_code == 201, answer.text
        for result in answer.json():
            decided = http.post(
                f"/api/v1/recommendations/{result['id']}/decisions",
                json={"actor": result["owner"], "action": "accept"},
            )
            assert decided.status_code == 201, decided.text
    clock.set(now)
    code, out = cli("readiness", env=env)
    assert code == 1, out  # nobody has signed, agreed or read anything yet
    words = [
        ("greta", f"reviewed {name} looked at every override")
        for name in config.recommendation_types
    ]
    for lead in ("ben", "greta"):
        words += [
            (lead, f"matrix approve {matrix_hash(config)[:8]}"),
            (lead, f"criteria approve {criteria_hash(config)[:8]}"),
        ]
    for person, text in words:  # the evidence people give, through the web chat
        assert http.post(f"/chat/{person}/command", data={"text": text}).status_code == 303
    for adapter in runtime.adapters:
        if isinstance(adapter, LocalAdapter):
            assert adapter.after.wait()
    code, out = cli("readiness", "--format", "json", env=env)
    assert code == 0, out
    dossier = json.loads(out)
    assert dossier["ready"] is True and dossier["ready_since"] == "2026-11-30"
    assert [g["verdict"] for g in dossier["gates"]] == ["pass", "pass", "pass", "pass", "open"]
    html = tmp_path / "dossier.html"
    assert cli("readiness", "--format", "html", "--output", str(html), env=env)[0] == 0
    page = html.read_text(encoding="utf-8")
    assert "READY to go live" in page and "Greta Lindqvist acknowledged the review" in page
    api = http.get("/api/v1/readiness").json()
    assert api["ready"] is True and api["gates"][2]["evidence"]
