"""The review's chat words sent 100 times at once through the web chat (a double-click
storm, retries, several people at the same moment), on both databases: every post is
answered without a 5xx, and the database keeps what must be once exactly once: one
secret per purpose behind every report link, one acknowledgement of a period's review,
one sign-off per lead and version."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import func, select

from core.clock import AdjustableClock
from core.config import Config
from core.messages import Message
from storage.db import Database
from storage.models import MatrixSignoff, ReportSecret, ReviewAcknowledgement
from tests.support import web
from tests.support.history import write_history
from tests.workflows.review.readiness_world import demo_config, ready_world
from workflows.ownership.signoffs import Subject, subject_hash
from workflows.review.links import link_secret, verify

BURST = 100


def burst(http: httpx.Client, person_id: str, text: str) -> Counter[int]:
    """`text` typed by `person_id` BURST times at once; the statuses answered."""

    def say(_: int) -> int:
        # A hundred reports at once on a loaded 2-core machine take longer than the
        # client's usual 30 s; what is checked here is the answers, not their speed.
        answer = http.post(f"/chat/{person_id}/command", data={"text": text}, timeout=300)
        return answer.status_code

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        return Counter(pool.map(say, range(BURST)))


def answered(statuses: Counter[int]) -> bool:
    return set(statuses) <= {200, 303}


def replies(runtime: object, person_id: str, typed: str) -> list[Message]:
    chat = web.local_chat_of(runtime)  # type: ignore[arg-type]
    return [
        p.message
        for p in chat.direct_messages(person_id)
        if f"You typed: {typed}" in p.message.context
    ]


def count(database: Database, model: type) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_hundred_concurrent_report_requests_share_one_secret_and_every_link_opens(
    db_url: str, config: Config, clock: AdjustableClock
) -> None:
    database = Database(db_url)
    write_history(database)
    with web.web_runtime(db_url, config, clock) as runtime, web.web_client(runtime) as http:
        statuses = burst(http, "greta", "report")
        assert answered(statuses), statuses
        answers = replies(runtime, "greta", "report")
        assert len(answers) == BURST
        links = [
            line.split(": ", 1)[1]
            for message in answers
            for line in message.context
            if "/reports/overrides.html?token=" in line
        ]
        assert len(links) == BURST
        with database.read() as session:
            names = session.scalars(select(ReportSecret.name)).all()
        assert sorted(names) == ["pseudonyms", "report_links"]
        # Same query, same moment: one token, which the stored secret signed.
        assert len(set(links)) == 1
        with database.transaction() as session:
            secret = link_secret(session, now=clock.now())
        token = parse_qs(urlsplit(links[0]).query)["token"][0]
        assert verify(token, secret=secret, now=clock.now()).type is None
        parts = urlsplit(links[0])
        page = http.get(f"{parts.path}?{parts.query}")
        assert page.status_code == 200 and page.text.startswith("<!DOCTYPE html>")
    database.dispose()


def test_a_hundred_concurrent_reviewed_commands_hold_the_review_once(
    db_url: str, clock: AdjustableClock
) -> None:
    config = demo_config()
    database = Database(db_url)
    ready_world(database, config, clock, reviews=False, signed=False, agreed=False)
    with web.web_runtime(db_url, config, clock) as runtime, web.web_client(runtime) as http:
        statuses = burst(http, "greta", "reviewed expedite read it")
        assert answered(statuses), statuses
        headers = Counter(m.header for m in replies(runtime, "greta", "reviewed expedite read it"))
        assert headers == {"Review acknowledged": 1, "Already acknowledged": BURST - 1}
    with database.read() as session:
        [ack] = session.scalars(select(ReviewAcknowledgement)).all()
    assert (ack.type, ack.reviewer_id, ack.note, ack.channel) == (
        "expedite",
        "greta",
        "read it",
        "local",
    )
    database.dispose()


def test_a_hundred_concurrent_criteria_approvals_sign_once_per_lead(
    db_url: str, clock: AdjustableClock
) -> None:
    """Both leads at once, fifty times each: one sign-off each, every one told approved."""
    config = demo_config()
    short = subject_hash(config, Subject.CRITERIA)[:8]
    text = f"criteria approve {short}"
    with web.web_runtime(db_url, config, clock) as runtime, web.web_client(runtime) as http:

        def say(n: int) -> int:
            lead = ("ben", "greta")[n % 2]
            return http.post(f"/chat/{lead}/command", data={"text": text}).status_code

        with ThreadPoolExecutor(max_workers=BURST) as pool:
            statuses = Counter(pool.map(say, range(BURST)))
        assert answered(statuses), statuses
        for lead in ("ben", "greta"):
            headers = Counter(m.header for m in replies(runtime, lead, text))
            assert headers == {"Success criteria approved": BURST // 2}, (lead, headers)
    database = Database(db_url)
    with database.read() as session:
        rows = session.scalars(select(MatrixSignoff)).all()
    assert sorted((r.lead_id, r.subject) for r in rows) == [
        ("ben", "criteria"),
        ("greta", "criteria"),
    ]
    database.dispose()
