"""/metrics: counted as things happen (prometheus_client), open work read from the
database, and nothing a person wrote or is called in the open exposition."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.runtime import Runtime
from tests.support.data import make_rec


def samples(api: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = api.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def test_counters_follow_what_happened_and_open_comes_from_the_database(
    api: httpx.Client, decider: httpx.Client, runtime: Runtime
) -> None:
    before = samples(api)
    assert (
        value(before, "sopbot_recommendations_ingested_total", type="stockout_risk", tier="direct")
        == 0
    )
    first, second, third = make_rec(), make_rec(), make_rec(type="expedite", confidence=0.99)
    assert api.post("/api/v1/recommendations", json=[first, second, third]).status_code == 201
    assert api.post("/api/v1/recommendations", json=first).json()["status"] == "duplicate"
    ids = [r["id"] for r in api.get("/api/v1/recommendations").json()["items"]]
    accepted = decider.post(
        f"/api/v1/recommendations/{min(ids)}/decisions", json={"actor": "ana", "action": "accept"}
    )
    assert accepted.status_code == 201, accepted.text
    refused = decider.post(
        f"/api/v1/recommendations/{min(ids)}/decisions", json={"actor": "ana", "action": "accept"}
    )
    assert refused.status_code == 409

    found = samples(api)
    ingested = "sopbot_recommendations_ingested_total"
    assert value(found, ingested, type="stockout_risk", tier="direct") == 2
    assert value(found, ingested, type="expedite", tier="auto") == 1
    assert value(found, "sopbot_ingest_items_total", status="duplicate") == 1
    assert value(found, "sopbot_decisions_total", action="accept", type="stockout_risk") == 1
    assert value(found, "sopbot_decisions_total", action="auto", type="expedite") == 1
    assert (
        value(found, "sopbot_time_to_decision_seconds_count", action="accept", type="stockout_risk")
        == 1
    )
    assert value(found, "sopbot_open_recommendations") == 1  # read at scrape time

    runtime.advance_clock(timedelta(days=3))  # past the SLA: escalations
    after = samples(api)
    assert value(after, "sopbot_sla_steps_total", step="escalation") >= 1
    handled = sum(v for (name, _), v in after.items() if name == "sopbot_outbox_deliveries_total")
    assert handled >= 3  # the first deliveries, the auto-accept notice, escalations


def test_no_name_title_or_note_reaches_the_open_exposition(
    api: httpx.Client, decider: httpx.Client, runtime: Runtime
) -> None:
    marker = "Zebulon<script>"
    rec = make_rec(title=f"{marker} title", action=f"{marker} action", site="DC-NORTH")
    rec_id = api.post("/api/v1/recommendations", json=rec).json()["id"]
    overridden = decider.post(
        f"/api/v1/recommendations/{rec_id}/decisions",
        json={
            "actor": "ana",
            "action": "override",
            "value": 10,
            "reason_code": "SUPPLIER_PATTERN",
            "note": f"{marker} told me",
        },
    )
    assert overridden.status_code == 201, overridden.text
    text = api.get("/metrics").text
    assert 'sopbot_decisions_total{action="override",type="stockout_risk"} 1.0' in text
    assert marker not in text and "planner-ai" not in text
    people = [person.name for person in runtime.config.people] + [
        person.id for person in runtime.config.people
    ]
    labels = {
        label
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        for label in sample.labels.values()
    }
    allowed_types = set(runtime.config.recommendation_types)
    assert not labels & set(people)
    assert {"type", "tier", "action", "status", "step", "kind", "result"} >= {
        key
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        for key in sample.labels
    }
    assert labels - allowed_types <= {
        "direct",
        "auto",
        "digest",
        "triage",
        "accept",
        "override",
        "created",
        "duplicate",
        "revised",
        "withdrawn",
        "reminder",
        "escalation",
        "deliver",
        "refresh",
        "notice",
        "sent",
        "retried",
        "failed",
    }
