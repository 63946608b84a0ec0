"""Issue #12 in a real browser: the Accept post is answered before any database work,
so the page comes back even while the database cannot be written; it says the click
is being recorded, and once the work is done the same page (no reload) shows the card
decided in place and who decided."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bot.runtime import Runtime
from tests.e2e.test_web_chat import dm_card, open_direct, recommendation
from tests.support.live import LiveServer
from tests.support.locks import database_held

pytestmark = pytest.mark.browser


def test_accept_is_answered_first_and_the_page_shows_the_decision_when_done(
    page: Page, demo: tuple[Runtime, LiveServer]
) -> None:
    runtime = demo[0]
    target = open_direct(page, "ana")[0]
    page.goto("/chat/ana")
    card = dm_card(page, target["id"])
    with database_held(runtime.database):  # nothing can be written meanwhile
        card.get_by_role("button", name="Accept").click()
        expect(page.locator('[data-notice="info"]')).to_contain_text(
            f"Recording your accept of recommendation #{target['id']}"
        )
        page.evaluate("window.stillTheSamePage = true")
        expect(card.get_by_role("button", name="Accept")).to_have_count(1)  # not yet decided
    expect(card.locator("[data-status]")).to_contain_text("Accepted by Ana Lopez")
    expect(page.locator('[data-notice="good"]')).to_contain_text("Accepted by Ana Lopez")
    expect(card.get_by_role("button", name="Accept")).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is True
    assert recommendation(page, target["id"])["decision"]["actor"] == "ana"
