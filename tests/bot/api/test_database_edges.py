"""Every edge a 4xx on both databases: what PostgreSQL refuses (INTEGER ids, offsets past
+-15:59, a NUL in text however it arrives) is refused by the API first, a far
`respond_by` is bounded, a busy database is a 503 with Retry-After and anything
unexpected a JSON 500 in the error shape. Each case was a 500 on PostgreSQL before."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import make_url, text

from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from core.limits import MAX_BIGINT, MAX_ID
from core.recommendation import RESPOND_BY_HORIZON
from storage.db import Database
from tests.support.api import TOKEN
from tests.support.data import MONDAY_9, make_rec
from tests.support.live import LOOPBACK_TLS, serving

JSON = {"Content-Type": "application/json"}
HORIZON = MONDAY_9 + RESPOND_BY_HORIZON  # the `api` fixture's clock is frozen at MONDAY_9


def refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert field in [d.get("field") for d in response.json()["detail"]], response.text


def test_ids_past_the_integer_columns_are_refused_and_the_last_one_is_not_found(
    api: httpx.Client, decider: httpx.Client
) -> None:
    refused(api.get(f"/api/v1/recommendations/{MAX_ID + 1}"), "recommendation_id")
    refused(api.get("/api/v1/recommendations", params={"after_id": MAX_ID + 1}), "after_id")
    accept = {"actor": "ana", "action": "accept"}
    refused(
        decider.post(f"/api/v1/recommendations/{MAX_ID + 1}/decisions", json=accept),
        "recommendation_id",
    )
    assert api.get(f"/api/v1/recommendations/{MAX_ID}").status_code == 404
    assert api.get("/api/v1/recommendations", params={"after_id": MAX_ID}).status_code == 200
    assert (
        decider.post(f"/api/v1/recommendations/{MAX_ID}/decisions", json=accept).status_code == 404
    )


@pytest.mark.parametrize("revision", [2**31, MAX_BIGINT])
def test_revisions_up_to_the_bigint_bound_are_stored(api: httpx.Client, revision: int) -> None:
    payload = make_rec(revision=revision)
    created = api.post("/api/v1/recommendations", json=payload)
    assert created.status_code == 201, created.text
    detail = api.get(f"/api/v1/recommendations/{created.json()['id']}").json()
    assert detail["revision"] == revision
    again = api.post("/api/v1/recommendations", json=payload)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"


def test_offsets_past_postgresql_s_range_are_normalised_to_utc_before_the_write(
    api: httpx.Client,
) -> None:
    far_east = "2026-12-03T10:00:00+16:00"  # = 2026-12-02T18:00Z
    batch = [
        make_rec(respond_by=far_east, event_time="2026-11-30T23:30:00+23:59"),
        make_rec(recorded_time="2026-11-30T01:00:00-16:30"),
    ]
    response = api.post("/api/v1/recommendations", json=batch)
    assert response.status_code == 201, response.text
    first, second = response.json()
    assert first["due_at"] == "2026-12-02T18:00:00Z"
    detail = api.get(f"/api/v1/recommendations/{first['id']}").json()
    assert datetime.fromisoformat(detail["event_time"]) == datetime.fromisoformat(
        "2026-11-29T23:31:00+00:00"
    )
    other = api.get(f"/api/v1/recommendations/{second['id']}").json()
    assert datetime.fromisoformat(other["recorded_time"]) == datetime.fromisoformat(
        "2026-11-30T17:30:00+00:00"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"owner": "\x00"},
        {"type": "stock\x00out_risk"},
        {"status": "open", "owner": "ana\x00"},
        {"nu\x00l": "x"},
    ],
)
def test_a_nul_in_a_query_parameter_is_refused_naming_it(
    api: httpx.Client, params: dict[str, str]
) -> None:
    [name] = [key for key, value in params.items() if "\x00" in key + value]
    refused(api.get("/api/v1/recommendations", params=params), name)


def test_a_nul_in_a_review_query_parameter_is_refused(api: httpx.Client) -> None:
    refused(api.get("/api/v1/reports/overrides", params={"since": "2026-11-0\x00"}), "since")
    refused(api.get("/api/v1/readiness", params={"x": "\x00"}), "x")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-32-be"])
@pytest.mark.parametrize("ascii_only", [True, False])
def test_a_nul_in_a_utf16_or_utf32_body_is_refused_after_decoding(
    api: httpx.Client, encoding: str, ascii_only: bool
) -> None:
    text_ = json.dumps([make_rec(), make_rec(title="a\x00b")], ensure_ascii=ascii_only)
    response = api.post("/api/v1/recommendations", content=text_.encode(encoding), headers=JSON)
    refused(response, "title")
    assert response.json()["detail"][0]["index"] == 1
    assert api.get("/api/v1/recommendations").json()["items"] == []
    fine = json.dumps(make_rec(title="Zürich Δ")).encode(encoding)
    assert api.post("/api/v1/recommendations", content=fine, headers=JSON).status_code == 201


def test_surrogates_however_encoded_are_refused(api: httpx.Client) -> None:
    utf8_encoded = json.dumps(make_rec(title="@")).encode().replace(b"@", b"\xed\xa0\x80")
    refused(api.post("/api/v1/recommendations", content=utf8_encoded, headers=JSON), "title")
    utf16 = json.dumps(make_rec(sku="\ud800"), ensure_ascii=False).encode("utf-16", "surrogatepass")
    refused(api.post("/api/v1/recommendations", content=utf16, headers=JSON), "sku")
    assert api.get("/api/v1/recommendations").json()["items"] == []


def test_respond_by_beyond_the_horizon_is_refused_and_at_it_accepted(api: httpx.Client) -> None:
    beyond = (HORIZON + timedelta(seconds=1)).isoformat()
    response = api.post("/api/v1/recommendations", json=[make_rec(), make_rec(respond_by=beyond)])
    refused(response, "respond_by")
    assert response.json()["detail"][0]["index"] == 1
    assert "730 days" in response.json()["detail"][0]["message"]
    at = api.post("/api/v1/recommendations", json=make_rec(respond_by=HORIZON.isoformat()))
    assert at.status_code == 201, at.text
    assert datetime.fromisoformat(at.json()["due_at"]) == HORIZON


def test_a_write_beside_a_batch_of_1000_at_the_horizon_is_answered(api: httpx.Client) -> None:
    """Each item's own due time (no memo shared between them): routing counts the
    business time to each one inside the batch's write transaction."""
    batch = [make_rec(respond_by=(HORIZON - timedelta(minutes=i)).isoformat()) for i in range(1000)]
    answers: dict[str, httpx.Response] = {}
    started = threading.Barrier(2)

    def post(name: str, body: object) -> None:
        started.wait()
        answers[name] = api.post("/api/v1/recommendations", json=body)

    threads = [
        threading.Thread(target=post, args=("batch", batch)),
        threading.Thread(target=post, args=("beside", make_rec())),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers["beside"].status_code == 201, answers["beside"].text
    assert answers["batch"].status_code == 201, answers["batch"].text[:500]
    assert len(answers["batch"].json()) == 1000


@pytest.fixture
def impatient(db_url: str, config: Config) -> Iterator[Runtime]:
    """A server whose database gives up waiting for a lock after a quarter second."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        url = url.update_query_dict({"timeout": "0.25"})
    else:
        url = url.update_query_dict({"options": "-c lock_timeout=250"})
    settings = Settings(
        database_url=url.render_as_string(hide_password=False),
        api_token=SecretStr(TOKEN),
        local_chat=False,
        scheduler=False,
    )
    runtime = build_runtime(settings, config=config, clock=AdjustableClock(MONDAY_9), upgrade=False)
    yield runtime
    runtime.stop()


def test_a_busy_database_answers_503_with_retry_after(db_url: str, impatient: Runtime) -> None:
    holder = Database(db_url)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        with (
            holder.engine.connect() as locker,
            serving(create_app(impatient, start_background=False)) as server,
            httpx.Client(
                base_url=server.url, headers=auth, timeout=30, verify=LOOPBACK_TLS
            ) as client,
        ):
            if holder.is_postgres:
                locker.execute(text("LOCK TABLE recommendations IN ACCESS EXCLUSIVE MODE"))
            else:
                locker.execute(text("DELETE FROM recommendations"))  # BEGIN IMMEDIATE: the lock
            response = client.post("/api/v1/recommendations", json=make_rec())
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"].isdigit()
            assert "busy" in response.json()["detail"][0]["message"]
            locker.rollback()
            assert client.post("/api/v1/recommendations", json=make_rec()).status_code == 201
    finally:
        holder.dispose()


def test_an_unexpected_error_answers_500_in_the_error_shape(runtime: Runtime) -> None:
    app = create_app(runtime, start_background=False)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    with serving(app) as server:
        response = httpx.get(f"{server.url}/broken", timeout=30, verify=LOOPBACK_TLS)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    [problem] = response.json()["detail"]
    assert "reference" in problem["message"] and "a bug" not in problem["message"]
