"""The README's Demo section: a screenshot of the web chat that exists, is small, and is
1280x800, and says what to click first."""

from __future__ import annotations

import struct

from tests.support.data import ROOT

SCREENSHOT = "adapters/local/static/demo-screenshot.png"


def test_readme_shows_the_demo_screenshot_and_what_to_click_first() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    demo = readme[readme.index("## Demo") :]
    demo = demo[: demo.index("\n## ", 1)]
    assert f"]({SCREENSHOT})" in demo
    assert "What to click first" in demo and "**Accept**" in demo and "**Override**" in demo
    png = (ROOT / SCREENSHOT).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) < 300 * 1024
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1280, 800)
