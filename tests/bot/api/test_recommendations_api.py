"""The ingestion and decision API over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from tests.support.data import make_rec
from tests.support.live import LOOPBACK_TLS


def test_post_one_then_repeat_is_duplicate(api: httpx.Client) -> None:
    payload = make_rec()
    first = api.post("/api/v1/recommendations", json=payload)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "created" and body["owner"] == "ana" and body["due_at"]
    again = api.post("/api/v1/recommendations", json=payload)
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate" and again.json()["id"] == body["id"]
    listing = api.get("/api/v1/recommendations").json()
    assert len(listing["items"]) == 1


def test_batch_returns_one_result_per_item(api: httpx.Client) -> None:
    response = api.post("/api/v1/recommendations", json=[make_rec(), make_rec(site="PLANT-2")])
    assert response.status_code == 201
    assert [r["owner"] for r in response.json()] == ["ana", "dora"]


def test_bad_batch_stores_nothing_and_names_every_bad_field(api: httpx.Client) -> None:
    bad = [
        make_rec(),
        make_rec(confidence="high"),
        make_rec(type="weather"),
        {k: v for k, v in make_rec().items() if k != "action"},
    ]
    response = api.post("/api/v1/recommendations", json=bad)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {(d["index"], d["field"]) for d in detail} == {
        (1, "confidence"),
        (2, "type"),
        (3, "action"),
    }
    assert api.get("/api/v1/recommendations").json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b'"a string"', "body"),
        (b"[]", "body"),
    ],
)
def test_malformed_bodies_are_422_naming_the_body(
    api: httpx.Client, body: bytes, field: str
) -> None:
    response = api.post(
        "/api/v1/recommendations", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field


def test_wrong_types_and_missing_fields(api: httpx.Client) -> None:
    response = api.post(
        "/api/v1/recommendations",
        json={"external_id": 5, "type": "stockout_risk", "quantity": "lots"},
    )
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["detail"]}
    assert {"external_id", "title", "action", "quantity"} <= fields


def test_naive_times_and_reversed_interval_are_rejected(api: httpx.Client) -> None:
    response = api.post(
        "/api/v1/recommendations",
        json=[
            make_rec(event_time="2026-11-30T07:00:00"),
            make_rec(interval_low=9, interval_high=1),
        ],
    )
    assert response.status_code == 422
    assert {(d["index"], d["field"]) for d in response.json()["detail"]} == {
        (0, "event_time"),
        (1, "(item)"),
    }


def test_no_token_and_bad_token_are_401(api: httpx.Client) -> None:
    no_token = httpx.post(
        f"{api.base_url}/api/v1/recommendations", json=make_rec(), verify=LOOPBACK_TLS
    )
    assert no_token.status_code == 401
    assert "bearer" in no_token.json()["detail"][0]["message"]
    bad = httpx.post(
        f"{api.base_url}/api/v1/recommendations",
        json=make_rec(),
        headers={"Authorization": "Bearer wrong"},
        verify=LOOPBACK_TLS,
    )
    assert bad.status_code == 401
    assert (
        httpx.get(f"{api.base_url}/api/v1/recommendations", verify=LOOPBACK_TLS).status_code == 401
    )
    assert api.get("/api/v1/recommendations").json()["items"] == []


def test_decision_endpoint_rules(api: httpx.Client, decider: httpx.Client) -> None:
    rec_id = api.post("/api/v1/recommendations", json=make_rec()).json()["id"]
    url = f"/api/v1/recommendations/{rec_id}/decisions"
    assert decider.post(url, json={"actor": "nobody", "action": "accept"}).status_code == 422
    assert decider.post(url, json={"actor": "ana", "action": "shrug"}).status_code == 422
    assert (
        decider.post(
            "/api/v1/recommendations/99999/decisions", json={"actor": "ana", "action": "accept"}
        ).status_code
        == 404
    )
    missing = decider.post(url, json={"actor": "ana", "action": "override"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "reason_code"
    refused = decider.post(url, json={"actor": "finn", "action": "accept"})
    assert refused.status_code == 403
    done = decider.post(
        url,
        json={"actor": "ana", "action": "override", "reason_code": "COST_TRADEOFF", "value": 120},
    )
    assert done.status_code == 201 and done.json()["summary"].startswith("Overridden by Ana")
    again = decider.post(url, json={"actor": "ana", "action": "accept"})
    assert again.status_code == 409 and "Already decided" in again.json()["detail"][0]["message"]
    detail = api.get(f"/api/v1/recommendations/{rec_id}").json()
    assert detail["status"] == "decided" and detail["decision"]["reason_code"] == "COST_TRADEOFF"
    assert [e["kind"] for e in detail["events"]] == ["received", "decision_refused", "overridden"]
    assert api.get("/api/v1/recommendations/99999").status_code == 404


def test_concurrent_decisions_record_exactly_one(api: httpx.Client, decider: httpx.Client) -> None:
    rec_id = api.post("/api/v1/recommendations", json=make_rec()).json()["id"]
    url = f"{api.base_url}/api/v1/recommendations/{rec_id}/decisions"
    barrier = threading.Barrier(8)
    codes: list[int] = []

    def decide(actor: str) -> None:
        barrier.wait()
        with httpx.Client(headers=decider.headers, timeout=30, verify=LOOPBACK_TLS) as client:
            codes.append(client.post(url, json={"actor": actor, "action": "accept"}).status_code)

    threads = [
        threading.Thread(target=decide, args=(a,)) for a in ["ana", "dora", "ben", "greta"] * 2
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [201] + [409] * 7
    detail = api.get(f"/api/v1/recommendations/{rec_id}").json()
    assert len(detail["decisions"]) == 1


def test_outcomes_healthz_metrics_openapi(api: httpx.Client, decider: httpx.Client) -> None:
    payload = make_rec()
    rec_id = api.post("/api/v1/recommendations", json=payload).json()["id"]
    decider.post(
        f"/api/v1/recommendations/{rec_id}/decisions", json={"actor": "ana", "action": "accept"}
    )
    bad = api.post("/api/v1/outcomes", json={"external_id": "unknown", "source": "planner-ai"})
    assert bad.status_code == 404 and bad.json()["detail"][0]["field"] == "external_id"
    ok = api.post(
        "/api/v1/outcomes",
        json={"external_id": payload["external_id"], "source": "planner-ai", "actual_value": 250},
    )
    assert ok.status_code == 201
    assert api.get("/healthz").json() == {"status": "ok", "database": "ok"}
    metrics = api.get("/metrics").text
    assert 'sopbot_decisions_total{action="accept",type="stockout_risk"} 1.0' in metrics
    assert "sopbot_time_to_decision_seconds_count" in metrics
    spec = api.get("/openapi.json").json()
    assert "/api/v1/recommendations" in spec["paths"]
    assert "RecommendationIn" in spec["components"]["schemas"]


def test_writes_must_be_json_not_a_cross_site_text_post(api: httpx.Client) -> None:
    response = api.post(
        "/api/v1/recommendations",
        content=json.dumps(make_rec()),
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert response.json()["detail"][0]["field"] == "content-type"
    assert api.get("/api/v1/recommendations").json()["items"] == []


def test_outcome_with_a_naive_time_is_422_naming_the_field(api: httpx.Client) -> None:
    payload = make_rec()
    api.post("/api/v1/recommendations", json=payload)
    response = api.post(
        "/api/v1/outcomes",
        json={
            "external_id": payload["external_id"],
            "source": "planner-ai",
            "observed_at": "2026-12-01T10:00:00",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "observed_at"
