"""A context interview in the web chat, in headless Chromium: Greta (facilitator) starts
it from the command box, Ana answers in her direct messages, skips, goes back, the demo
server restarts on the same data directory and she resumes where she was; Greta
approves; the rule is then on a matching recommendation and not on another one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.demo import prepare_demo
from bot.server import create_app
from tests.support.browser import VIEWPORT
from tests.support.data import make_rec
from tests.support.interviews import SUPPLIER_ANSWERS
from tests.support.live import serving

pytestmark = pytest.mark.browser


@contextmanager
def demo_page(browser: Browser, data_dir: Path) -> Iterator[tuple[Page, object]]:
    """The demo served on `data_dir` and a page on it; fails on any page error."""
    runtime, _ = prepare_demo(data_dir)
    with serving(create_app(runtime)) as server:
        runtime.outbox.drain()
        context = browser.new_context(viewport=VIEWPORT, base_url=server.url)
        context.set_default_timeout(10_000)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        yield page, runtime
        context.close()
        assert problems == [], problems
    runtime.stop()


def command(page: Page, person: str, text: str) -> None:
    page.goto(f"/chat/{person}")
    page.locator("#command-text").fill(text)
    page.locator("#command-text").press("Enter")
    page.wait_for_url(f"**/chat/{person}?view=messages#m-*")  # opened at the answer


def latest(page: Page) -> str:
    """The answer to the last command: the card the page was opened at."""
    return page.locator(page.evaluate("location.hash")).inner_text()


def test_interview_in_the_web_chat_survives_a_restart_and_its_rule_shows_where_it_matches(
    browser: Browser,
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "demo"
    with demo_page(browser, data_dir) as (page, runtime):
        command(page, "greta", "interview @ana suppliers")
        expect(page.locator("[data-feed]")).to_contain_text(
            "Started the Suppliers interview with Ana Lopez"
        )
        runtime.outbox.drain()
        page.goto("/chat/ana")
        expect(page.locator("[data-feed]")).to_contain_text("Interview: Suppliers (1 of 12)")
        command(page, "ana", "HYDRAFLEX-IT hose assemblies, PO 4500177, last October")
        assert "(2 of 12)" in latest(page)
        command(page, "ana", "skip")
        assert "(3 of 12)" in latest(page)
        command(page, "ana", "back")
        assert "(2 of 12)" in latest(page) and "(skipped)" in latest(page)
        command(page, "ana", SUPPLIER_ANSWERS["timeline"])
        assert "(3 of 12)" in latest(page)

    with demo_page(browser, data_dir) as (page, runtime):  # the server restarted
        command(page, "ana", "resume")
        assert "(3 of 12)" in latest(page) and "Welcome back" in latest(page)
        for key in ("cues", "newcomer", "tricks"):
            command(page, "ana", SUPPLIER_ANSWERS[key])
        command(page, "ana", "HYDRAFLEX")
        assert "Did you mean HYDRAFLEX-IT?" in latest(page)
        for answer in (
            "HYDRAFLEX-IT",
            "always",
            "Hose assemblies ship a week after the confirmed date; plan for it",
            "7 days (5-10)",
            "6 of the last 8 POs",
            "high",
            "supplier_delay",
        ):
            command(page, "ana", answer)
        assert "draft context rule hydraflex-it-suppliers" in latest(page)
        runtime.outbox.drain()
        command(page, "greta", "rules approve hydraflex-it-suppliers")
        assert "Approved by Greta Lindqvist" in latest(page)

        for supplier in ("HYDRAFLEX-IT", "TIMKEN-US"):
            response = page.request.post(
                "/api/v1/recommendations",
                data=make_rec(
                    type="supplier_delay",
                    supplier=supplier,
                    site="DC-NORTH",
                    title=f"{supplier} PO 4509999 late",
                ),
            )
            assert response.ok, response.text()
        runtime.outbox.drain()
        page.goto("/chat/carl")
        matching = page.locator("[data-feed] > article", has_text="HYDRAFLEX-IT PO 4509999")
        expect(matching).to_contain_text("Context rules")
        expect(matching).to_contain_text("Hose assemblies ship a week after the confirmed date")
        expect(matching).to_contain_text("From Ana Lopez")
        other = page.locator("[data-feed] > article", has_text="TIMKEN-US PO 4509999")
        expect(other).to_be_visible()
        expect(other).not_to_contain_text("Context rules")
