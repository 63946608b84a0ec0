"""Interview templates: the five bundled ones follow the Critical Decision Method and
end with the rule's fields; a team adds its own in `context.templates_dir`, and a bad
one is refused naming the file, key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Config, ConfigError
from core.context_settings import ContextSettings
from core.interviews import RuleField, load_templates
from tests.support.interviews import say, text_of
from workflows.service import Services, build_services

OWN = """\
name: packaging
title: Packaging suppliers
summary: Packaging that arrives in other quantities than ordered
entity_kind: supplier
types: [supplier_delay]
questions:
  - {id: incident, probe: "CDM: the incident", prompt: "One specific delivery?"}
"""
RULE_FIELDS = "".join(
    f"  - {{id: {f.value}, fills: {f.value}, prompt: '{f.value}?'}}\n" for f in RuleField
)


def test_bundled_templates_walk_an_incident_and_end_with_the_rule() -> None:
    templates = load_templates()
    assert sorted(templates) == [
        "customers",
        "data_quirks",
        "decision_forums",
        "equipment",
        "suppliers",
    ]
    for template in templates.values():
        probes = [q.probe or "" for q in template.questions if q.fills is None]
        assert [p for p in probes if p.startswith("CDM")] == [
            "CDM: the incident",
            "CDM: timeline",
            "CDM: cues",
            "CDM: what a newcomer would miss",
        ]
        assert any(p.startswith("ACTA") for p in probes)
        assert [q.fills for q in template.questions[-len(RuleField) :]] == list(RuleField)
        assert all(q.example for q in template.questions)


def test_a_team_folder_adds_templates_and_a_bad_one_names_key_and_line(
    tmp_path: Path,
    config: Config,
    services: Services,
) -> None:
    (tmp_path / "packaging.yml").write_text(OWN + RULE_FIELDS)
    team = config.model_copy(update={"context": ContextSettings(templates_dir=str(tmp_path))})
    team_services = build_services(database=services.database, config=team, clock=services.clock)
    listed = text_of(say(team_services, "greta", "interview templates"))
    assert "packaging: Packaging suppliers" in listed and "suppliers: Suppliers" in listed
    started = say(team_services, "ana", "interview packaging")
    assert text_of(started).startswith("Interview: Packaging suppliers (1 of 8)")

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.yml").write_text(OWN.replace("entity_kind: supplier", "entity_kind: truck"))
    with pytest.raises(ConfigError) as refused:
        load_templates(broken)
    message = str(refused.value)
    assert "bad.yml is invalid" in message
    assert "entity_kind (line 4): entity_kind must be one of supplier" in message
    assert "questions (line 7): questions must fill every rule field; missing: entity" in message
