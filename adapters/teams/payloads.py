"""What a card's buttons submit: a small versioned model under one key, never a
hand-built string. Form inputs arrive beside it, named `<action>.<input>`."""

from __future__ import annotations

import hashlib
import json
import secrets
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.limits import MAX_ID
from core.messages import ButtonAction
from workflows.decisions import Click, ClickAction
from workflows.views import Purpose

PAYLOAD_KEY = "sopbot"
VERSION = 1


class CardVerb(StrEnum):
    """Submits that are not decisions: leave the error form, open a digest entry, turn
    a page of the queue."""

    CANCEL = "cancel"
    OPEN = "open"
    PAGE = "page"  # Previous / Next on the queue card (`page`; recommendation_id 0)


class CardSubmit(BaseModel):
    """The data of every Action.Submit the adapter renders.

    `nonce` is fresh for each rendering of a card, so the same card submitted twice with
    the same inputs is recognised as one submission, while a corrected resubmission of
    an error card (rendered anew, new nonce) goes through. `variant` keeps its name
    (cards already sent carry it) and its values ("reminder", "escalation")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    v: int = VERSION
    action: ButtonAction | CardVerb
    # A hand-edited id that no column can hold is not ours; 0 is a queue page turn.
    recommendation_id: Annotated[int, Field(ge=0, le=MAX_ID)]
    nonce: str
    on_behalf: bool = False
    value: str | None = None
    # The purpose the card was drawn for (None: the owner's plain card), so a card redrawn
    # after a click is the workflow's reminder or escalation again, not the plain one.
    variant: Purpose | None = None
    # The queue page an entry of the queue card sits on (variant "queue"), or the page a
    # Previous / Next submit asks for: the card is redrawn on that page.
    page: int | None = None


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

    def moment(self, name: str) -> str:
        """A date-time input, sent as `<name>.date` and `<name>.time` (Input.Date and
        Input.Time: Adaptive Cards have no date-time input), as "YYYY-MM-DD HH:MM";
        empty when either half is missing, which the workflow refuses by field."""
        date, time = self.text(f"{name}.date"), self.text(f"{name}.time")
        if date is None and time is None:
            return self.text(name) or ""
        return f"{date} {time}" if date and time else ""

    def click(
        self,
        *,
        actor_id: str | None = None,
        account: str | None = None,
        deliveries: tuple[str, ...] = (),
    ) -> Click | None:
        """The neutral click this submit stands for (None for a page turn, a Cancel, an
        Open): the inputs as typed, a date-time's two halves as one value."""
        if self.submit.action not in set(ClickAction):
            return None
        values = {name: text for name, text in self.inputs.items() if "." not in name}
        if any(name.startswith("due_at") for name in self.inputs):
            values["due_at"] = self.moment("due_at")
        if self.submit.value is not None:
            values["value"] = self.submit.value
        return Click(
            action=ClickAction(self.submit.action.value),
            recommendation_id=self.submit.recommendation_id,
            channel="teams",
            actor_id=actor_id,
            account=account,
            values=values,
            on_behalf=self.submit.on_behalf,
            deliveries=deliveries,
        )

    def fingerprint(self) -> str:
        """Stable id of this submission for de-duplication: the card rendering (nonce),
        the button (action, recommendation, value: a digest has one Accept per entry,
        a reminder three snoozes) and the inputs."""
        submit = self.submit
        body = json.dumps(
            [
                submit.nonce,
                submit.action,
                submit.recommendation_id,
                submit.value,
                sorted(self.inputs.items()),
            ]
        )
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
