"""Privacy of the people in the review's reports: pseudonymous by default (stable
pseudonyms, never an id or a name in JSON, CSV, HTML, Markdown or the chat summary),
hidden, or named (display names and reason labels); small groups merged; the mode
printed on every report."""

from __future__ import annotations

import json
import re

import pytest

from core.clock import Calendars
from core.config import Config
from storage.db import Database
from tests.support.history import write_history
from tests.workflows.review.builder import Item, write_items
from tests.workflows.review.test_cadence_and_chat import ask
from tests.workflows.review.test_review_metrics import review_of, with_min_sample, with_people
from workflows.review import ReportFormat, render
from workflows.review.report import Review
from workflows.service import Services


def every_format(review: Review, config: Config) -> dict[str, str]:
    calendars = Calendars(config)
    texts = {fmt.value: render(review, fmt=fmt, calendars=calendars) for fmt in ReportFormat}
    texts["html"] = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", texts["html"])
    return texts


def people_named(text: str, config: Config) -> list[str]:
    words = {w for p in config.people for w in (p.id, p.name, p.name.split()[0])}
    return [w for w in words if re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)]


def history_with_a_note(database: Database) -> None:
    write_history(database)
    write_items(
        database,
        [Item(owner="dora", kind="override", value=90, reason="DATA_ERROR", note="Ana agreed")],
    )


def test_pseudonymous_by_default_everywhere(database: Database, config: Config) -> None:
    assert config.privacy.people_in_reports == "pseudonymous"
    history_with_a_note(database)
    review = review_of(database, with_people(config, "pseudonymous", 1))
    texts = every_format(review, config)
    for fmt, text in texts.items():
        assert people_named(text, config) == [], fmt
        assert "pseudonymous" in text, fmt
    owners = review.scopes["stockout_risk"]["breakdowns"]["owner"]
    assert len(owners) == 2 and all(k.startswith("person-") for k in owners)
    again = review_of(database, with_people(config, "pseudonymous", 1))
    assert again.scopes["stockout_risk"]["breakdowns"]["owner"].keys() == owners.keys()
    assert json.loads(texts["json"])["privacy"]["people_in_reports"] == "pseudonymous"


def test_a_secret_from_the_environment_changes_every_pseudonym(
    database: Database, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_history(database)
    stored = review_of(database, with_people(config, "pseudonymous", 1))
    monkeypatch.setenv("SOPBOT_REPORT_SECRET", "from-the-vault")
    keyed = review_of(database, with_people(config, "pseudonymous", 1))
    before = set(stored.scopes["all"]["breakdowns"]["owner"])
    after = set(keyed.scopes["all"]["breakdowns"]["owner"])
    assert len(after) == 2 and before.isdisjoint(after)


def test_small_groups_are_merged(database: Database, config: Config) -> None:
    write_history(database)
    # ana decided 8, dora 1; SKF-DE 2 decided: with groups of at least 5, dora and the
    # supplier cannot be told apart (dora alone is below 5: dropped).
    review = review_of(database, with_people(config, "pseudonymous", 5))
    groups = review.scopes["stockout_risk"]["breakdowns"]
    assert [v["decided"] for v in groups["owner"].values()] == [8]
    assert groups["supplier"] == {} and groups["customer"] == {}
    merged = review_of(database, with_people(config, "pseudonymous", 2))
    supplier = merged.scopes["stockout_risk"]["breakdowns"]["customer"]
    assert supplier == {}  # RETAILER-Y's 1 decision: alone below 2
    owners = merged.scopes["stockout_risk"]["breakdowns"]["owner"]
    assert sorted(v["decided"] for v in owners.values()) == [8]


def test_hidden_shows_no_person_at_all(database: Database, config: Config) -> None:
    history_with_a_note(database)
    review = review_of(database, with_people(config, "hidden", 1))
    section = review.scopes["stockout_risk"]
    assert section["breakdowns"]["owner"] == {}
    assert section["load"]["direct_messages_by_owner"] == {}
    for fmt, text in every_format(review, config).items():
        assert people_named(text, config) == [], fmt
        assert "person-" not in text and "hidden" in text, fmt


def test_named_shows_display_names_and_reason_labels(database: Database, config: Config) -> None:
    history_with_a_note(database)
    review = review_of(database, with_min_sample(with_people(config, "named"), 1))
    text = every_format(review, config)["md"]
    assert "People in this report: named" in text
    assert "| Ana Lopez | 8 | 4 |" in text
    assert "Known supplier pattern" in text and "SUPPLIER_PATTERN" not in text
    assert "Ana agreed" in every_format(review, config)["csv"]


def test_the_chat_summary_names_nobody(services: Services) -> None:
    history_with_a_note(services.database)
    reply = ask(services, "greta", "report stockout_risk")
    text = json.dumps(reply.model_dump(mode="json"))
    assert people_named(text, services.config) == []
    assert any("pseudonymous" in line for line in reply.context)
