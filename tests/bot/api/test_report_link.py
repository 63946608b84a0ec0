"""The signed, short-lived link to the HTML override review that `report` sends in chat:
it opens without a bearer token, a changed or expired link is refused."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import httpx

from bot.runtime import Runtime
from core.clock import AdjustableClock
from tests.support.history import write_history
from tests.support.live import LOOPBACK_TLS
from tests.workflows.review.test_cadence_and_chat import ask


def link_in(runtime: Runtime, text: str = "report") -> str:
    reply = ask(runtime.services, "greta", text)
    [line] = [c for c in reply.context if "/reports/overrides.html?token=" in c]
    url = line.split(": ", 1)[1]
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_the_link_opens_the_report_until_it_expires(
    runtime: Runtime, api: httpx.Client, clock: AdjustableClock
) -> None:
    write_history(runtime.database)
    link = link_in(runtime, "report stockout_risk")
    with httpx.Client(
        base_url=api.base_url, timeout=30, verify=LOOPBACK_TLS
    ) as browser:  # no bearer token
        page = browser.get(link)
        assert page.status_code == 200 and page.text.startswith("<!DOCTYPE html>")
        assert "<title>Override review: the beginning to now, type stockout_risk</title>" in (
            page.text
        )
        assert "People in this report: pseudonymous" in page.text
        assert page.headers["cache-control"] == "no-store"
        body, mac = link.split("token=")[1].split(".")
        forged = browser.get(f"/reports/overrides.html?token={body}x.{mac}")
        assert forged.status_code == 403 and "not valid" in forged.text
        assert browser.get("/reports/overrides.html").status_code == 403
        clock.advance(timedelta(minutes=15))
        expired = browser.get(link)
        assert expired.status_code == 403 and "expired" in expired.text
