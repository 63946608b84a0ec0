"""Issue 27 in a real browser: a command typed under a long feed is answered where the
person is looking (the page opens at the answer, inside the viewport, not 2,000 px
below while the page stays at the top), and an interview's turns are kept together in
one thread element of their own, apart from the recommendation cards."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bot.runtime import Runtime
from tests.support.data import make_rec
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser


def command(page: Page, person: str, text: str) -> str:
    """Type `text` in the command box; the id of the card the page then opens at."""
    page.locator("#command-text").fill(text)
    page.locator("#command-text").press("Enter")
    page.wait_for_url(f"**/chat/{person}?view=messages#m-*")
    return page.evaluate("location.hash")


def test_a_commands_answer_is_in_the_viewport_under_a_long_feed(
    page: Page, demo: tuple[Runtime, LiveServer]
) -> None:
    for n in range(6):  # a morning's more for Ana, so her feed is long whatever the demo
        response = page.request.post("/api/v1/recommendations", data=make_rec(sku=f"SKU-L{n}"))
        assert response.ok, response.text()
    demo[0].outbox.drain()
    page.goto("/chat/ana")
    feed_height = page.locator("[data-feed]").evaluate("n => n.scrollHeight")
    assert feed_height > 2000, feed_height  # the demo's feed is long: the case at hand
    answer = page.locator(command(page, "ana", "help"))
    expect(answer).to_contain_text("sopbot commands")
    expect(answer).to_contain_text("You typed: help")
    expect(answer).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # the page moved to it
    header_bottom = page.locator("header.top").bounding_box()
    box = answer.bounding_box()
    assert header_bottom and box and box["y"] >= header_bottom["height"] - 1  # not under the bar


def test_interview_turns_are_kept_in_a_thread_of_their_own(
    page: Page, demo: tuple[Runtime, LiveServer]
) -> None:
    runtime = demo[0]
    page.goto("/chat/greta")
    command(page, "greta", "interview @ana suppliers")
    runtime.outbox.drain()  # the invitation, the first turn
    page.goto("/chat/ana")
    first = command(page, "ana", "HYDRAFLEX-IT hose assemblies, PO 4500177, last October")
    second = command(page, "ana", "skip")
    threads = page.locator("[data-feed] > [data-thread]")
    expect(threads).to_have_count(1)
    turns = threads.locator("article")
    expect(turns).to_have_count(3)  # the invitation, and the two answers
    expect(turns.first).to_contain_text("Interview: Suppliers (1 of 12)")
    expect(threads.locator(first)).to_contain_text("(2 of 12)")
    expect(threads.locator(second)).to_contain_text("(3 of 12)")
    expect(threads.locator(second)).to_be_in_viewport()
    cards = page.locator("[data-feed] > article")  # the recommendations, outside it
    expect(cards.filter(has_text="Interview:")).to_have_count(0)
    assert cards.count() > 0
    # a command that is no interview turn stays out of the thread
    command(page, "ana", "help")
    expect(threads.locator("article")).to_have_count(3)
