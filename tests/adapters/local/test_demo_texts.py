"""The small things a planner notices in the demo (issue 27), one test each: demo data in
the units its configuration declares, "Known supplier pattern *" marked once, a title
that already names its type not repeated in the header, no "Recommended" on a notice,
"Overdue by" in the owner's business time, no facilitator jargon ("CDM:") and no raw
backticks shown to a planner, and a finished interview's summary never cut mid-word."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx

from adapters.local import LocalChat
from adapters.local.render import card, code_spans
from adapters.slack.blocks import summary_blocks
from adapters.teams.cards import inert
from bot import demo_history
from bot.runtime import Runtime
from core.config import Config
from core.interviews import load_templates
from core.messages import Message
from storage.models import InterviewRecord, Recommendation
from tests.support.data import ROOT, berlin
from tests.support.web import ingest
from workflows.context.interviews.messages import clip_words, finished_message, question_message
from workflows.intake.validation import CONTENT_COLUMNS
from workflows.sla.extension import extend_sla
from workflows.views.card_state import due_line
from workflows.views.message import headline

DATA = ROOT / "bot" / "data"


def samples() -> list[dict[str, Any]]:
    return [
        *json.loads((DATA / "demo_recommendations.json").read_text()),
        *json.loads((DATA / "demo_history.json").read_text()),
    ]


def test_demo_units_are_the_units_the_configuration_declares(config: Config) -> None:
    """Each type's `field_meanings.quantity` ends with its units in parentheses (the data
    dictionary in demo.yml); every sample's unit is one of them (a supplier delay is in
    days, not the pieces it once said; a demand revision in units, not %)."""
    for item in samples():
        meaning = config.recommendation_types[item["type"]].field_meanings["quantity"]
        declared = re.search(r"\(([^()]*)\)\s*$", meaning)
        assert declared, meaning
        units = {u.strip() for u in re.split(r",|\bor\b", declared.group(1))}
        assert item["unit"] in units, (item["type"], item["unit"], meaning)
    assert "days" in config.recommendation_types["supplier_delay"].value_label


def test_demo_yml_has_a_data_dictionary() -> None:
    text = (ROOT / "core" / "data" / "demo.yml").read_text()
    block = text[text.index("# Data dictionary") : text.index("recommendation_types:")]
    for name in ("stockout_risk", "supplier_delay", "demand_revision", "capacity_warning"):
        assert f"#   {name}" in block


def test_demo_history_stores_the_content_columns_of_intake() -> None:
    times = {"event_time", "recorded_time", "respond_by"}
    assert tuple(c for c in CONTENT_COLUMNS if c not in times) == demo_history._COLUMNS
    assert "demo_history._COLUMNS = (" not in Path(demo_history.__file__).read_text()


def test_a_required_note_reason_is_marked_once_in_the_web_chat(
    runtime: Runtime, local_chat: LocalChat
) -> None:
    ingest(runtime)
    [post] = local_chat.direct_messages("ana")
    note_codes = frozenset(r.code for r in runtime.config.reason_codes if r.note_required)
    view = card(post.message, dom_id="m-1", note_codes=note_codes)
    options = dict(next(i for f in view.forms for i in f.inputs if i.name == "reason_code").options)
    assert options["SUPPLIER_PATTERN"] == "Known supplier pattern *"
    assert options["ALREADY_ACTIONED"] == "Already actioned"


def test_a_title_that_names_its_type_is_not_repeated(config: Config) -> None:
    rec = cast(Recommendation, SimpleNamespace(type="expedite", title="Expedite SKU-5102 kits"))
    assert headline(rec, config) == "Expedite SKU-5102 kits"
    other = cast(Recommendation, SimpleNamespace(type="expedite", title="Expedited SKU-1"))
    assert headline(other, config) == "Expedite: Expedited SKU-1"  # a word of its own
    plain = cast(Recommendation, SimpleNamespace(type="expedite", title="SKU-5102 kits"))
    assert headline(plain, config) == "Expedite: SKU-5102 kits"


def test_an_extension_notice_says_no_recommended(
    runtime: Runtime, local_chat: LocalChat, client: httpx.Client
) -> None:
    rec_id = ingest(runtime)
    extend_sla(
        runtime.services,
        recommendation_id=rec_id,
        actor_id="ben",
        new_due=berlin(2026, 12, 2, 12, 0),
        reason="waiting for the supplier",
        channel="local",
    )
    runtime.outbox.drain()
    notice = next(p for p in local_chat.direct_messages("ana") if "More time" in p.message.header)
    html = client.get("/chat/ana").text
    article = html[html.index(f'id="m-{notice.ref.message_id}"') :]
    article = article[: article.index("</article>")]
    assert "extended the SLA" in article and "Recommended" not in article
    assert "Recommended" not in json.dumps([b.to_dict() for b in summary_blocks(notice.message)])
    [card_post] = [p for p in local_chat.direct_messages("ana") if p.message.buttons]
    card_blocks = json.dumps([b.to_dict() for b in summary_blocks(card_post.message)])
    assert "*Recommended:*" in card_blocks  # the card itself keeps it


def test_overdue_is_business_time_of_the_owners_calendar(config: Config) -> None:
    """Due Monday 17:00; Tuesday 09:00 is 16 wall-clock hours but one business hour
    later. Dora (Prague, Czech holidays) works not on 24 December, a German working day:
    due Wed 23 Dec 17:00, on Fri 25 Dec 10:00 she is overdue by nothing of her time
    (24th and 25th are Czech holidays); Ana in Berlin by 9 hours (the 24th)."""
    ana = cast(Recommendation, SimpleNamespace(owner_id="ana", due_at=berlin(2026, 11, 30, 17)))
    line = due_line(config=config, rec=ana, reader_id="ana", now=berlin(2026, 12, 1, 9))
    assert line.startswith("Overdue by 1 business hour (due Mon 30 Nov 17:00")
    late = berlin(2026, 12, 25, 10)
    dora = cast(Recommendation, SimpleNamespace(owner_id="dora", due_at=berlin(2026, 12, 23, 17)))
    assert due_line(config=config, rec=dora, reader_id="dora", now=late).startswith(
        "Overdue since Wed 23 Dec 17:00"
    )
    ana.due_at = berlin(2026, 12, 23, 17)
    assert due_line(config=config, rec=ana, reader_id="ana", now=late).startswith(
        "Overdue by 9 business hours"
    )


def record(template_name: str, answers: dict[str, Any] | None = None) -> InterviewRecord:
    return InterviewRecord(
        id=7, template=template_name, person_id="ana", facilitator_id="greta", position=0,
        answers=answers or {}, trail=[], status="active",
    )  # fmt: skip


def test_a_planner_sees_no_facilitator_jargon() -> None:
    for template in load_templates().values():
        for position in range(len(template.questions)):
            rec = record(template.name)
            rec.position = position
            message = question_message(rec, template)
            assert "CDM" not in json.dumps(message.model_dump()), template.name


def test_commands_in_backticks_are_drawn_not_shown_raw() -> None:
    assert str(code_spans("Type `reviewed TYPE` <now>")) == (
        "Type <code>reviewed TYPE</code> &lt;now&gt;"
    )
    assert inert("Type `skip` or `back`") == "Type \u201cskip\u201d or \u201cback\u201d"


def test_backticks_in_the_web_chat_page(
    runtime: Runtime, local_chat: LocalChat, client: httpx.Client
) -> None:
    ana = runtime.config.people_by_id["ana"]
    notice = Message(header="Override review", text="Type `reviewed stockout_risk`")
    local_chat.send(person=ana, message=notice.model_copy(update={"context": ["Or `skip`"]}))
    page = client.get("/chat/ana").text
    assert "<code>reviewed stockout_risk</code>" in page and "<code>skip</code>" in page
    assert "`reviewed" not in page


def test_a_finished_interviews_summary_is_not_cut_mid_word() -> None:
    assert clip_words("What happens with this supplier before Christmas", 30) == (
        "What happens with this\u2026"
    )
    assert clip_words("Short question", 60) == "Short question"
    template = next(iter(load_templates().values()))
    long = template.questions[0].model_copy(
        update={"prompt": "Which customer orders ran differently from what the model expected"}
    )
    template = template.model_copy(update={"questions": [long, *template.questions[1:]]})
    answers = {q.id: {"text": "x"} for q in template.questions}
    message = finished_message(record(template.name, answers), template, "rule-1")
    first = message.sections[0].lines[0]
    assert first.startswith("1. Which customer orders ran differently from what the model\u2026: ")


def test_no_stale_text_left(config: Config) -> None:
    """Guard: what the issue quoted is nowhere in the demo's data or configuration."""
    text = (ROOT / "core" / "data" / "demo.yml").read_text() + json.dumps(samples())
    assert '"unit": "%"' not in json.dumps(samples())
    assert "pieces on the late purchase order line" not in text
