"""Every kind of Teams card, as Microsoft's own renderer draws it: the npm package
`adaptivecards` 3.0.6 (vendored in tests/adapters/teams/renderer, MIT) in headless Chromium,
with Teams' light-theme colours. The cards are the ones the real bot sent through the
fake Bot Connector: a new recommendation, a reminder, an escalation, a digest part, the
card after Accept and after Override, a refused override (its form open with the error)
and the queue.

In the rendered DOM, every visible text (each ShowCard form opened in turn) is measured
against the background it is drawn on: WCAG AA asks 4.5:1, and a text below it fails.
The decided state is words inside a coloured container (a badge), not coloured prose.
The override menu marks the reasons that need a note with *, the choice sets open on
"Choose a reason" / "Choose a colleague", and History names reasons by their labels.
Screenshots of each card go to SOPBOT_CARD_SHOTS when it is set (else the test's tmp)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.adapters.teams.test_redraw_in_place import open_items, press, submits
from tests.adapters.teams.test_snooze_extend import card_to
from tests.support.teams import TeamsWorld

RENDERER = Path(__file__).parent / "renderer"
SCRIPT = RENDERER / "adaptivecards-3.0.6.min.js"
THEMES = ("light", "dark", "contrast")  # Teams' themes; page.html draws each one's frame
HOST_CONFIGS = {t: json.loads((RENDERER / f"teams-{t}.json").read_text()) for t in THEMES}
HOST_CONFIG = HOST_CONFIGS["light"]
AA = 4.5

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 600, "height": 900})
    context.route("**/*", lambda route: route.abort())  # the page fetches nothing
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_content((RENDERER / "page.html").read_text())
    page.add_script_tag(path=str(SCRIPT))
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SOPBOT_CARD_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sent_cards(world: TeamsWorld) -> dict[str, dict[str, Any]]:
    """Drive the real bot through every kind of card; {kind: the card as Teams shows it}."""
    for key in ("ana", "ben", "dora"):
        world.install(key)
    cards: dict[str, dict[str, Any]] = {}
    accepted = world.ingest(title="SKU-4711 bearing 6204-2RS at DC-NORTH")
    world.deliver()
    new_id = card_to(world, "ana", "Stockout risk")
    cards["new"] = world.connector.card_of(new_id)
    world.runtime.advance_clock(timedelta(hours=4, minutes=30))
    cards["reminder"] = world.connector.card_of(card_to(world, "ana", "Reminder:"))
    world.runtime.advance_clock(timedelta(hours=4))
    cards["escalation"] = world.connector.card_of(card_to(world, "ben", "Escalated:"))
    world.submit("ana", new_id, "accept")
    cards["accepted"] = world.connector.card_of(new_id)
    assert world.recommendation(accepted)["status"] == "decided"

    world.ingest(title="SKU-4711 second signal at DC-NORTH")
    world.deliver()
    second = card_to(world, "ana", "Stockout risk: SKU-4711 second")
    world.submit("ana", second, "override", reason_code="SUPPLIER_PATTERN", note=" ")
    cards["refused override"] = world.connector.card_of(second)  # the form open, its error
    world.submit(
        "ana",
        second,
        "override",
        reason_code="SUPPLIER_PATTERN",
        note="SKF-DE over-promises every Q4",
    )
    cards["overridden"] = world.connector.card_of(second)

    world.ingest(title="SKU-4711 third signal at DC-NORTH")  # same item and site: History
    world.deliver()
    third = card_to(world, "ana", "Stockout risk: SKU-4711 third")
    cards["history"] = world.connector.card_of(third)
    open_items(world, 3, confidence=0.3)
    world.runtime.advance_clock(timedelta(hours=24))
    digest = card_to(world, "ana", "Your daily digest")
    cards["digest"] = world.connector.card_of(digest)
    accept = [d for d in submits(cards["digest"]) if d["sopbot"]["action"] == "accept"][1]
    press(world, "ana", digest, accept)
    cards["digest decided"] = world.connector.card_of(digest)  # entry 2 decided in place
    world.say("ana", "queue")
    cards["queue"] = world.connector.card_of(card_to(world, "ana", "Your open recommendations"))
    return cards


def render(page: Page, card: dict[str, Any], theme: str = "light") -> list[str]:
    return page.evaluate(
        "([card, config, theme]) => window.renderCard(card, config, theme)",
        [card, HOST_CONFIGS[theme], theme],
    )


def report(page: Page) -> list[dict[str, Any]]:
    return page.evaluate("() => window.contrastReport()")


# The renderer's own mark after a required input's label, coloured by the host's
# `inputs.label.requiredInputs` (Teams' attention red), not by anything in the card.
HOST_DRAWN = {"*"}


def below_aa(rows: list[dict[str, Any]]) -> list[str]:
    return [
        f"{r['text']!r}: {r['fg']} on {r['bg']} = {r['ratio']}:1"
        for r in rows
        if r["ratio"] < AA and r["text"] not in HOST_DRAWN
    ]


# SQLite only: what Microsoft's renderer draws does not depend on the store, and a
# picture needs one database, not two.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_card_kind_reads_at_wcag_aa_in_microsofts_renderer(
    world: TeamsWorld, page: Page, shots: Path
) -> None:
    failures: dict[str, list[str]] = {}
    measured = 0
    lowest: tuple[float, str] = (21.0, "")
    sent = sent_cards(world)
    for theme, (kind, card) in ((t, k) for t in THEMES for k in sent.items()):
        warnings = render(page, card, theme)
        assert not [w for w in warnings if "error" in w.lower()], (kind, warnings)
        name = f"{kind.replace(' ', '-')}-{theme}"
        page.locator("#host").screenshot(path=str(shots / f"{name}.png"))
        rows = report(page)
        assert rows, f"{kind}: nothing rendered"
        # Each ShowCard (Override, Reassign, Extend SLA) opened in turn, and measured too.
        showcards = page.locator("#host button[aria-expanded]")
        options: list[str] = []
        for n in range(showcards.count()):
            showcards.nth(n).click()
            rows += report(page)
            options += choices(page)
            if n == 0:
                page.locator("#host").screenshot(path=str(shots / f"{name}-form.png"))
            showcards.nth(n).click()
        measured += len(rows)
        ours = [r for r in rows if r["text"] not in HOST_DRAWN]
        lowest = min([lowest] + [(r["ratio"], f"{theme} {kind}: {r['text']}") for r in ours])
        if low := below_aa(rows):
            failures[f"{theme} {kind}"] = low
        checks_for(kind, rows, options, card)
    assert not failures, json.dumps(failures, indent=1)
    assert measured > 200  # every kind rendered real text
    print(f"{measured} rendered texts measured, the lowest contrast {lowest[0]}:1 ({lowest[1]!r})")


def choices(page: Page) -> list[str]:
    """The options of every choice set on screen (an open form's), as rendered."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('#host select'))
        .flatMap(s => Array.from(s.options).map(o => o.text))""")


def checks_for(
    kind: str, rows: list[dict[str, Any]], options: list[str], card: dict[str, Any]
) -> None:
    texts = [r["text"] for r in rows]
    if kind in ("accepted", "overridden", "digest decided"):
        word = "Overridden by" if kind == "overridden" else "Accepted by"
        state = [r for r in rows if r["text"].startswith(word)]
        assert state, f"{kind}: the decided state is not in words ({texts[:8]})"
        assert all(r["badge"] for r in state), f"{kind}: the state is coloured prose, no badge"
    if kind == "refused override":
        assert any("need" in t.lower() and "note" in t.lower() for t in texts), texts
    if kind == "new":
        assert "Known supplier pattern *" in options and "Already actioned" in options, options
        assert "Choose a reason" in options and "Choose a colleague" in options, options
    if kind == "history":
        history = [t for t in texts if t.startswith("- Similar recommendations")]
        assert history and "Known supplier pattern" in history[0], texts
        assert not [t for t in texts if "SUPPLIER_PATTERN" in t]  # what a person reads


def test_the_measurement_catches_coloured_prose(page: Page) -> None:
    """The old decided state, a bold "Warning" / "Good" coloured paragraph, measured the
    same way: below AA and on no badge, so the test above fails on such a card."""
    old = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {
                "type": "TextBlock",
                "text": "Overridden by Ana Lopez",
                "color": "Warning",
                "weight": "Bolder",
                "wrap": True,
            },
            {"type": "TextBlock", "text": "Accepted by Ana Lopez", "color": "Good", "wrap": True},
        ],
    }
    render(page, old)
    rows = {r["text"]: r for r in report(page)}
    assert (
        rows["Overridden by Ana Lopez"]["ratio"] < 2
        and rows["Accepted by Ana Lopez"]["ratio"] < 2.5
    )
    assert len(below_aa(list(rows.values()))) == 2
    assert not any(r["badge"] for r in rows.values())
