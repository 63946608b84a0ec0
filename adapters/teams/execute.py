"""Universal Actions: a card's `Action.Execute` arrives as an invoke named
`adaptiveCard/action`, and Teams waits for the invoke's HTTP answer (an
`AdaptiveCardInvokeResponse`: status 200, a message or a card).

That answer is given at once, from the payload alone: nothing on the request path reads
the database (a burst of clicks must not queue answers behind each other's work, and
Teams shows the clicker an error when the answer is late). It is a short message
(`application/vnd.microsoft.activity.message`): "Recording your accept...", or, for an
input the configuration alone refuses, what is missing. The turn then runs after the
answer and does exactly what an `Action.Submit` does (the same permissions, the same
exactly-once claim in the database): it records the decision and updates the card in
place (the invoke's replyToId), redraws it with the form's error next to the field, or
replies with a refusal (not theirs, already decided by someone else, a stranger)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botbuilder.schema import Activity, ActivityTypes

from adapters.teams.payloads import CardVerb, Submission, parse_submission
from core.domain import Action
from core.messages import ButtonAction
from workflows.decisions import check_click
from workflows.errors import InvalidInput
from workflows.service import Services

INVOKE_NAME = "adaptiveCard/action"
EXECUTE = "Action.Execute"
MESSAGE = "application/vnd.microsoft.activity.message"
ERROR = "application/vnd.microsoft.error"
OUT_OF_DATE = "That card is out of date; type `queue` for a fresh one."
DECISIONS = {
    ButtonAction.ACCEPT: Action.ACCEPT,
    ButtonAction.OVERRIDE: Action.OVERRIDE,
    ButtonAction.REASSIGN: Action.REASSIGN,
}
WORKING = {
    ButtonAction.ACCEPT: "Recording your accept…",
    ButtonAction.OVERRIDE: "Recording your override…",
    ButtonAction.REASSIGN: "Handing it over…",
    ButtonAction.SNOOZE: "Snoozing the reminders…",
    ButtonAction.EXTEND: "Extending the SLA…",
    CardVerb.CANCEL: "Closing the form…",
    CardVerb.OPEN: "Opening it…",
}


def is_card_action(activity: Activity) -> bool:
    return activity.type == ActivityTypes.invoke and activity.name == INVOKE_NAME


def execute_submission(value: Any) -> Submission | None:
    """The submit inside an Action.Execute's `value` ({"action": {"type", "verb",
    "data"}, "trigger"}), or None when it is not one of our cards' actions."""
    if not isinstance(value, dict):
        return None
    action = value.get("action")
    if not isinstance(action, dict) or action.get("type") != EXECUTE:
        return None
    return parse_submission(action.get("data"))


@dataclass(frozen=True)
class Answer:
    body: dict[str, Any]  # the AdaptiveCardInvokeResponse, as Teams reads it
    run_turn: bool  # False: nothing of ours to do (a foreign or malformed action)


def message(text: str, *, run_turn: bool = True) -> Answer:
    return Answer({"statusCode": 200, "type": MESSAGE, "value": text}, run_turn)


def answer_now(services: Services, activity: Activity) -> Answer:
    """The invoke's answer from the payload and the configuration only."""
    if not isinstance(activity.value, dict) or not isinstance(activity.value.get("action"), dict):
        error = {"code": "BadRequest", "message": "Not an Action.Execute."}
        return Answer({"statusCode": 400, "type": ERROR, "value": error}, run_turn=False)
    sub = execute_submission(activity.value)
    if sub is None:
        return message(OUT_OF_DATE, run_turn=False)
    action = sub.submit.action
    click = sub.click()
    if click is not None and action in DECISIONS:
        try:
            check_click(services, click)
        except InvalidInput as error:  # the turn redraws the card with it by the field
            return message(f"Nothing was recorded: {error.message}")
    return message(WORKING.get(action, "One moment…"))
