"""The bolt listeners for decisions: button clicks and modal submissions.

Every listener acks first (Slack gives three seconds, and a trigger_id dies with them),
then calls the workflows. Refusals (not permitted, already decided, a stranger) are
ephemeral messages only the clicker sees; nothing is changed for anyone else."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.blocks import as_dicts, fallback_text, message_blocks
from adapters.slack.home import HomeTab
from adapters.slack.ids import FORM_INPUTS, ActionId, BlockId, CallbackId
from adapters.slack.modals import NOT_CONFIGURED, form_modal, read_values
from adapters.slack.payloads import ButtonValue, ModalMetadata
from adapters.slack.people import PLATFORM, SlackPeople
from bot.domain import Action
from bot.messages import ButtonAction, Form, FormInput, InputKind, Message
from workflows.decisions import DecisionRequest
from workflows.errors import InvalidInput, WorkflowError
from workflows.inbox import recommendation_for
from workflows.service import Services

log = logging.getLogger(__name__)

FORM_ACTIONS = {
    ActionId.OVERRIDE: ButtonAction.OVERRIDE,
    ActionId.REASSIGN: ButtonAction.REASSIGN,
    ActionId.EXTEND: ButtonAction.EXTEND,
}
SUBMIT_ACTIONS = {CallbackId.OVERRIDE: Action.OVERRIDE, CallbackId.REASSIGN: Action.REASSIGN}
FIRST_INPUT = {CallbackId.OVERRIDE: BlockId.REASON_CODE, CallbackId.REASSIGN: BlockId.TO}


def extend_form(recommendation_id: int) -> Form:
    """The Extend SLA form. workflows.inbox renders a recommendation without its
    escalation variant (which carries this form), so the adapter states the same two
    inputs `Services.extend_sla` reads; extend_sla itself checks who may extend."""
    return Form(
        action=ButtonAction.EXTEND,
        title="Extend SLA",
        submit_label="Extend",
        recommendation_id=recommendation_id,
        inputs=[
            FormInput(name="due_at", label="New due time", kind=InputKind.DATETIME, required=True),
            FormInput(
                name="reason",
                label="Why more time",
                kind=InputKind.TEXT,
                required=True,
                placeholder="e.g. waiting for the supplier's confirmation",
            ),
        ],
    )


def clicked_message(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(channel, ts) of the message whose button was clicked; (None, None) on the Home
    tab. An ephemeral message cannot be updated by chat.update, so it has no ts here."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    if container.get("type") != "message" or container.get("is_ephemeral"):
        return channel, None
    return channel, container.get("message_ts")


def refusal(message: Message) -> str:
    """Why the reader gets no form: it was decided already, or it is not theirs."""
    if message.status:
        return f"Nothing left to decide: {message.status}."
    owner = next((f.value for f in message.fields if f.label == "Owner"), "its owner")
    return f"Only {owner}, their backup or their escalation contacts may decide this one."


class SlackHandlers:
    def __init__(
        self, *, services: Services, people: SlackPeople, home: HomeTab, client: WebClient
    ) -> None:
        self.services = services
        self.people = people
        self.home = home
        self.client = client

    def register(self, app: App) -> None:
        app.action(ActionId.ACCEPT.value)(self.on_accept)
        for action_id in FORM_ACTIONS:
            app.action(action_id.value)(self.on_open_form)
        app.action(ActionId.SNOOZE.value)(self.on_snooze)
        app.view_submission(CallbackId.EXTEND.value)(self.on_extend)
        for callback_id in SUBMIT_ACTIONS:
            app.view_submission(callback_id.value)(self.on_submit)

    # --- helpers ------------------------------------------------------------------------

    def tell(self, *, user_id: str, channel: str | None, text: str) -> None:
        """An ephemeral note for one person; in the bot's DM when there is no channel."""
        try:
            self.client.chat_postEphemeral(channel=channel or user_id, user=user_id, text=text)
        except (SlackApiError, OSError) as exc:
            log.warning("could not post an ephemeral message: %s", exc)

    def after_decision(
        self,
        *,
        recommendation_id: int,
        person_id: str,
        user_id: str,
        channel: str | None,
        ts: str | None,
    ) -> None:
        """Show the decision at once where it was made; the outbox then updates every
        other copy (the owner's DM, escalation pings) through SlackChat.update."""
        if channel and ts:
            message = recommendation_for(
                self.services, recommendation_id=recommendation_id, reader_id=person_id
            )
            try:
                self.client.chat_update(
                    channel=channel,
                    ts=ts,
                    text=fallback_text(message),
                    blocks=as_dicts(message_blocks(message)),
                )
            except (SlackApiError, OSError) as exc:
                log.warning("could not update the clicked message: %s", exc)
        self.services.kick()
        self.home.refresh(user_id=user_id, person_id=person_id)

    def _decide(self, request: DecisionRequest, *, user_id: str, channel: str | None) -> bool:
        try:
            self.services.decisions.decide(request)
        except WorkflowError as exc:
            self.tell(user_id=user_id, channel=channel, text=str(exc))
            return False
        return True

    # --- buttons ------------------------------------------------------------------------

    def on_accept(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        user_id = body["user"]["id"]
        channel, ts = clicked_message(body)
        person_id = self.people.person_id_for(user_id)
        if person_id is None:
            self.tell(user_id=user_id, channel=channel, text=NOT_CONFIGURED)
            return
        value = ButtonValue.model_validate_json(action["value"])
        request = DecisionRequest(value.recommendation_id, person_id, Action.ACCEPT, PLATFORM)
        if self._decide(request, user_id=user_id, channel=channel):
            self.after_decision(
                recommendation_id=value.recommendation_id,
                person_id=person_id,
                user_id=user_id,
                channel=channel,
                ts=ts,
            )

    def on_open_form(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Override / Reassign: open the modal while the trigger_id is still valid."""
        ack()
        user_id = body["user"]["id"]
        channel, ts = clicked_message(body)
        person_id = self.people.person_id_for(user_id)
        if person_id is None:
            self.tell(user_id=user_id, channel=channel, text=NOT_CONFIGURED)
            return
        value = ButtonValue.model_validate_json(action["value"])
        try:
            message = recommendation_for(
                self.services, recommendation_id=value.recommendation_id, reader_id=person_id
            )
        except WorkflowError as exc:
            self.tell(user_id=user_id, channel=channel, text=str(exc))
            return
        wanted = FORM_ACTIONS[ActionId(action["action_id"])]
        form = message.form_for(wanted)
        if wanted == ButtonAction.EXTEND and message.status is None:
            form = extend_form(value.recommendation_id)
        if form is None:
            self.tell(user_id=user_id, channel=channel, text=refusal(message))
            return
        metadata = ModalMetadata(
            recommendation_id=value.recommendation_id,
            channel=channel,
            message_ts=ts,
            on_behalf=value.on_behalf,
        )
        view = form_modal(form=form, message=message, metadata=metadata)
        self.client.views_open(trigger_id=body["trigger_id"], view=view)

    def on_snooze(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """The "Snooze reminders" select on a reminder: the choice rides in the option."""
        ack()
        user_id = body["user"]["id"]
        channel, _ts = clicked_message(body)
        person_id = self.people.person_id_for(user_id)
        if person_id is None:
            self.tell(user_id=user_id, channel=channel, text=NOT_CONFIGURED)
            return
        value = ButtonValue.model_validate_json(action["selected_option"]["value"])
        try:
            snoozed = self.services.snooze(
                recommendation_id=value.recommendation_id,
                actor_id=person_id,
                choice=value.value or "",
                channel=PLATFORM,
            )
        except WorkflowError as exc:
            self.tell(user_id=user_id, channel=channel, text=str(exc))
            return
        self.tell(user_id=user_id, channel=channel, text=snoozed.summary + ".")

    # --- modal submissions --------------------------------------------------------------

    def on_submit(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        callback = CallbackId(view["callback_id"])
        user_id = body["user"]["id"]
        metadata = ModalMetadata.model_validate_json(view["private_metadata"])
        person_id = self.people.person_id_for(user_id)
        if person_id is None:
            ack()
            self.tell(user_id=user_id, channel=metadata.channel, text=NOT_CONFIGURED)
            return
        values = read_values(view["state"]["values"])
        try:
            number = float(values["value"]) if values.get("value") else None
        except ValueError:
            ack(response_action="errors", errors={BlockId.VALUE.value: "Enter a number."})
            return
        request = DecisionRequest(
            metadata.recommendation_id,
            person_id,
            SUBMIT_ACTIONS[callback],
            PLATFORM,
            reason_code=values.get("reason_code"),
            note=values.get("note"),
            value=number,
            to=values.get("to"),
        )
        try:
            self.services.decisions.decide(request)
        except InvalidInput as exc:
            block = FORM_INPUTS[exc.field][0] if exc.field in FORM_INPUTS else None
            ack(
                response_action="errors",
                errors={(block or FIRST_INPUT[callback]).value: exc.message},
            )
            return
        except WorkflowError as exc:
            ack()
            self.tell(user_id=user_id, channel=metadata.channel, text=str(exc))
            return
        ack()
        self.after_decision(
            recommendation_id=metadata.recommendation_id,
            person_id=person_id,
            user_id=user_id,
            channel=metadata.channel,
            ts=metadata.message_ts,
        )

    def on_extend(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = body["user"]["id"]
        metadata = ModalMetadata.model_validate_json(view["private_metadata"])
        person_id = self.people.person_id_for(user_id)
        if person_id is None:
            ack()
            self.tell(user_id=user_id, channel=metadata.channel, text=NOT_CONFIGURED)
            return
        values = read_values(view["state"]["values"])
        stamp = values.get("due_at")
        new_due = datetime.fromtimestamp(int(stamp), UTC) if stamp else ""
        try:
            extended = self.services.extend_sla(
                recommendation_id=metadata.recommendation_id,
                actor_id=person_id,
                new_due=new_due,
                reason=values.get("reason"),
                channel=PLATFORM,
            )
        except InvalidInput as exc:
            block = FORM_INPUTS[exc.field][0] if exc.field in FORM_INPUTS else BlockId.DUE_AT
            ack(response_action="errors", errors={block.value: exc.message})
            return
        except WorkflowError as exc:
            ack()
            self.tell(user_id=user_id, channel=metadata.channel, text=str(exc))
            return
        ack()
        self.tell(user_id=user_id, channel=metadata.channel, text=extended.summary + ".")
        self.home.refresh(user_id=user_id, person_id=person_id)
