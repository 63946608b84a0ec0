"""The Override and Reassign menus kept per configuration (workflows.views.form_choices) are
exactly the menus the configuration gives, a reloaded configuration gets its own, and
one form's list can be changed without touching the next form's."""

from __future__ import annotations

from pathlib import Path

from core.config import Config, load_config
from storage.models import Recommendation
from workflows.views.form_choices import form_choices
from workflows.views.forms import override_form, reassign_form

DEMO = Path(__file__).resolve().parents[2] / "core" / "data" / "demo.yml"


def rec(config: Config, owner: str) -> Recommendation:
    return Recommendation(
        id=7, type=next(iter(config.recommendation_types)), owner_id=owner, quantity=240.0
    )


def test_menus_are_the_configurations_own(config: Config) -> None:
    owner = config.people[0].id
    reasons = override_form(rec(config, owner), config).inputs[0].options
    needs_note = {r.code for r in config.reason_codes if r.note_required}
    assert [o.value for o in reasons] == [r.code for r in config.reason_codes]
    assert {o.value for o in reasons if o.label.endswith(" *")} == needs_note
    for person in config.people:
        colleagues = reassign_form(rec(config, person.id), config).inputs[0].options
        assert [o.value for o in colleagues] == [p.id for p in config.people if p.id != person.id]
        assert [o.label for o in colleagues] == [p.name for p in config.people if p.id != person.id]


def test_a_reloaded_configuration_gets_its_own_menus(config: Config) -> None:
    assert form_choices(config) is form_choices(config)
    renamed = load_config(DEMO).model_copy(
        update={"people": [p.model_copy(update={"name": f"{p.name} (new)"}) for p in config.people]}
    )
    assert form_choices(renamed) is not form_choices(config)
    owner = config.people[0].id
    labels = [o.label for o in reassign_form(rec(renamed, owner), renamed).inputs[0].options]
    assert labels and all(label.endswith(" (new)") for label in labels)


def test_each_form_has_its_own_list(config: Config) -> None:
    owner = config.people[0].id
    first = override_form(rec(config, owner), config)
    first.inputs[0].options.clear()
    assert override_form(rec(config, owner), config).inputs[0].options
