"""The web chat's posts over real HTTP, on SQLite and PostgreSQL: decisions go through
the decision workflow, refusals record nothing, and the page says why. A post is
answered at once (303) and worked after (adapters.local.actions): the page it leads to
shows the outcome, and names it in X-Sopbot-Outcome."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from adapters.local import LocalChat
from bot.runtime import Runtime
from core.clock import AdjustableClock
from tests.support.web import decided, ingest, settled


def test_accept_updates_the_message_in_place(
    runtime: Runtime, client: httpx.Client, local_chat: LocalChat
) -> None:
    rec_id = ingest(runtime)
    [post] = local_chat.direct_messages("ana")
    response = client.post(
        "/chat/ana/act",
        data={"recommendation_id": rec_id, "action": "accept", "card": f"m-{post.ref.message_id}"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/chat/ana?view=messages#m-{post.ref.message_id}"
    assert response.headers["x-sopbot-outcome"] == "queued"
    settled(runtime)
    runtime.outbox.drain()
    [post] = local_chat.direct_messages("ana")
    assert post.version == 2
    assert post.message.status and post.message.status.startswith("Accepted by Ana Lopez")
    assert not post.message.buttons
    page = client.get("/chat/ana").text
    assert "Accepted by Ana Lopez" in page  # the one-shot notice and the card status
    body = decided(client, rec_id)
    assert body["status"] == "decided" and body["decision"]["channel"] == "local"


@pytest.mark.parametrize(
    ("form", "field", "error"),
    [
        ({}, "reason_code", "Choose a reason for the override."),
        ({"reason_code": "SUPPLIER_PATTERN"}, "note", "needs a note"),
        ({"reason_code": "COST_TRADEOFF", "value": "lots"}, "value", "must be a number"),
    ],
)
def test_a_refused_override_reopens_the_form_with_the_error_next_to_the_field(
    runtime: Runtime,
    client: httpx.Client,
    local_chat: LocalChat,
    form: dict,
    field: str,
    error: str,
) -> None:
    rec_id = ingest(runtime)
    card = f"m-{local_chat.direct_messages('ana')[0].ref.message_id}"
    data = {"recommendation_id": rec_id, "action": "override", "card": card, **form}
    answer = client.post("/chat/ana/act", data=data)
    assert answer.status_code == 303 and answer.headers["x-sopbot-outcome"] == "invalid"
    response = client.get(answer.headers["location"])  # the form errors need no database
    assert response.headers["x-sopbot-outcome"] == "invalid"
    html = response.text
    form_html = html[html.index(f'id="{card}-override"') :]
    assert "hidden" not in form_html[: form_html.index(">")]  # the form is open
    field_html = form_html[form_html.index(f'data-field="{field}"') :]
    field_html = field_html[: field_html.index("</div>")]
    assert f'data-error-for="{field}"' in field_html and error in field_html
    for typed in form.values():
        assert typed in form_html[: form_html.index("</form>")]  # what was typed survives
    assert decided(client, rec_id)["status"] == "open"
    assert decided(client, rec_id)["decisions"] == []


def test_someone_who_does_not_own_it_is_refused_and_nothing_is_recorded(
    runtime: Runtime, client: httpx.Client
) -> None:
    rec_id = ingest(runtime)
    answer = client.post("/chat/finn/act", data={"recommendation_id": rec_id, "action": "accept"})
    assert answer.status_code == 303
    settled(runtime)
    response = client.get(answer.headers["location"])
    assert response.headers["x-sopbot-outcome"] == "not-permitted"
    assert "Only Ana Lopez, their backup or their escalation contacts" in response.text
    body = decided(client, rec_id)
    assert body["status"] == "open" and body["decisions"] == []
    assert "decision_refused" in [e["kind"] for e in body["events"]]


def test_cross_site_posts_are_refused(runtime: Runtime, client: httpx.Client) -> None:
    rec_id = ingest(runtime)
    response = client.post(
        "/chat/ana/act",
        data={"recommendation_id": rec_id, "action": "accept"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert decided(client, rec_id)["status"] == "open"


def test_unknown_actions_and_unknown_people(runtime: Runtime, client: httpx.Client) -> None:
    rec_id = ingest(runtime)
    odd = client.post(
        "/chat/ana/act",
        data={"recommendation_id": rec_id, "action": "frobnicate"},
        follow_redirects=True,
    )
    assert odd.headers["x-sopbot-outcome"] == "unavailable" and "not something" in odd.text
    assert client.get("/chat/nobody").status_code == 404
    nobody = client.post("/chat/nobody/act", data={"recommendation_id": rec_id, "action": "accept"})
    assert nobody.status_code == 404
    assert decided(client, rec_id)["status"] == "open"


def test_snooze_holds_the_reminders(runtime: Runtime, client: httpx.Client) -> None:
    rec_id = ingest(runtime)
    data = {"recommendation_id": rec_id, "action": "snooze", "value": "1h"}
    assert client.post("/chat/ana/act", data=data).status_code == 303
    settled(runtime)
    response = client.get("/chat/ana")
    assert "Snoozed until" in response.text
    assert response.headers["x-sopbot-outcome"] == "done"
    assert client.post("/chat/finn/act", data=data).status_code == 303
    settled(runtime)
    assert client.get("/chat/finn").headers["x-sopbot-outcome"] == "not-permitted"


def test_the_manager_extends_an_escalated_sla_from_the_escalation_message(
    runtime: Runtime, client: httpx.Client, local_chat: LocalChat
) -> None:
    rec_id = ingest(runtime)
    runtime.advance_clock(timedelta(days=1))  # past the 8 business hours: escalated to Ben
    [escalation] = [
        p for p in local_chat.direct_messages("ben") if p.message.recommendation_id == rec_id
    ]
    assert escalation.message.header.startswith("Escalated:")
    card = f"m-{escalation.ref.message_id}"
    page = client.get("/chat/ben").text
    assert f'id="{card}-extend"' in page and 'type="datetime-local"' in page
    data = {
        "recommendation_id": rec_id,
        "action": "extend",
        "card": card,
        "due_at": "2026-12-02T12:00",
        "reason": "",
    }
    refused = client.post("/chat/ben/act", data=data, follow_redirects=True)
    assert refused.headers["x-sopbot-outcome"] == "invalid"
    html = refused.text[refused.text.index(f'id="{card}-extend"') :]
    field = html[html.index('data-field="reason"') :]
    assert "Say why the owner gets more time." in field[: field.index("</div>")]
    assert 'value="2026-12-02T12:00"' in html[: html.index("</form>")]
    answer = client.post("/chat/ben/act", data={**data, "reason": "supplier call at 11"})
    assert answer.status_code == 303
    settled(runtime)
    assert "SLA extended" in client.get(answer.headers["location"]).text
    events = [e["kind"] for e in decided(client, rec_id)["events"]]
    assert "sla_extended" in events


def test_clock_control_moves_demo_time(
    runtime: Runtime, client: httpx.Client, clock: AdjustableClock
) -> None:
    start = clock.now()  # Monday 09:00 Berlin
    hour = client.post("/chat/ana/clock", data={"step": "hour"}, follow_redirects=True)
    assert hour.status_code == 200 and "Demo time is now Mon 30 Nov 10:00 CET" in hour.text
    assert clock.now() - start == timedelta(hours=1)
    client.post("/chat/ana/clock", data={"step": "day"})
    assert clock.now() - start == timedelta(hours=25)
    assert client.post("/chat/ana/clock", data={"step": "week"}).status_code == 404


def test_updates_report_new_messages(
    runtime: Runtime, client: httpx.Client, local_chat: LocalChat
) -> None:
    first = client.get("/chat/ana/updates", params={"since": local_chat.revision}).json()
    assert "html" not in first and first["clock"] == "Mon 30 Nov 09:00 CET"
    ingest(runtime)
    later = client.get("/chat/ana/updates", params={"since": first["revision"]}).json()
    assert later["revision"] > first["revision"]
    assert "SKU-4711" in later["html"] and later["counts"]["messages"] == 1
    assert later["badges"]["ana"] == 1
    queue = client.get("/chat/ana/updates", params={"view": "queue"}).json()
    assert 'id="q-' in queue["html"] and queue["counts"]["queue"] == 1


def test_recommendation_text_is_escaped(runtime: Runtime, client: httpx.Client) -> None:
    ingest(
        runtime,
        title="<script>alert('x')</script> at DC-NORTH",
        drivers=[{"factor": "<img src=x onerror=alert(1)>", "weight": 0.5}],
    )
    page = client.get("/chat/ana").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; at DC-NORTH" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
