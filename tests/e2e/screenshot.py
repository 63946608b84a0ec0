"""Regenerate the README's screenshot of the demo chat (1280x800):

    .venv/bin/python -m tests.e2e.screenshot

Not a test: it writes adapters/local/static/demo-screenshot.png, which is committed."""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from bot.demo import prepare_demo
from bot.server import create_app
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from tests.support.live import serving

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "adapters" / "local" / "static" / "demo-screenshot.png"


def main() -> None:
    runtime, _count = prepare_demo(Path(tempfile.mkdtemp(prefix="sopbot-shot-")))
    with serving(create_app(runtime)) as server, sync_playwright() as playwright:
        runtime.outbox.drain()
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport=VIEWPORT, base_url=server.url)
        page.goto("/chat/ana")
        cards = page.locator("[data-feed] > article")
        cards.nth(0).get_by_role("button", name="Accept").click()
        page.locator("[data-feed] > article [data-status]").first.wait_for()
        expect(page.locator('[data-badge="ana"]')).to_have_text("3")  # the update has landed
        second = page.locator("[data-feed] > article").nth(1)
        second.get_by_role("button", name="Override").click()
        form = second.locator('form[data-form="override"]')
        form.locator('[name="reason_code"]').select_option("SUPPLIER_PATTERN")
        form.locator('[name="note"]').fill("SKF-DE confirms late every Q4 but ships on time")
        page.mouse.move(0, 0)
        page.evaluate("window.scrollTo(0, 390)")  # the accepted card's status and the form
        page.screenshot(path=str(TARGET))
        browser.close()
    runtime.stop()
    print(f"{TARGET} ({TARGET.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
