"""`report` in chat answers with a short-lived signed link to the HTML override review:
typed in the web chat, and rendered for Slack and Teams from the same reply, the link
opens the report in headless Chromium (no shell, no API token)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from adapters.slack.blocks import as_dicts, message_blocks
from adapters.teams.cards import render_card
from tests.e2e.test_interview_web_chat import command, demo_page, latest
from tests.workflows.review.test_cadence_and_chat import ask

pytestmark = pytest.mark.browser
LINK = re.compile(r"(?:https?://[^\s\"<>]+)?/reports/overrides\.html\?token=[A-Za-z0-9_.-]+")


# The report draws its charts on request: a bound for a hang, generous for a busy machine.
OPEN_TIMEOUT_MS = 60_000


def opens_the_report(page: Page, link: str, title: str) -> None:
    response = page.goto(link, timeout=OPEN_TIMEOUT_MS)
    assert response is not None and response.status == 200
    assert page.title() == title
    assert page.get_by_text("People in this report: pseudonymous").is_visible()
    widths = page.eval_on_selector_all("img", "images => images.map(i => i.naturalWidth)")
    assert widths and all(w > 100 for w in widths)


def test_report_in_chat_opens_the_html_report_on_every_platform(
    browser: Browser, tmp_path: Path
) -> None:
    with demo_page(browser, tmp_path / "demo") as (page, runtime):
        command(page, "greta", "report")
        [web_link] = LINK.findall(latest(page))
        opens_the_report(page, web_link, "Override review: the beginning to now")
        services = runtime.services  # type: ignore[attr-defined]
        reply = ask(services, "greta", "report supplier_delay")
        slack = json.dumps(as_dicts(message_blocks(reply)))
        teams = json.dumps(render_card(reply))
        for rendered in (slack, teams):
            [link] = LINK.findall(rendered)
            opens_the_report(
                page, link, "Override review: the beginning to now, type supplier_delay"
            )
