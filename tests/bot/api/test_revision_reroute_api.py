"""A revision posted over HTTP is routed again: a new type takes the recommendation to
that type's owner (owner history, due time, who may decide), on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from tests.support.data import make_rec


def test_a_revision_with_a_new_type_hands_over_to_that_types_owner(
    api: httpx.Client, decider: httpx.Client
) -> None:
    payload = make_rec()
    first = api.post("/api/v1/recommendations", json=payload).json()
    assert first["owner"] == "ana"
    revised = api.post(
        "/api/v1/recommendations", json={**payload, "revision": 2, "type": "capacity_warning"}
    )
    assert revised.status_code == 200, revised.text
    body = revised.json()
    assert (body["status"], body["owner"]) == ("revised", "eve")
    assert body["due_at"] != first["due_at"]  # capacity_warning: 1 business day from now
    detail = api.get(f"/api/v1/recommendations/{first['id']}").json()
    assert (detail["owner"], detail["backup"], detail["due_at"]) == ("eve", "dora", body["due_at"])
    assert [(o["owner"], o["reason"]) for o in detail["owners"]][1:] == [
        ("eve", "re-routed by revision 2")
    ]
    url = f"/api/v1/recommendations/{first['id']}/decisions"
    assert decider.post(url, json={"actor": "ana", "action": "accept"}).status_code == 403
    accepted = decider.post(url, json={"actor": "eve", "action": "accept"})
    assert accepted.status_code == 201 and accepted.json()["summary"].startswith("Accepted by Eve")
