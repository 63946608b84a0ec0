"""Configuration errors name the key path and line, so an S&OP lead can fix the file."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.clock import Calendars
from core.config import DEMO_CONFIG_PATH, ConfigError, load_config, parse_config
from core.durations import parse_duration, parse_fraction
from workflows.ownership.matrix import matrix_gaps, matrix_rows

DEMO = DEMO_CONFIG_PATH.read_text(encoding="utf-8")


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return caught.value.problems


def test_demo_config_is_complete() -> None:
    config = load_config(DEMO_CONFIG_PATH)
    assert set(config.recommendation_types) == {
        "stockout_risk",
        "supplier_delay",
        "demand_revision",
        "capacity_warning",
        "expedite",
    }
    assert 10 <= len(config.reason_codes) <= 12
    assert 5 <= len(config.people) <= 8
    sla = config.recommendation_types["stockout_risk"].sla
    assert (sla.time, sla.days, str(sla)) == (timedelta(hours=8), 0, "8h")
    assert config.recommendation_types["stockout_risk"].reminders == [0.5, 0.9]
    assert matrix_gaps(config) == []


def test_unknown_person_in_escalation_names_the_key_path_and_line() -> None:
    text = DEMO.replace(
        "      - {after: 4h, notify: greta}\n    actionable_confidence: 0.6",
        "      - {after: 4h, notify: bob}\n    actionable_confidence: 0.6",
        1,
    )
    [problem] = problems_of(text)
    assert problem.startswith("recommendation_types.stockout_risk.escalation[1].notify (line ")
    assert problem.endswith("unknown person 'bob'")


def test_bad_duration_percentage_and_timezone_are_named() -> None:
    text = (
        DEMO.replace("sla: 8h", "sla: soon", 1)
        .replace('reminders: ["50%", "90%"]', 'reminders: ["150%"]', 1)
        .replace("timezone: Europe/Prague", "timezone: Mars/Olympus", 1)
    )
    problems = problems_of(text)
    joined = "\n".join(problems)
    assert (
        "recommendation_types.stockout_risk.sla" in joined and "'soon' is not a duration" in joined
    )
    assert "recommendation_types.stockout_risk.reminders" in joined
    assert "people[2].timezone" in joined and "unknown time zone 'Mars/Olympus'" in joined


def test_unknown_keys_and_missing_sections() -> None:
    problems = problems_of("people: []\nreason_codes: []\nrecommendation_types: {}\nowner: x\n")
    assert any(p.startswith("owner") and "Extra inputs" in p for p in problems)
    assert problems_of("- a list")[0].startswith("the file must be a mapping")
    assert "not valid YAML" in problems_of("people: [")[0]
    missing = problems_of("timezone: UTC\n")
    assert {p.split(" ")[0].rstrip(":") for p in missing} >= {
        "people",
        "reason_codes",
        "recommendation_types",
    }


def test_route_match_keys_and_duplicate_ids() -> None:
    text = DEMO.replace(
        "{match: {site: PLANT-2}, owner: dora, backup: ana}",
        "{match: {plant: PLANT-2}, owner: dora, backup: ana}",
        1,
    )
    assert any(
        "routes[0].match" in p and "unknown match key 'plant'" in p for p in problems_of(text)
    )
    dup = DEMO.replace("{id: carl,", "{id: ana,", 1)
    assert any("people[1].id" in p and "duplicate person id 'ana'" in p for p in problems_of(dup))


def test_missing_config_file_is_an_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yml")


def test_durations_and_fractions() -> None:
    assert parse_duration("90m") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration(4) == timedelta(hours=4)
    assert parse_fraction("50%") == 0.5 and parse_fraction(0.9) == 0.9
    for bad in ("fast", "8 hours", True):
        with pytest.raises(ValueError):
            parse_duration(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        parse_fraction("0%")


def test_matrix_check_lists_gaps() -> None:
    text = DEMO.replace("    owner: eve\n    backup: dora\n", "    owner: eve\n", 1).replace(
        "override_reviewer: greta\n", ""
    )
    config = parse_config(text)
    gaps = matrix_gaps(config)
    assert "capacity_warning: no backup owner" in gaps
    assert "no override_reviewer: nobody is named to review overrides" in gaps
    rows = matrix_rows(config)
    assert any(
        r.type == "stockout_risk" and r.scope == "site=PLANT-2" and r.owner == "dora" for r in rows
    )


def test_matrix_shows_each_sla_as_written_and_as_a_due_time() -> None:
    """`2d` is shown as `2d` (it used to read `48h`) and, for an item arriving on Monday
    30 Nov 2026 at 10:00, as due on Wednesday 10:00 in finn's calendar."""
    config = load_config(DEMO_CONFIG_PATH)
    rows = {(r.type, r.scope): r for r in matrix_rows(config)}
    demand = rows[("demand_revision", "(default)")]
    assert (demand.sla, demand.owner_id) == ("2d", "finn")
    monday = datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    calendars = Calendars(config)
    assert demand.due_if_received(calendars=calendars, now=monday) == datetime(
        2026, 12, 2, 10, tzinfo=ZoneInfo("Europe/Berlin")
    )
    stockout = rows[("stockout_risk", "(default)")]
    assert stockout.sla == "8h" and "+4h greta" in stockout.escalation
    assert stockout.due_if_received(calendars=calendars, now=monday) == datetime(
        2026, 12, 1, 9, tzinfo=ZoneInfo("Europe/Berlin")
    )
