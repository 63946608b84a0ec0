"""Issue #12 for the web chat: a form post is answered at once (303) with nothing on
that path that touches the database, and the decision is made after the answer,
exactly once (the database's unique key). The page it leads to shows the outcome: who
decided, or, for a late clicker, who decided first; a form error only the database
can find reopens the form. On SQLite and PostgreSQL, over real HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from adapters.local import LocalChat
from bot.runtime import Runtime
from core.config import Config
from storage.models import Decision
from tests.support.data import make_rec
from tests.support.locks import answered_while_held
from tests.support.web import decided, ingest, settled
from workflows.intake import ingestion as ingestion
from workflows.intake.validation import validate_batch

RECOMMENDATIONS = 50
CLICKERS = ("ana", "dora")  # the owner of a DC-NORTH stockout risk, and her backup


@pytest.fixture
def config(config: Config) -> Config:
    """The demo configuration without its daily cap: all 50 reach Ana directly."""
    return config.model_copy(
        update={"digest": config.digest.model_copy(update={"daily_direct_cap": None})}
    )


def accept(rec_id: int) -> dict[str, object]:
    return {"recommendation_id": rec_id, "action": "accept"}


def test_a_post_is_answered_while_the_database_is_held(
    runtime: Runtime, client: httpx.Client, local_chat: LocalChat
) -> None:
    rec_id = ingest(runtime)
    card = f"m-{local_chat.direct_messages('ana')[0].ref.message_id}"
    answer = answered_while_held(
        runtime.database,
        lambda: client.post("/chat/ana/act", data={**accept(rec_id), "card": card}),
    )
    assert answer.status_code == 303 and answer.headers["x-sopbot-outcome"] == "queued"
    assert answer.headers["location"] == f"/chat/ana?view=messages#{card}"
    settled(runtime)
    assert decided(client, rec_id)["decision"]["actor"] == "ana"
    page = client.get(answer.headers["location"])
    assert page.headers["x-sopbot-outcome"] == "done" and "Accepted by Ana Lopez" in page.text


def test_a_late_clicker_is_told_who_decided_first(runtime: Runtime, client: httpx.Client) -> None:
    rec_id = ingest(runtime)
    assert client.post("/chat/ana/act", data=accept(rec_id)).status_code == 303
    settled(runtime)
    assert client.post("/chat/dora/act", data=accept(rec_id)).status_code == 303
    settled(runtime)
    dora = client.get("/chat/dora")
    assert dora.headers["x-sopbot-outcome"] == "already-decided"
    assert "Already decided (accept) by Ana Lopez" in dora.text
    assert len(decided(client, rec_id)["decisions"]) == 1


def test_a_refusal_only_the_database_finds_reopens_the_form(
    runtime: Runtime, client: httpx.Client, local_chat: LocalChat
) -> None:
    """Extend SLA twice, the second time to before the due time the first one set: the
    form alone cannot know, so the answer is 303 and the page reopens the form."""
    rec_id = ingest(runtime)
    runtime.advance_clock(timedelta(days=1))  # escalated to Ben
    [ping] = [p for p in local_chat.direct_messages("ben") if p.message.recommendation_id == rec_id]
    card = f"m-{ping.ref.message_id}"
    data = {"recommendation_id": rec_id, "action": "extend", "card": card, "reason": "call"}
    first = client.post("/chat/ben/act", data={**data, "due_at": "2026-12-04T12:00"})
    assert first.headers["x-sopbot-outcome"] == "queued"
    settled(runtime)
    assert "SLA extended" in client.get("/chat/ben").text
    runtime.outbox.drain()
    [ping] = [
        p
        for p in local_chat.direct_messages("ben")
        if p.message.recommendation_id == rec_id and p.message.buttons
    ]
    card = f"m-{ping.ref.message_id}"
    second = client.post("/chat/ben/act", data={**data, "card": card, "due_at": "2026-12-03T12:00"})
    assert second.headers["x-sopbot-outcome"] == "queued"
    settled(runtime)
    page = client.get(second.headers["location"])
    assert page.headers["x-sopbot-outcome"] == "invalid"
    form = page.text[page.text.index(f'id="{card}-extend"') :]
    assert "hidden" not in form[: form.index(">")]  # reopened
    field = form[form.index('data-field="due_at"') :]
    assert "must be later than now and than the current" in field[: field.index("</div>")]
    assert 'value="2026-12-03T12:00"' in form[: form.index("</form>")]


def test_a_hundred_concurrent_posts_are_all_answered_and_decide_once(
    runtime: Runtime, client: httpx.Client, local_chat: LocalChat
) -> None:
    """Two posts per recommendation, the owner and her backup racing each other."""
    raw = [make_rec(title=f"SKU-{n} at DC-NORTH", sku=f"SKU-{n}") for n in range(RECOMMENDATIONS)]
    results = ingestion.ingest(
        runtime.services, items=validate_batch(config=runtime.config, raw_items=raw)
    )
    runtime.outbox.drain()
    ids = [r.id for r in results]
    posts = [(person, rec_id) for rec_id in ids for person in CLICKERS]
    assert len(posts) == 100

    def post(person_and_rec: tuple[str, int]) -> int:
        person, rec_id = person_and_rec
        return client.post(f"/chat/{person}/act", data=accept(rec_id)).status_code

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        statuses = list(pool.map(post, posts))
    assert statuses == [303] * len(posts)

    settled(runtime)
    with runtime.database.read() as session:
        per_rec = dict(
            session.execute(
                select(Decision.recommendation_id, func.count()).group_by(
                    Decision.recommendation_id
                )
            ).all()
        )
    assert per_rec == {rec_id: 1 for rec_id in ids}
    runtime.outbox.drain()
    owner_posts = [p for p in local_chat.direct_messages("ana") if p.message.recommendation_id]
    assert len(owner_posts) == RECOMMENDATIONS
    assert all(p.version > 1 and p.message.status for p in owner_posts)  # updated in place
