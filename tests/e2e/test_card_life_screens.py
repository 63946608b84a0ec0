"""A card's life in the web chat (issue 27), light and dark: the owner's one card when
new, after a reminder (a follow-up under it), once escalated (overdue, escalated to
whom) and once decided, each drawn from state and photographed in headless Chromium.
With SOPBOT_SCREENS_DIR set the PNGs go there (`docs/screens/` holds the committed
ones, linked from docs/sla.md); else to the test's tmp. Each must stay small."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from bot.runtime import Runtime
from bot.server import create_app
from core.clock import AdjustableClock
from core.config import Config
from tests.support.browser import VIEWPORT
from tests.support.data import MONDAY_9
from tests.support.live import serving
from tests.support.web import ingest, local_chat_of, web_runtime
from workflows.decisions.service import record_accept

pytestmark = pytest.mark.browser

MAX_BYTES = 150 * 1024
THEMES = ("light", "dark")
# (state, how far the clock moves first, what the card then says, how its header starts,
# the status line's headline and colour: None once decided, the decided badge instead)
LIFE = (
    ("new", timedelta(0), "Due in 8 business hours", "Stockout risk", ("Due in 8", "good")),
    (
        "reminded",
        timedelta(hours=4, minutes=30),
        "Reminder: due in",
        "Reminder: ",
        ("Due in 3h 30m", "warning"),
    ),
    (
        "escalated",
        timedelta(hours=4),
        "Escalated to Ben Okafor (level 1)",
        "Overdue: ",
        ("Overdue since", "attention"),
    ),
    ("decided", timedelta(0), "Accepted by Ben Okafor", "Stockout risk", None),
)
AA = 4.5
# The contrast of each text of an element against its own (opaque) background, by WCAG.
CONTRAST = """el => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92
    : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const bg = rgb(getComputedStyle(el).backgroundColor);
  return Array.from(el.querySelectorAll('p, strong, code')).map(t => {
    const [a, b] = [lum(rgb(getComputedStyle(t).color)), lum(bg)].sort((x, y) => y - x);
    return [t.innerText, (a + 0.05) / (b + 0.05)];
  });
}"""


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SOPBOT_SCREENS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def runtime(tmp_path: Path, sqlite_template: Path, config: Config) -> Iterator[Runtime]:
    """SQLite only: a picture needs one database, not two."""
    path = tmp_path / "sopbot.db"
    path.write_bytes(sqlite_template.read_bytes())
    clock = AdjustableClock(MONDAY_9, frozen=True)
    with web_runtime(f"sqlite:///{path}", config, clock) as rt:
        yield rt


def test_a_cards_life_in_the_web_chat(browser: Browser, runtime: Runtime, shots: Path) -> None:
    rec_id = ingest(runtime, title="SKU-4711 bearing 6204-2RS at DC-NORTH")
    [post] = local_chat_of(runtime).direct_messages("ana")
    card_id = f"m-{post.ref.message_id}"
    with serving(create_app(runtime, start_background=False)) as server:
        pages = {}
        for theme in THEMES:
            context = browser.new_context(
                viewport=VIEWPORT, base_url=server.url, color_scheme=theme
            )
            pages[theme] = context.new_page()
        for state, step, says, header, line in LIFE:
            if step:
                runtime.advance_clock(step)
            if state == "decided":
                record_accept(
                    runtime.services, recommendation_id=rec_id, actor_id="ben", channel="local"
                )
                runtime.outbox.drain()
            for theme, page in pages.items():
                page.goto("/chat/ana")
                card = page.locator(f"#{card_id}")
                expect(card).to_contain_text(says)
                assert card.locator("h3").inner_text().startswith(header), state
                badge = card.locator("[data-state]")
                if line is None:
                    expect(badge).to_have_count(0)
                else:  # the state: the line right under the header, coloured, at AA
                    headline, tone = line
                    assert badge.locator("strong").inner_text().startswith(headline), state
                    assert f"state-{tone}" in (badge.get_attribute("class") or ""), state
                    low = [(t, r) for t, r in badge.evaluate(CONTRAST) if r < AA]
                    assert not low, (state, theme, low)
                path = shots / f"webchat-{state}-{theme}.png"
                card.screenshot(path=str(path))
                assert 0 < path.stat().st_size < MAX_BYTES, (path, path.stat().st_size)
        dark = (
            pages["dark"]
            .locator(f"#{card_id}")
            .evaluate("n => getComputedStyle(n).backgroundColor")
        )
        light = (
            pages["light"]
            .locator(f"#{card_id}")
            .evaluate("n => getComputedStyle(n).backgroundColor")
        )
        assert dark != light and light == "rgb(255, 255, 255)"
        for page in pages.values():
            page.context.close()
    assert len(list(shots.glob("webchat-*.png"))) == len(LIFE) * len(THEMES)
