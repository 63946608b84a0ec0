"""What a card's buttons submit: a small versioned model under one key, never a
hand-built string. Form inputs arrive beside it, named `<action>.<input>`."""

from __future__ import annotations

import hashlib
import json
import secrets
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.messages import ButtonAction

PAYLOAD_KEY = "sopbot"
VERSION = 1


class CardVerb(StrEnum):
    """Submits that are not decisions: leave the error form, open a digest entry."""

    CANCEL = "cancel"
    OPEN = "open"


class CardSubmit(BaseModel):
    """The data of every Action.Submit the adapter renders.

    `nonce` is fresh for each rendering of a card, so the same card submitted twice with
    the same inputs is recognised as one submission, while a corrected resubmission of
    an error card (rendered anew, new nonce) goes through."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    v: int = VERSION
    action: ButtonAction | CardVerb
    recommendation_id: int
    nonce: str
    on_behalf: bool = False
    value: str | None = None


def new_nonce() -> str:
    return secrets.token_hex(6)


def input_id(action: ButtonAction, name: str) -> str:
    return f"{action.value}.{name}"


def submit_data(submit: CardSubmit) -> dict[str, Any]:
    return {PAYLOAD_KEY: submit.model_dump(mode="json", exclude_none=True)}


class Submission(BaseModel):
    """A parsed card submit: the payload plus the inputs of its form, by input name."""

    submit: CardSubmit
    inputs: dict[str, str]

    def text(self, name: str) -> str | None:
        value = (self.inputs.get(name) or "").strip()
        return value or None

    def fingerprint(self) -> str:
        """Stable id of this submission for de-duplication (nonce + inputs)."""
        body = json.dumps([self.submit.nonce, self.submit.action, sorted(self.inputs.items())])
        return hashlib.sha256(body.encode()).hexdigest()[:32]


def parse_submission(value: Any) -> Submission | None:
    """None when the activity's value is not one of our cards' submits."""
    if not isinstance(value, dict) or not isinstance(value.get(PAYLOAD_KEY), dict):
        return None
    try:
        submit = CardSubmit.model_validate(value[PAYLOAD_KEY])
    except ValidationError:
        return None
    prefix = f"{submit.action.value}."
    inputs = {
        key[len(prefix) :]: "" if raw is None else str(raw)
        for key, raw in value.items()
        if isinstance(key, str) and key.startswith(prefix)
    }
    return Submission(submit=submit, inputs=inputs)
