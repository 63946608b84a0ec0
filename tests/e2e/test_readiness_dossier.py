"""The go-live dossier as a steering committee opens it: the HTML from `sopbot readiness
--format html` in headless Chromium, with no console errors, every gate's verdict and
evidence visible, and printable (Chromium makes a PDF of it)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Error

from core.clock import AdjustableClock
from storage import migrate
from storage.db import Database
from tests.support.browser import VIEWPORT
from tests.support.data import MONDAY_9
from tests.workflows.review.readiness_world import demo_config, ready_world
from workflows.readiness import DossierFormat, assess, render_dossier
from workflows.service import build_services

# Where the screenshot goes, to look at (kept in the test's temporary folder otherwise).
SHOTS = os.environ.get("SOPBOT_SCREENSHOTS")


def test_the_dossier_opens_in_chromium_and_prints(browser: Browser, tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'pilot.db'}")
    migrate.upgrade(database)
    config = demo_config()
    clock = AdjustableClock(MONDAY_9, frozen=True)
    ready_world(database, config, clock)
    services = build_services(database=database, config=config, clock=clock)
    dossier = assess(services)
    output = tmp_path / "dossier.html"
    output.write_text(render_dossier(dossier, DossierFormat.HTML), encoding="utf-8")
    database.dispose()
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
    assert page.title() == "sopbot go-live readiness"
    assert page.locator(".verdict").inner_text().startswith("READY to go live")
    assert page.locator("section h2").count() == 5
    assert page.get_by_text("Greta Lindqvist acknowledged the review", exact=False).count() == 5
    assert page.locator(".tag.pass").count() == 4 and page.locator(".tag.open").count() == 1
    shot = Path(SHOTS) if SHOTS else tmp_path
    page.screenshot(path=str(shot / "readiness-dossier.png"), full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    context.close()
    assert problems == [], problems
