"""The demo ships two approved rules and a draft: a newcomer sees rule context on demo
recommendations, and, as Greta (facilitator), runs an interview through the web chat's
command box over real HTTP; the interview survives a restart of the server."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select

from adapters.local import LocalAdapter, LocalChat
from bot.demo import prepare_demo
from bot.runtime import Runtime
from bot.server import create_app
from storage.models import ContextRule, Recommendation
from tests.support.interviews import text_of
from tests.support.live import LOOPBACK_TLS, serving
from workflows.views.message import recommendation_message


def local_chat(runtime: Runtime) -> LocalChat:
    return next(a for a in runtime.adapters if isinstance(a, LocalAdapter)).chat


def rules_on(
    runtime: Runtime, *, supplier: str | None = None, customer: str | None = None, type_name: str
) -> list[str]:
    with runtime.database.transaction() as session:
        query = select(Recommendation).where(Recommendation.type == type_name)
        if supplier:
            query = query.where(Recommendation.supplier == supplier)
        if customer:
            query = query.where(Recommendation.customer == customer)
        rec = session.scalars(query).first()
        assert rec is not None
        message = recommendation_message(
            session, config=runtime.config, rec=rec, reader_id=rec.owner_id, now=runtime.clock.now()
        )
    return [line for s in message.sections if s.title == "Context rules" for line in s.lines]


def last_dm(runtime: Runtime, person: str) -> str:
    return text_of(local_chat(runtime).direct_messages(person)[-1].message)


def test_demo_rules_show_and_greta_runs_an_interview_in_the_web_chat(tmp_path: Path) -> None:
    runtime, _ = prepare_demo(tmp_path / "demo")
    with runtime.database.transaction() as session:
        statuses = sorted(r.status for r in session.scalars(select(ContextRule)))
    assert statuses == ["approved", "approved", "draft"]
    [skf] = rules_on(runtime, supplier="SKF-DE", type_name="supplier_delay")
    assert "Confirms late but ships within a week" in skf and "From Carl Brandt" in skf
    [retailer] = rules_on(runtime, customer="RETAILER-Y", type_name="demand_revision")
    assert "From Finn Weber, Ana Lopez" in retailer
    assert rules_on(runtime, supplier="HYDRAFLEX-IT", type_name="supplier_delay") == []  # draft
    assert rules_on(runtime, supplier="TIMKEN-US", type_name="supplier_delay") == []

    with (
        serving(create_app(runtime, start_background=False)) as server,
        httpx.Client(base_url=server.url, timeout=30, verify=LOOPBACK_TLS) as http,
    ):
        runtime.outbox.drain()
        page = http.get("/chat/carl?view=messages").text
        assert "Context rules" in page and "skf-de-confirmations" in page

        http.post("/chat/greta/command", data={"text": "interview @ana customers"})
        assert "Started the Customers interview with Ana Lopez" in last_dm(runtime, "greta")
        runtime.outbox.drain()
        assert "Interview: Customers (1 of 12)" in last_dm(runtime, "ana")
        http.post("/chat/ana/command", data={"text": "RETAILER-Y new stores, March"})
        http.post("/chat/ana/command", data={"text": "skip"})
        assert "(3 of 12)" in last_dm(runtime, "ana")
        http.post("/chat/ana/command", data={"text": "back"})
        assert "(2 of 12)" in last_dm(runtime, "ana")
        http.post("/chat/ana/command", data={"text": "Ordered 1,200, final 960"})
        assert "(3 of 12)" in http.get("/chat/ana").text
    runtime.stop()

    restarted, _ = prepare_demo(tmp_path / "demo")  # the same data directory
    with (
        serving(create_app(restarted, start_background=False)) as server,
        httpx.Client(base_url=server.url, timeout=30, verify=LOOPBACK_TLS) as http,
    ):
        http.post("/chat/ana/command", data={"text": "resume"})
        assert "(3 of 12)" in last_dm(restarted, "ana")
        for answer in (
            "Round numbers",
            "Built stock for all",
            "Buyers change",
            "RETAILER-Y",
            "when a new store opens",
            "Cuts first orders by a fifth",
            "20 % (15-25)",
            "5 openings",
            "medium",
            "demand_revision",
        ):
            http.post("/chat/ana/command", data={"text": answer})
        assert "draft context rule retailer-y-customers" in last_dm(restarted, "ana")
        restarted.outbox.drain()
        assert "retailer-y-customers is ready for review" in last_dm(restarted, "greta")
        http.post("/chat/greta/command", data={"text": "rules approve retailer-y-customers"})
        assert "Status: approved" in last_dm(restarted, "greta")
    lines = rules_on(restarted, customer="RETAILER-Y", type_name="demand_revision")
    assert any("Cuts first orders by a fifth" in line for line in lines)
    restarted.stop()
