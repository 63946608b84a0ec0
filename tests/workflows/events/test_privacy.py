"""People in what leaves sopbot for the planning system: the change feed, every webhook
body and the decision exports carry the review's stable pseudonyms by default (never a
person's id, name, first name, e-mail or chat id), and ids (still never names) only when
`privacy.people_in_events: ids` says so."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from core.clock import AdjustableClock
from core.config import Config
from core.domain import Action
from storage.db import Database
from tests.support.data import MONDAY_9, make_rec
from tests.support.live import LOOPBACK_TLS
from tests.workflows.events.helpers import accept, ingest, override, read_all, stamp
from tests.workflows.events.receiver import Receiver, receiving
from tests.workflows.events.test_webhooks import SECRET, deliverer, hooked
from workflows.base import WorkflowContext
from workflows.decisions.service import DecisionRequest, decide
from workflows.events import ExportFormat, decision_rows, event_people, export_chunks
from workflows.readiness import DossierFormat, assess, render_dossier
from workflows.review.privacy import People
from workflows.review.secrets import report_secret
from workflows.service import Services, build_services
from workflows.sla.sweep import sweep

NOTE = "Ana Lopez and ben agreed; Dora was told, carl@nordwind.example too"


def with_events_mode(config: Config, mode: str) -> Config:
    privacy = config.privacy.model_copy(update={"people_in_events": mode})
    return config.model_copy(update={"privacy": privacy})


def identifying_words(config: Config, *, with_ids: bool) -> set[str]:
    words: set[str] = set()
    for person in config.people:
        words |= {person.name, *person.name.split()}
        words |= {w for w in (person.email, person.slack, person.teams) if w}
        if with_ids:
            words.add(person.id)
    return words


def found_in(text: str, words: set[str], *, case: bool = False) -> list[str]:
    flags = 0 if case else re.IGNORECASE
    return sorted(w for w in words if re.search(rf"\b{re.escape(w)}\b", text, flags))


def history(services: Services) -> None:
    """Every kind of event that names a person: received (owner, backup), an override
    with a note naming people, an accept, a reassignment, an escalation."""
    first, second, third = ingest(services, make_rec(), make_rec(), make_rec())
    override(services, first.id, note=NOTE)
    accept(services, second.id)
    decide(services, DecisionRequest(third.id, "ana", Action.REASSIGN, "api", to="dora", note=NOTE))
    sweep(
        database=services.database,
        config=services.config,
        calendars=services.calendars,
        now=MONDAY_9 + timedelta(days=10),
    )
    stamp(services)


def bodies(services: Services, client: httpx.Client, receiver: Receiver) -> dict[str, str]:
    """The feed, every webhook body as received, and both export formats."""
    feed, _ = read_all(services, limit=2)
    deliverer(services, client).run_once()
    people = event_people(services.database, config=services.config, now=services.clock.now())
    exports = {}
    for fmt in ExportFormat:
        with services.database.read() as session:
            rows = decision_rows(
                session, config=services.config, since=None, until=None, people=people
            )
            exports[fmt.value] = "".join(export_chunks(rows, fmt))
    assert len(feed) == len(receiver.received) >= 6
    assert {e["type"] for e in feed} >= {
        "recommendation.received",
        "recommendation.reassigned",
        "decision.recorded",
        "sla.escalated",
    }
    return {"feed": repr(feed), "webhooks": repr(receiver.received), **exports}


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(verify=LOOPBACK_TLS) as c:
        yield c


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving(SECRET) as found:
        yield found


def started(config: Config, database: Database, clock: AdjustableClock, url: str) -> Services:
    """Services with a subscription whose cursor exists before the first event."""
    services = build_services(database=database, config=hooked(config, url), clock=clock)
    with httpx.Client(verify=LOOPBACK_TLS) as c:
        deliverer(services, c)
    return services


def test_pseudonymous_by_default_no_id_or_name_anywhere(
    database: Database,
    config: Config,
    clock: AdjustableClock,
    client: httpx.Client,
    receiver: Receiver,
) -> None:
    assert config.privacy.people_in_events == "pseudonymous"
    services = started(config, database, clock, receiver.url)
    history(services)
    texts = bodies(services, client, receiver)
    words = identifying_words(config, with_ids=True)
    for where, text in texts.items():
        assert found_in(text, words) == [], where
    # the same stable pseudonym as the review's reports
    with database.transaction() as session:
        people = People(config, report_secret(session, name="pseudonyms", now=MONDAY_9))
    for where, text in texts.items():
        assert people.pseudonym("ana") in text, where
    assert people.pseudonym("dora") in texts["feed"]  # the new owner and the backup
    assert people.pseudonym("ben") in texts["csv"]  # named in the note


def test_ids_mode_carries_ids_but_never_names(
    database: Database,
    config: Config,
    clock: AdjustableClock,
    client: httpx.Client,
    receiver: Receiver,
) -> None:
    services = started(with_events_mode(config, "ids"), database, clock, receiver.url)
    history(services)
    texts = bodies(services, client, receiver)
    # ids here are lower-case first names ("ana"): names are searched as written
    names = identifying_words(config, with_ids=False)
    for where, text in texts.items():
        assert found_in(text, names, case=True) == [], where
        assert found_in(text, {"ana"}) == ["ana"], where
        assert "person-" not in text, where
    assert "ana and ben agreed" in texts["jsonl"]  # the note, names replaced by ids


@pytest.mark.parametrize("mode", ["pseudonymous", "ids"])
def test_the_dossier_records_the_privacy_mode(
    database: Database, config: Config, clock: AdjustableClock, mode: str
) -> None:
    configured = with_events_mode(config, mode)
    dossier = assess(WorkflowContext.of(database=database, config=configured, clock=clock))
    assert dossier.privacy.people_in_reports == "pseudonymous"
    assert dossier.privacy.people_in_events == mode
    assert json.loads(render_dossier(dossier, DossierFormat.JSON))["privacy"] == {
        "people_in_reports": "pseudonymous",
        "people_in_events": mode,
        "min_group_size": 5,
    }
    line = (
        "Privacy: people in reports pseudonymous (groups under 5 merged); people in "
        f"events, webhooks and exports {mode} (never names)."
    )
    for fmt in (DossierFormat.MD, DossierFormat.HTML):
        assert line in render_dossier(dossier, fmt), fmt
