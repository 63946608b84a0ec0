"""The HTML override review opened in headless Chromium as a manager would open the
file: no console errors, both charts decoded, the small-sample sentence visible."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Error

from tests.support.browser import VIEWPORT
from tests.workflows.review.test_report_formats import report


def test_html_report_opens_without_console_errors(browser: Browser, tmp_path: Path) -> None:
    output = tmp_path / "review.html"
    report(tmp_path, "--format", "html", "--output", str(output))
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"console: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"pageerror: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.goto(output.as_uri())
    assert page.title() == "Override review: the beginning to now"
    widths = page.eval_on_selector_all("img", "images => images.map(i => i.naturalWidth)")
    # Calibration for all and for the type; the stairstep's n (7) is below the minimum.
    assert len(widths) >= 2 and all(w > 100 for w in widths)
    assert page.get_by_role("heading", name="Stockout risk").is_visible()
    assert page.locator("td.small").first.inner_text().startswith("n too small (n=")
    context.close()
    assert problems == [], problems
