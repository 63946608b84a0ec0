"""`sopbot demo` ships a decided past with outcomes (bot/data/demo_history.json): the
review and the track-record line on the samples show real numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.demo import prepare_demo
from bot.runtime import Runtime
from tests.support.data import ROOT
from workflows.base import WorkflowContext
from workflows.review.format_json import review_json
from workflows.review.report import review_for


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Runtime]:
    runtime, _count = prepare_demo(tmp_path / "demo")
    yield runtime
    runtime.stop()


def test_the_demo_review_has_outcomes_in_every_section(demo: Runtime) -> None:
    review = review_for(
        WorkflowContext.of(database=demo.database, config=demo.config, clock=demo.clock)
    )
    overall = review_json(review)["scopes"]["all"]
    assert overall["volume"]["received"] == 420 and overall["volume"]["decided"] >= 390
    assert isinstance(overall["override_wins"]["win_rate"], float)
    assert overall["stairstep"] is None  # types have different units: per type only
    typed = review_json(review)["scopes"]
    assert sum(typed[t]["stairstep"]["n"] for t in demo.config.recommendation_types) > 300
    steps = typed["stockout_risk"]["stairstep"]["steps"]
    assert all(isinstance(s["wape"], float) for s in steps)
    assert [b["bin"] for b in overall["calibration"]] == [
        "0.5-0.6",
        "0.6-0.7",
        "0.7-0.8",
        "0.8-0.9",
        "0.9-1.0",
    ]
    assert all(isinstance(b["right_rate"], float) for b in overall["calibration"])


def test_the_demo_samples_carry_a_track_record_line(demo: Runtime) -> None:
    demo.outbox.drain()
    local = next(a for a in demo.adapters if hasattr(a, "chat"))
    posts = local.chat.direct_messages("ana")  # type: ignore[attr-defined]
    lines = [
        line
        for post in posts
        for s in post.message.sections
        if s.title == "Track record"
        for line in s.lines
    ]
    assert lines and all(" signals at " in line and " times" in line for line in lines)


def test_the_sample_report_is_committed_and_linked_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("docs/sample-override-report.html", "docs/sample-override-report.md"):
        assert f"]({name})" in readme and (ROOT / name).is_file()
    html = (ROOT / "docs/sample-override-report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "data:image/png;base64," in html
