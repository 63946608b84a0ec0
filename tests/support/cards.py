"""Adaptive Cards as Teams reads them: the official 1.5 schema check, and how to find a
card's actions and submits the way a Teams client shows them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema
import jsonschema_rs

from tests.schemas import ADAPTIVE_CARD_1_5


@dataclass(frozen=True)
class CardValidator:
    """The Adaptive Card 1.5 schema (draft-06). jsonschema-rs checks a card in ~20 µs
    where jsonschema takes ~70 ms, and the Teams tests check every card sent; a card it
    refuses is judged again by jsonschema, whose verdict counts, so the verdicts are
    jsonschema's (the two differ on a non-finite number, which JSON cannot carry:
    jsonschema-rs refuses it, jsonschema accepts it)."""

    fast: jsonschema_rs.Validator
    exact: jsonschema.protocols.Validator


@cache
def card_validator() -> CardValidator:
    schema = json.loads(ADAPTIVE_CARD_1_5.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return CardValidator(fast=jsonschema_rs.validator_for(schema), exact=cls(schema))


def assert_valid_card(validator: CardValidator, card: dict[str, Any]) -> None:
    if validator.fast.is_valid(card):
        return
    errors = sorted(validator.exact.iter_errors(card), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message[:300]}" for e in errors[:5]]


def card_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action of the card: its own, those of ActionSets in its body (a reminder's
    snooze row) and those inside ShowCards."""
    actions = list(card.get("actions") or [])
    actions += [
        a for el in card.get("body") or [] if el.get("type") == "ActionSet" for a in el["actions"]
    ]
    found = []
    while actions:
        item = actions.pop(0)
        found.append(item)
        if item["type"] == "Action.ShowCard":
            actions.extend(item["card"].get("actions") or [])
    return found


def find_submit(card: dict[str, Any], action: str, choice: str | None = None) -> dict[str, Any]:
    """The data of the submit that records `action` (inside its ShowCard if it has one);
    `choice` picks among several of one action by their value (the snooze lengths)."""
    for item in card_actions(card):
        data = item.get("data", {}).get("sopbot", {}) if item["type"] == "Action.Submit" else {}
        if data.get("action") == action and (choice is None or data.get("value") == choice):
            return dict(item["data"])
    raise AssertionError(f"no {action} submit in card")


def texts(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def error_after(card: dict[str, Any], input_id: str) -> str | None:
    """The error shown under an input (its hint skipped): the text of the attention
    container right after it, None when the input has no error."""
    items = [i for el in card["body"] for i in ([el] + el.get("items", []))]
    index = next(n for n, el in enumerate(items) if el.get("id") == input_id)
    for element in items[index + 1 :]:
        if element.get("type") == "Container" and element.get("style") == "attention":
            return " ".join(i.get("text", "") for i in element.get("items", []))
        if element.get("type") == "TextBlock" and element.get("isSubtle"):
            continue  # the hint
        return None
    return None
