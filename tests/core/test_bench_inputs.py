"""`make bench` is not part of the suite (it measures), so what it sends is checked here:
a bench that builds a request the product now refuses fails in seconds, not after a
minute of setup in `make bench`."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from bench.clicks import NOWHERE_ID, Delivered, signed_clicks


def test_the_click_bench_builds_valid_signed_accept_clicks_for_its_warm_up_too() -> None:
    targets = [Delivered(7, "U1", "D1", "1.0"), Delivered(NOWHERE_ID, "U1", "D1", "1.0")]
    clicks = signed_clicks(targets, "0")
    assert len(clicks) == 2
    for body, headers in clicks:
        payload = json.loads(parse_qs(body.decode())["payload"][0])
        assert payload["actions"][0]["value"]
        assert headers["X-Slack-Signature"].startswith("v0=")
