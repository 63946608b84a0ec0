"""A card's life in Teams (issue 27) as Microsoft's renderer draws it (adaptivecards
3.0.6, tests/adapters/teams/renderer), light and dark: Ana's one card when new, after a reminder,
once escalated and once decided, each the card the real bot put on the fake Bot
Connector (updated in place: always the same activity). With SOPBOT_SCREENS_DIR set the
PNGs go there (`docs/screens/` holds the committed ones); else to the test's tmp."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.adapters.teams.test_rendered_cards import RENDERER, SCRIPT, render
from tests.support.cards import texts
from tests.support.teams import TeamsWorld
from workflows.decisions.service import record_accept

pytestmark = pytest.mark.browser

MAX_BYTES = 150 * 1024
THEMES = ("light", "dark")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 600, "height": 900})
    context.route("**/*", lambda route: route.abort())  # the page fetches nothing
    page = context.new_page()
    page.set_content((RENDERER / "page.html").read_text())
    page.add_script_tag(path=str(SCRIPT))
    yield page
    context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SOPBOT_SCREENS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# SQLite only: what Microsoft's renderer draws does not depend on the store, and a
# picture needs one database, not two.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_cards_life_in_teams(world: TeamsWorld, page: Page, shots: Path) -> None:
    for key in ("ana", "ben"):
        world.install(key)
    rec_id = world.ingest(title="SKU-4711 bearing 6204-2RS at DC-NORTH")
    world.deliver()
    [card] = world.cards_to("ana")
    card_id = card.response_id
    assert card_id is not None
    life = []
    life.append(("new", world.connector.card_of(card_id), "Due in 8 business hours"))
    world.runtime.advance_clock(timedelta(hours=4, minutes=30))
    life.append(("reminded", world.connector.card_of(card_id), "Due in 3h 30m"))
    world.runtime.advance_clock(timedelta(hours=4))
    life.append(("escalated", world.connector.card_of(card_id), "Escalated to Ben Okafor"))
    record_accept(world.runtime.services, recommendation_id=rec_id, actor_id="ben", channel="teams")
    world.deliver()
    life.append(("decided", world.connector.card_of(card_id), "Accepted by Ben Okafor"))
    assert len(world.cards_to("ana")) == 1 + 1  # the card, and one reminder reply under it
    for state, shown, says in life:
        assert says in texts(shown), (state, texts(shown)[:400])
        for theme in THEMES:
            warnings = render(page, shown, theme)
            assert not [w for w in warnings if "error" in w.lower()], warnings
            path = shots / f"teams-{state}-{theme}.png"
            page.locator("#host").screenshot(path=str(path))
            assert 0 < path.stat().st_size < MAX_BYTES, (path, path.stat().st_size)
