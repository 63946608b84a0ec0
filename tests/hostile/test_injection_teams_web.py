"""Hostile text in titles, drivers and notes reaches Teams and the web chat inert.

Teams: Adaptive Card TextBlocks and FactSets read Markdown, so no `[label](url)` link may
form from data (a javascript: link, or a phishing one, would be one click away); the
text itself is still shown. Web chat: everything is HTML-escaped, so the page (and the
feed the page polls) has no element, attribute or link the data made."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import httpx

from adapters.local import LocalChat
from bot.runtime import Runtime
from tests.hostile.injection import NOTE, hostile_rec, strings
from tests.support.cards import texts
from tests.support.teams import TeamsWorld
from tests.support.web import settled
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch

MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(")
MARKDOWN_KEYS = {("TextBlock", "text"), ("Fact", "title"), ("Fact", "value")}


def markdown_texts(card: dict[str, Any]) -> list[str]:
    """Every text an Adaptive Card host reads as Markdown."""
    found = []
    for parent, key, text in strings(card):
        kind = parent.get("type") or ("Fact" if set(parent) == {"title", "value"} else None)
        if (kind, key) in MARKDOWN_KEYS:
            found.append(text)
    return found


def assert_no_links(card: dict[str, Any]) -> None:
    shown = markdown_texts(card)
    assert any("alert(1)" in t for t in shown), "the hostile text should still be shown"
    for text in shown:
        assert not MARKDOWN_LINK.search(text), text


def test_teams_cards_show_the_text_without_links(teams_world: TeamsWorld) -> None:
    teams_world.install("ana")
    rec_id = teams_world.ingest(**hostile_rec())
    teams_world.deliver()
    [call] = teams_world.cards_to("ana")
    assert call.card is not None
    assert_no_links(call.card)
    card_id = call.response_id or ""
    teams_world.submit("ana", card_id, "override", reason_code="COST_TRADEOFF", note=NOTE)
    [put] = teams_world.updates_of(card_id)
    assert_no_links(put.card)
    assert "everyone" in texts(put.card)  # the note is shown
    teams_world.say("ana", "queue")
    for card in teams_world.connector.cards():
        for text in markdown_texts(card):
            assert not MARKDOWN_LINK.search(text), text
    assert teams_world.recommendation(rec_id)["decision"]["note"] == NOTE


class Elements(HTMLParser):
    """The elements and attributes of a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def parsed(html: str) -> Elements:
    page = Elements()
    page.feed(html)
    return page


def assert_inert_html(html: str) -> None:
    page = parsed(html)
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text and "<!channel>" in text  # shown as text
    assert "&lt;b&gt;" in text  # an entity in the data is shown as typed
    assert "[click](javascript:alert(1))" in text
    assert not [t for t, _ in page.tags if t in ("img", "b")]
    assert not any("alert" in s for s in page.scripts)
    for _tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, value)
            assert not (value or "").strip().lower().startswith("javascript:"), (name, value)


def test_web_chat_page_and_feed_are_escaped(
    runtime: Runtime, client: httpx.Client, local_chat: LocalChat
) -> None:
    items = validate_batch(config=runtime.config, raw_items=[hostile_rec()])
    [result] = ingest(runtime.services, items=items)
    runtime.outbox.drain()
    assert_inert_html(client.get("/chat/ana").text)
    [post] = local_chat.direct_messages("ana")
    answer = client.post(
        "/chat/ana/act",
        data={
            "recommendation_id": result.id,
            "action": "override",
            "reason_code": "COST_TRADEOFF",
            "note": NOTE,
            "card": f"m-{post.ref.message_id}",
        },
    )
    assert answer.status_code in (200, 303)
    settled(runtime)  # the post is answered first and decided after (adapters.local.actions)
    runtime.outbox.drain()
    page = client.get("/chat/ana").text
    assert_inert_html(page)
    assert "Per <!everyone>" in "".join(parsed(page).text)  # the note, as text
    feed = client.get("/chat/ana/updates", params={"since": -1}).json()["html"]
    assert_inert_html(feed)
    for view in ("queue", "channel"):
        assert not [
            t
            for t, _ in parsed(client.get(f"/chat/ana?view={view}").text).tags
            if t in ("img", "b")
        ]
    hostile_action = {"recommendation_id": result.id, "action": "<img src=x onerror=alert(5)>"}
    refused = client.post("/chat/ana/act", data=hostile_action)
    assert not [t for t, _ in parsed(refused.text).tags if t == "img"]
