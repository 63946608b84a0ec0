"""GET /api/v1/events across a restart and two app instances on one database: a client
saving its cursor sees every event once, in order. GET /api/v1/exports/decisions opened
with a CSV reader: one row per decision, no formula cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
from pydantic import SecretStr

from bot.runtime import EVENTS_JOB, Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from tests.support.api import DECISION_TOKEN, TOKEN
from tests.support.data import make_rec
from tests.support.live import LOOPBACK_TLS, serving


@contextmanager
def instance(
    db_url: str, config: Config, clock: AdjustableClock
) -> Iterator[tuple[Runtime, httpx.Client]]:
    """One app instance (a replica): its own runtime and server on the shared database."""
    settings = Settings(
        database_url=db_url,
        api_token=SecretStr(TOKEN),
        decision_token=SecretStr(DECISION_TOKEN),
        local_chat=False,
        scheduler=False,
    )
    runtime = build_runtime(settings, config=config, clock=clock, upgrade=False)
    with (
        serving(create_app(runtime)) as server,
        httpx.Client(base_url=server.url, timeout=30, verify=LOOPBACK_TLS) as client,
    ):
        yield runtime, client
    runtime.stop()


def run_events(runtime: Runtime) -> None:
    next(job for name, _s, job in runtime.jobs if name == EVENTS_JOB)()


READ = {"Authorization": f"Bearer {TOKEN}"}
DECIDE = {"Authorization": f"Bearer {DECISION_TOKEN}"}


def drain(client: httpx.Client, cursor: str | None) -> tuple[list[dict], str | None]:
    seen: list[dict] = []
    while True:
        params = {"limit": 2, **({"after": cursor} if cursor else {})}
        response = client.get("/api/v1/events", params=params, headers=READ)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += body["events"]
        cursor = body["next_cursor"]
        if not body["events"]:
            return seen, cursor


def post(client: httpx.Client, *recs: dict) -> list[int]:
    response = client.post("/api/v1/recommendations", json=list(recs), headers=READ)
    assert response.status_code in (200, 201, 207), response.text
    return [item["id"] for item in response.json()]


def test_feed_once_in_order_across_restart_and_two_replicas(
    db_url: str, config: Config, clock: AdjustableClock
) -> None:
    seen: list[dict] = []
    cursor = None
    with ExitStack() as stack:
        a_rt, a = stack.enter_context(instance(db_url, config, clock))
        b_rt, b = stack.enter_context(instance(db_url, config, clock))
        ids = post(a, make_rec(), make_rec())
        run_events(a_rt)
        page, cursor = drain(a, cursor)
        seen += page
        decided = b.post(
            f"/api/v1/recommendations/{ids[0]}/decisions",
            json={"actor": "ana", "action": "accept"},
            headers=DECIDE,
        )
        assert decided.status_code == 201, decided.text
        post(b, make_rec())
        run_events(b_rt)
        run_events(a_rt)  # both replicas run the sequencer: each row is stamped once
        page, cursor = drain(b, cursor)  # the other replica answers the same cursor
        seen += page
    post_restart: list[dict] = []
    with instance(db_url, config, clock) as (c_rt, c):  # a restart: a fresh process
        post(c, make_rec())
        run_events(c_rt)
        post_restart, cursor = drain(c, cursor)
        again, _ = drain(c, cursor)
        bad = c.get("/api/v1/events", params={"after": "sb1.7.not-ours"}, headers=READ)
        unknown = c.get("/api/v1/events", params={"types": "decision.made"}, headers=READ)
        anonymous = c.get("/api/v1/events")
    seen += post_restart
    # the first events job of the database notes the go-live gates' state once
    assert [e["type"] for e in seen if e["type"] != "readiness.changed"] == [
        "recommendation.received",
        "recommendation.received",
        "decision.recorded",
        "recommendation.received",
        "recommendation.received",
    ]
    assert [e["id"] for e in seen] == [f"evt_{p}" for p in range(1, len(seen) + 1)]
    assert again == []
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "after"
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "types"
    assert anonymous.status_code == 401


def test_decision_export_csv_one_row_per_decision_no_formula_cells(
    api: httpx.Client, decider: httpx.Client
) -> None:
    ids = post(api, make_rec(sku='=HYPERLINK("http://evil")'), make_rec(sku="@SUM(A1)"), make_rec())
    decider.post(
        f"/api/v1/recommendations/{ids[0]}/decisions",
        json={
            "actor": "ana",
            "action": "override",
            "reason_code": "DATA_ERROR",
            "note": "+cmd|' /C calc'!A0",
            "value": -12.5,
        },
    ).raise_for_status()
    decider.post(
        f"/api/v1/recommendations/{ids[1]}/decisions", json={"actor": "ana", "action": "accept"}
    ).raise_for_status()
    response = api.get("/api/v1/exports/decisions", params={"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")) or value == ""
            assert not (value.startswith("-") and not value.lstrip("-").replace(".", "").isdigit())
    override = next(r for r in rows if r["action"] == "override")
    assert override["sku"] == '\'=HYPERLINK("http://evil")'
    assert override["note"] == "'+cmd|' /C calc'!A0"
    assert (override["final_value"], override["ai_value"]) == ("-12.5", "240.0")
    assert (override["reason_code"], override["reason_label"]) == (
        "DATA_ERROR",
        "Input data is wrong",
    )
    # privacy.people_in_events defaults to pseudonymous: the review's pseudonym, not "ana"
    assert override["decided_by"].startswith("person-") and override["decided_at"]
    jsonl = api.get(
        "/api/v1/exports/decisions",
        params={"format": "jsonl", "since": "2026-11-30T08:00:00+00:00"},
    )
    assert len(jsonl.text.splitlines()) == 2
    assert api.get("/api/v1/exports/decisions", params={"until": "tomorrow"}).status_code == 422
    empty = api.get("/api/v1/exports/decisions", params={"until": "2026-11-30T00:00:00+00:00"})
    assert list(csv.reader(io.StringIO(empty.text)))[1:] == []
