"""Values no store or calendar can hold are refused with a 422 naming the field (or a
413 naming the limit), and nothing is stored: regressions of what fuzzing found, each
over real HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.data import make_rec

TOO_BIG = 2**63
ALLOW_NAN = {"Content-Type": "application/json"}


def raw(payload: Any) -> bytes:
    """JSON as a client in another language may send it: NaN, Infinity, lone surrogates."""
    return json.dumps(payload, allow_nan=True).encode()


def assert_refused(response: httpx.Response, field: str, status: int = 422) -> None:
    assert response.status_code == status, response.text
    fields = [d.get("field") for d in response.json()["detail"]]
    assert field in fields, fields


def assert_nothing_stored(api: httpx.Client) -> None:
    assert api.get("/api/v1/recommendations").json()["items"] == []


@pytest.fixture
def stored(api: httpx.Client) -> Iterator[tuple[int, dict[str, Any]]]:
    payload = make_rec()
    response = api.post("/api/v1/recommendations", json=payload)
    assert response.status_code == 201
    yield response.json()["id"], payload


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("respond_by", "0999-01-01T00:00:00Z"),
        ("event_time", "0500-06-01T12:00:00Z"),
        ("recorded_time", "9999-12-31T23:59:59Z"),
        ("respond_by", "9999-12-31T23:59:59Z"),
        ("respond_by", "0001-01-01T00:00:00+01:00"),
        ("event_time", "1000-01-01T00:30:00+01:00"),  # year 999 in UTC
    ],
)
def test_times_outside_the_calendar_are_refused(api: httpx.Client, field: str, value: str) -> None:
    response = api.post("/api/v1/recommendations", json=[make_rec(), make_rec(**{field: value})])
    assert_refused(response, field)
    assert response.json()["detail"][0]["index"] == 1
    assert_nothing_stored(api)


@pytest.mark.parametrize("value", ["0999-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_outcome_times_outside_the_calendar_are_refused(
    api: httpx.Client, stored: tuple[int, dict[str, Any]], value: str
) -> None:
    rec_id, payload = stored
    response = api.post(
        "/api/v1/outcomes",
        json={
            "external_id": payload["external_id"],
            "source": payload["source"],
            "observed_at": value,
        },
    )
    assert_refused(response, "observed_at")
    assert "outcome" not in [
        e["kind"] for e in api.get(f"/api/v1/recommendations/{rec_id}").json()["events"]
    ]


def test_integers_past_bigint_are_refused_in_paths_queries_and_bodies(
    api: httpx.Client, decider: httpx.Client
) -> None:
    assert_refused(api.get(f"/api/v1/recommendations/{TOO_BIG}"), "recommendation_id")
    assert_refused(api.get("/api/v1/recommendations", params={"after_id": TOO_BIG}), "after_id")
    assert_refused(
        decider.post(
            f"/api/v1/recommendations/{TOO_BIG}/decisions",
            json={"actor": "ana", "action": "accept"},
        ),
        "recommendation_id",
    )
    assert_refused(api.post("/api/v1/recommendations", json=make_rec(revision=TOO_BIG)), "revision")
    assert_nothing_stored(api)


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_is_refused_on_every_json_endpoint(
    api: httpx.Client, decider: httpx.Client, depth: int
) -> None:
    for nested in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        body = nested.encode()
        assert_refused(api.post("/api/v1/recommendations", content=body, headers=ALLOW_NAN), "body")
        assert_refused(api.post("/api/v1/outcomes", content=body, headers=ALLOW_NAN), "body")
        assert_refused(
            decider.post("/api/v1/recommendations/1/decisions", content=body, headers=ALLOW_NAN),
            "body",
        )
    wrapped = json.dumps(make_rec())[:-1] + ', "drivers": ' + "[" * 900 + "]" * 900 + "}"
    assert_refused(
        api.post("/api/v1/recommendations", content=wrapped.encode(), headers=ALLOW_NAN),
        "drivers[0]",
    )
    assert_nothing_stored(api)


@pytest.mark.parametrize("bad", ["\ud800", "a\x00b", "\udfff tail"])
@pytest.mark.parametrize("field", ["title", "external_id", "sku", "unit"])
def test_unstorable_text_in_a_recommendation_is_refused(
    api: httpx.Client, field: str, bad: str
) -> None:
    response = api.post(
        "/api/v1/recommendations", content=raw([make_rec(**{field: bad})]), headers=ALLOW_NAN
    )
    assert_refused(response, field)
    assert response.json()["detail"][0]["index"] == 0
    assert_nothing_stored(api)


def test_unstorable_text_deep_inside_is_named_by_its_path(api: httpx.Client) -> None:
    drivers = [{"factor": "ok"}, {"factor": "late\x00PO"}]
    response = api.post(
        "/api/v1/recommendations", content=raw(make_rec(drivers=drivers)), headers=ALLOW_NAN
    )
    assert_refused(response, "drivers[1].factor")
    assert_nothing_stored(api)


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("note", {"action": "override", "reason_code": "COST_TRADEOFF", "note": "\ud800"}),
        ("reason_code", {"action": "override", "reason_code": "\ud800"}),
        ("to", {"action": "reassign", "to": "\ud800"}),
        ("note", {"action": "accept", "note": "nul\x00"}),
        ("actor", {"action": "accept", "actor": "an\x00a"}),
    ],
)
def test_unstorable_text_in_a_decision_is_refused(
    api: httpx.Client,
    decider: httpx.Client,
    stored: tuple[int, dict[str, Any]],
    field: str,
    body: dict[str, Any],
) -> None:
    rec_id, _payload = stored
    response = decider.post(
        f"/api/v1/recommendations/{rec_id}/decisions",
        content=raw({"actor": "ana", **body}),
        headers=ALLOW_NAN,
    )
    assert_refused(response, field)
    assert api.get(f"/api/v1/recommendations/{rec_id}").json()["status"] == "open"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
@pytest.mark.parametrize("field", ["quantity", "interval_low", "interval_high", "confidence"])
def test_non_finite_numbers_in_a_recommendation_are_refused(
    api: httpx.Client, field: str, number: str
) -> None:
    others = {"interval_low": None, "interval_high": None, field: "__N__"}
    body = json.dumps(make_rec(**others)).replace('"__N__"', number)
    response = api.post("/api/v1/recommendations", content=body.encode(), headers=ALLOW_NAN)
    assert_refused(response, field)
    assert_nothing_stored(api)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e999"])
def test_non_finite_numbers_in_outcomes_and_decisions_are_refused(
    api: httpx.Client, decider: httpx.Client, stored: tuple[int, dict[str, Any]], number: str
) -> None:
    rec_id, payload = stored
    outcome = (
        f'{{"external_id": "{payload["external_id"]}", "source": "{payload["source"]}", '
        f'"actual_value": {number}}}'
    )
    assert_refused(
        api.post("/api/v1/outcomes", content=outcome.encode(), headers=ALLOW_NAN), "actual_value"
    )
    decision = (
        '{"actor": "ana", "action": "override", "reason_code": "COST_TRADEOFF", '
        f'"value": {number}}}'
    )
    assert_refused(
        decider.post(
            f"/api/v1/recommendations/{rec_id}/decisions",
            content=decision.encode(),
            headers=ALLOW_NAN,
        ),
        "value",
    )
    detail = api.get(f"/api/v1/recommendations/{rec_id}").json()
    assert detail["status"] == "open"
    assert "outcome" not in [e["kind"] for e in detail["events"]]


def test_a_body_over_the_limit_is_413_whether_announced_or_streamed(api: httpx.Client) -> None:
    big = b"[" + b",".join([json.dumps(make_rec()).encode()] * 10000) + b"]"
    assert len(big) > 5 * 1024 * 1024
    announced = api.post("/api/v1/recommendations", content=big, headers=ALLOW_NAN)
    assert_refused(announced, "body", status=413)
    assert "5 MB" in announced.json()["detail"][0]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    streamed = api.post("/api/v1/recommendations", content=chunks(), headers=ALLOW_NAN)
    assert_refused(streamed, "body", status=413)
    assert_nothing_stored(api)
