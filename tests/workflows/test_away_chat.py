"""Out of office end to end in each chat (issue 24), through the real-platform test
helpers: Ana says `away until 2026-12-18 delegate @finn`; Finn is sent a card of each of
her open items saying "For Ana Lopez, away until 18 Dec" and accepts one (recorded as
Finn on Ana's behalf); after her last day he may no longer decide the other; the sweep
audits the end with both names and her new items route to her again.

`until 2026-12-18` ends at Sat 19 Dec 00:00 Berlin = Fri 18 Dec 23:00 UTC."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from adapters.slack.ids import ActionId
from adapters.slack.payloads import ButtonValue
from bot.runtime import Runtime
from core.clock import AdjustableClock
from core.config import Config
from core.domain import EventKind
from storage.models import Absence, Decision, Event, Recommendation
from tests.fakes.slack_api import FakeSlackApi
from tests.support import web
from tests.support.cards import texts
from tests.support.slack import USERS_BY_EMAIL, slack_world
from tests.support.slack_http import block_actions, button_in
from tests.support.teams import checked_connector, teams_world

ENDS = datetime(2026, 12, 18, 23, 0, tzinfo=UTC)
ON_CARD = "For Ana Lopez, away until 18 Dec"


@dataclass
class Chat:
    """One platform as the test drives it."""

    runtime: Runtime
    say: Callable[[str], None]  # Ana types a command
    offered: Callable[[], dict[int, str]]  # Finn's cards: recommendation id -> card text
    accept: Callable[[int], None]  # Finn presses Accept on the card of an item


@contextmanager
def on_slack(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Chat]:
    with (
        FakeSlackApi(users_by_email=USERS_BY_EMAIL) as fake,
        slack_world(db_url, config, clock, fake) as world,
    ):

        def cards() -> dict[int, dict]:
            world.runtime.outbox.drain()
            found = {}
            for params, reply in fake.replies_to("chat.postMessage"):
                if params["channel"] == "U0FINN" and not params.get("thread_ts"):
                    button = button_in(params["blocks"], ActionId.ACCEPT)
                    rec_id = ButtonValue.model_validate_json(button["value"]).recommendation_id
                    found[rec_id] = {**params, "ts": reply["ts"], "to": reply["channel"]}
            return found

        def accept(rec_id: int) -> None:
            card = cards()[rec_id]
            click = block_actions(
                user_id="U0FINN",
                button=button_in(card["blocks"], ActionId.ACCEPT),
                channel=card["to"],
                message_ts=card["ts"],
            )
            assert world.slack.interactive(click).status_code == 200
            world.settled()

        def offered() -> dict[int, str]:
            """Each card as it reads now: its latest in-place update, else as posted."""
            now = {}
            for rec_id, card in cards().items():
                updates = [
                    u["blocks"]
                    for u, _ in fake.replies_to("chat.update")
                    if (u["channel"], u["ts"]) == (card["to"], card["ts"])
                ]
                now[rec_id] = str(updates[-1] if updates else card["blocks"])
            return now

        yield Chat(
            world.runtime, lambda text: world.command("U0ANA", text) and None, offered, accept
        )


@contextmanager
def on_teams(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Chat]:
    with checked_connector() as connector, teams_world(db_url, config, clock, connector) as world:
        world.install("ana")
        world.install("finn")

        def say(text: str) -> None:
            assert world.say("ana", text).status_code in (200, 201, 202)

        def cards() -> dict[int, str]:
            world.deliver()
            found = {}
            for call in world.cards_to("finn"):
                text = texts(connector.card_of(call.response_id))
                found[int(re.search(r"#(\d+) from", text).group(1))] = call.response_id
            return found

        def offered() -> dict[int, str]:
            return {rec_id: texts(connector.card_of(card)) for rec_id, card in cards().items()}

        def accept(rec_id: int) -> None:
            world.submit("finn", cards()[rec_id], "accept")

        yield Chat(world.runtime, say, offered, accept)


@contextmanager
def on_web(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Chat]:
    with web.web_runtime(db_url, config, clock) as runtime, web.web_client(runtime) as http:

        def say(text: str) -> None:
            assert http.post("/chat/ana/command", data={"text": text}).status_code in (200, 303)
            web.settled(runtime)

        def offered() -> dict[int, str]:
            runtime.outbox.drain()
            chat = web.local_chat_of(runtime)
            return {
                p.message.recommendation_id: " ".join(
                    [
                        *p.message.state,
                        *p.message.context,
                        p.message.status or "",
                        str(p.message.buttons),
                    ]
                )
                for p in chat.direct_messages("finn")
                if p.message.recommendation_id is not None and p.reply_to is None
            }

        def accept(rec_id: int) -> None:
            data = {"recommendation_id": rec_id, "action": "accept"}
            assert http.post("/chat/finn/act", data=data).status_code == 303
            web.settled(runtime)

        yield Chat(runtime, say, offered, accept)


PLATFORMS = {"slack": on_slack, "teams": on_teams, "web": on_web}


def decisions(runtime: Runtime, rec_id: int) -> list[tuple[str, str, str | None]]:
    with runtime.database.transaction() as session:
        rows = session.scalars(select(Decision).where(Decision.recommendation_id == rec_id))
        return [(d.actor_id, d.role, d.on_behalf_of) for d in rows]


def events(runtime: Runtime, kind: EventKind) -> list[Event]:
    with runtime.database.transaction() as session:
        query = select(Event).where(Event.kind == kind.value).order_by(Event.id)
        found = session.scalars(query).all()
        session.expunge_all()
        return list(found)


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_the_delegate_gets_her_open_items_decides_while_away_and_not_after(
    platform: str, db_url: str, config: Config, clock: AdjustableClock
) -> None:
    with PLATFORMS[platform](db_url, config, clock) as chat:
        first, second = web.ingest(chat.runtime), web.ingest(chat.runtime)
        assert chat.offered() == {}
        chat.say("away until 2026-12-18 delegate @finn")

        offered = chat.offered()
        assert sorted(offered) == [first, second]  # one card per open item
        assert all(ON_CARD in text for text in offered.values())
        delegated = events(chat.runtime, EventKind.DELEGATED)
        assert [(e.recommendation_id, e.data["owner"], e.data["delegate"]) for e in delegated] == [
            (first, "ana", "finn"),
            (second, "ana", "finn"),
        ]

        chat.accept(first)
        assert decisions(chat.runtime, first) == [("finn", "delegate", "ana")]
        assert "Accepted by Finn Weber on behalf of Ana Lopez" in chat.offered()[first]

        # Her last day is over (no sweep yet): the card Finn still has no longer works.
        clock.set(ENDS)
        chat.accept(second)
        assert decisions(chat.runtime, second) == []
        [refused] = events(chat.runtime, EventKind.DECISION_REFUSED)
        assert (refused.actor_id, refused.recommendation_id) == ("finn", second)

        # The sweep notices the end, with both names; new items are Ana's again.
        chat.runtime.run_jobs_now()
        [back] = events(chat.runtime, EventKind.BACK)
        assert (back.data["person_id"], back.data["delegate_id"]) == ("ana", "finn")
        assert back.data["reason"] == "absence ended after 2026-12-18"
        assert ON_CARD not in chat.offered()[second]
        new = web.ingest(chat.runtime)
        with chat.runtime.database.transaction() as session:
            assert session.get(Recommendation, new).owner_id == "ana"


def test_a_hundred_concurrent_away_commands_set_one_absence_and_offer_each_item_once(
    db_url: str, config: Config, clock: AdjustableClock
) -> None:
    """The same words sent 100 times at once (a double-click storm, retries): every post
    is answered, one absence is stored, and each open item is offered to Finn once."""
    with web.web_runtime(db_url, config, clock) as runtime, web.web_client(runtime) as http:
        first, second = web.ingest(runtime), web.ingest(runtime)

        def say(_: int) -> int:
            text = "away until 2026-12-18 delegate @finn"
            return http.post("/chat/ana/command", data={"text": text}).status_code

        with ThreadPoolExecutor(max_workers=100) as pool:
            statuses = list(pool.map(say, range(100)))
        assert all(status in (200, 303) for status in statuses), Counter(statuses)
        web.settled(runtime)
        runtime.outbox.drain()
        with runtime.database.read() as session:
            assert session.scalar(select(func.count()).select_from(Absence)) == 1
        delegated = events(runtime, EventKind.DELEGATED)
        assert sorted(e.recommendation_id for e in delegated) == [first, second]
        chat = web.local_chat_of(runtime)
        cards = [
            p.message.recommendation_id
            for p in chat.direct_messages("finn")
            if p.message.recommendation_id is not None and p.reply_to is None
        ]
        assert sorted(cards) == [first, second]
