"""Issue 24: a web chat click answered (303, "Recording your accept...") and never
worked, because the process died between the answer and the work, is done by the next
process, once: the post is journaled between the two (workflows.decisions.durable), and
the next process's takeover records it. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import update

from adapters.local import LocalAdapter
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from storage.models import PendingAction
from tests.adapters.local.test_web_routes import decided, ingest
from workflows.decisions import wall_now
from workflows.decisions.journal import LEASE, unfinished


def local(runtime: Runtime) -> LocalAdapter:
    return next(a for a in runtime.adapters if isinstance(a, LocalAdapter))


@pytest.fixture
def next_process(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Runtime]:
    settings = Settings(
        database_url=db_url, local_chat=True, api_open_for_demo=True, scheduler=False
    )
    runtime = build_runtime(settings, config=config, clock=clock, upgrade=False)
    yield runtime
    runtime.stop()


def test_an_answered_post_whose_work_never_ran_is_recorded_once_by_the_next_process(
    runtime: Runtime, client: httpx.Client, next_process: Runtime
) -> None:
    rec_id = ingest(runtime)
    journal = local(runtime).journal
    write = journal.write_then

    def written_never_started(item: object, start: Callable[[], None]) -> None:
        write(item, lambda: None)  # the process dies before its work starts

    journal.write_then = written_never_started  # type: ignore[method-assign]
    answer = client.post("/chat/ana/act", data={"recommendation_id": rec_id, "action": "accept"})
    assert answer.status_code == 303 and answer.headers["x-sopbot-outcome"] == "queued"
    journal.stop()  # what was answered is written
    assert len(unfinished(database=runtime.database, platform="local")) == 1
    assert decided(client, rec_id)["status"] == "open"

    with runtime.database.transaction() as session:  # the dead process's lease runs out
        session.execute(update(PendingAction).values(claimed_at=wall_now() - LEASE * 2))
    taker = local(next_process)
    assert taker.journal.take_over(taker.web.actions.redo) == 1
    assert taker.after.wait()
    body = decided(client, rec_id)
    assert body["status"] == "decided" and body["decision"]["channel"] == "local"
    assert [d["kind"] for d in body["decisions"]] == ["accept"]
    assert unfinished(database=runtime.database, platform="local") == []
    assert taker.journal.take_over(taker.web.actions.redo) == 0
    notice, _draft = taker.web.outcomes.take("ana")  # the person's next page says so
    assert notice is not None and notice.text.startswith("Accepted by Ana Lopez")
