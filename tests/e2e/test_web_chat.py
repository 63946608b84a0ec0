"""Issue #3 in a real browser: a planner decides in the local web chat, refusals
record nothing, new messages arrive without a reload, and the page is usable."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.data import make_rec

pytestmark = pytest.mark.browser


def open_recs(page: Page, owner: str) -> list[dict[str, Any]]:
    response = page.request.get(
        "/api/v1/recommendations", params={"owner": owner, "status": "open"}
    )
    assert response.ok
    return response.json()["items"]


def open_direct(page: Page, owner: str) -> list[dict[str, Any]]:
    """The owner's open recommendations that arrived as interactive messages."""
    return [r for r in open_recs(page, owner) if r["tier"] == "direct"]


def recommendation(page: Page, rec_id: int) -> dict[str, Any]:
    response = page.request.get(f"/api/v1/recommendations/{rec_id}")
    assert response.ok
    return response.json()


def dm_card(page: Page, rec_id: int) -> Locator:
    return page.locator(f'[data-feed] > article[data-recommendation="{rec_id}"]')


def test_planner_accepts_one_and_overrides_another_with_a_reason(page: Page) -> None:
    first, second = open_direct(page, "ana")[:2]
    page.goto("/chat")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Lopez")
    accepted, overridden = dm_card(page, first["id"]), dm_card(page, second["id"])
    card_id = accepted.get_attribute("id")
    messages_before = page.locator("[data-feed] > article").count()

    accepted.get_by_role("button", name="Accept").click()
    expect(accepted.locator("[data-status]")).to_contain_text("Accepted by Ana Lopez")
    expect(accepted.get_by_role("button", name="Accept")).to_have_count(0)

    overridden.get_by_role("button", name="Override").click()
    form = overridden.locator('form[data-form="override"]')
    expect(form).to_be_visible()
    form.locator('[name="reason_code"]').select_option("SUPPLIER_PATTERN")
    expect(form.locator("[data-note-flag]")).to_be_visible()  # this code needs a note
    form.locator('[name="note"]').fill("SKF-DE always confirms late in Q4, ships on time")
    form.locator('[name="value"]').fill("3")
    form.get_by_role("button", name="Record override").click()
    expect(overridden.locator("[data-status]")).to_contain_text("Overridden by Ana Lopez")
    expect(overridden.locator("[data-status]")).to_contain_text("Known supplier pattern")
    expect(overridden.get_by_role("button", name="Override")).to_have_count(0)

    # Updated in place: the same message, no new ones.
    assert accepted.get_attribute("id") == card_id
    assert page.locator("[data-feed] > article").count() == messages_before

    decision = recommendation(page, second["id"])["decision"]
    assert decision["kind"] == "override" and decision["reason_code"] == "SUPPLIER_PATTERN"
    assert decision["note"] == "SKF-DE always confirms late in Q4, ships on time"
    assert decision["value"] == 3 and decision["actor"] == "ana" and decision["channel"] == "local"
    assert recommendation(page, first["id"])["decision"]["kind"] == "accept"


def test_an_override_without_a_reason_or_a_needed_note_shows_the_error_and_records_nothing(
    page: Page,
) -> None:
    target = open_direct(page, "ana")[0]
    page.goto("/chat/ana")
    card = dm_card(page, target["id"])
    card.get_by_role("button", name="Override").click()
    form = card.locator('form[data-form="override"]')
    form.locator('[name="note"]').fill("typed before the error")
    form.get_by_role("button", name="Record override").click()

    reason_error = form.locator('[data-field="reason_code"] [data-error-for="reason_code"]')
    expect(reason_error).to_have_text("Choose a reason for the override.")
    expect(form).to_be_visible()
    expect(form.locator('[name="note"]')).to_have_value("typed before the error")
    assert recommendation(page, target["id"])["status"] == "open"

    form.locator('[name="reason_code"]').select_option("INFO_NOT_IN_MODEL")
    form.locator('[name="note"]').fill("")
    form.get_by_role("button", name="Record override").click()
    note_error = form.locator('[data-field="note"] [data-error-for="note"]')
    expect(note_error).to_contain_text("needs a note")
    expect(form.locator('[name="reason_code"]')).to_have_value("INFO_NOT_IN_MODEL")
    expect(form.locator('[data-field="reason_code"] [data-error-for]')).to_have_count(0)

    body = recommendation(page, target["id"])
    assert body["status"] == "open" and body["decisions"] == []


def test_someone_who_does_not_own_it_cannot_decide_it_from_the_ui(page: Page) -> None:
    target = open_direct(page, "ana")[0]
    page.goto("/chat/finn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Finn Weber")
    expect(page.locator(f'article[data-recommendation="{target["id"]}"]')).to_have_count(0)

    # Finn hand-crafts the post the page never offered him.
    page.evaluate(
        """(recId) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/chat/finn/act";
            for (const [name, value] of [["recommendation_id", recId], ["action", "accept"]]) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = String(value);
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        target["id"],
    )
    expect(page.locator('[data-notice="error"]')).to_contain_text(
        "Only Ana Lopez, their backup or their escalation contacts may decide this one."
    )
    body = recommendation(page, target["id"])
    assert body["status"] == "open" and body["decisions"] == []
    assert "decision_refused" in [e["kind"] for e in body["events"]]


def test_new_messages_appear_without_a_reload(page: Page) -> None:
    page.goto("/chat/ana")
    count = page.locator('[data-count="messages"]')
    before = int(count.inner_text())
    page.evaluate("window.stillTheSamePage = true")
    payload = make_rec(
        external_id="live-arrival",
        title="SKU-9999 live arrival at DC-NORTH",
        sku="SKU-9999",
        source="browser-test",
    )
    payload.pop("event_time")
    payload.pop("recorded_time")
    assert page.request.post("/api/v1/recommendations", data=payload).ok
    expect(
        page.locator("[data-feed] > article h3", has_text="SKU-9999 live arrival")
    ).to_be_visible()
    expect(count).to_have_text(str(before + 1))
    assert page.evaluate("window.stillTheSamePage") is True


def test_persona_switcher_views_and_demo_clock(page: Page) -> None:
    page.goto("/chat/ana")
    people = page.get_by_role("navigation", name="Act as").get_by_role("link")
    expect(people).to_have_count(7)
    expect(people.filter(has_text="Greta Lindqvist")).to_contain_text("S&OP lead, facilitator")
    expect(people.filter(has_text="Ben Okafor")).to_contain_text("manager")
    expect(people.filter(has_text="Ana Lopez")).to_contain_text("planner")

    page.get_by_role("link", name="Queue").click()
    expect(page.locator("[data-feed] > article")).to_have_count(len(open_recs(page, "ana")))
    ids = page.locator("[data-feed] > article").evaluate_all("nodes => nodes.map(n => n.id)")
    assert all(i.startswith("q-") for i in ids)

    people.filter(has_text="Greta Lindqvist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Greta Lindqvist")
    assert page.url.endswith("/chat/greta?view=queue")
    page.get_by_role("link", name="#sop-decisions").click()
    # No escalation yet: the channel holds at most the daily lines of what waits on whom.
    expect(page.locator("[data-feed]")).not_to_contain_text("Escalated")
    headers = page.locator("[data-feed] > article h3").all_inner_texts()
    assert all(h.startswith("Waiting on ") for h in headers), headers

    clock = page.locator("[data-clock]")
    before = clock.inner_text()
    page.get_by_role("button", name="+1 day").click()
    expect(page.locator('[data-notice="info"]')).to_contain_text("Demo time is now")
    expect(clock).not_to_have_text(before)
    page.get_by_role("button", name="+1 business hour").click()
    expect(page.locator('[data-notice="info"]')).to_contain_text("Demo time is now")


def test_page_is_readable_and_keyboard_reachable_at_1280x800(page: Page) -> None:
    page.goto("/chat/ana")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 14
    first = page.locator("[data-feed] > article").first
    box = first.bounding_box()
    assert box is not None and box["y"] < 400 and box["x"] + box["width"] <= 1280
    tags = page.locator("[data-action]").evaluate_all("nodes => nodes.map(n => n.tagName)")
    assert tags and set(tags) == {"BUTTON"}

    for _ in range(40):  # Tab from the top of the page to the first Override button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.action") == "override":
            break
    else:
        pytest.fail("no Override button reachable with the Tab key")
    page.keyboard.press("Enter")
    expect(first.locator('form[data-form="override"]')).to_be_visible()
    assert page.evaluate("document.activeElement.name") == "reason_code"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "note"
