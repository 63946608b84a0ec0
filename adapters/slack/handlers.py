"""The bolt listeners for decisions: button clicks and modal submissions.

Every listener acks first, with nothing before the ack that waits on the database or on
Slack (Slack gives three seconds, and a trigger_id dies with them), and hands the work
to the after-ack pool (adapters.slack.after_ack): a burst of clicks becomes a queue of
message updates, never a click Slack shows as failed. A modal submission's ack may
carry input errors: those the configuration alone can find are checked before the ack;
the decision itself is recorded after it, and a refusal then is an ephemeral note.
Repeated deliveries are dropped in the work (adapters.slack.dedupe). Refusals (not
permitted, already decided, a stranger) are ephemeral messages only the clicker sees
(adapters.slack.replies); nothing is changed for anyone else. A form button opens its
modal only when the workflow's message for the clicker carries that form, so a refused
click never opens one."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.after_ack import AfterAck
from adapters.slack.blocks import as_dicts, fallback_text, message_blocks
from adapters.slack.dedupe import first_time
from adapters.slack.home import HomeTab
from adapters.slack.ids import FORM_INPUTS, ActionId, BlockId, CallbackId
from adapters.slack.modals import form_modal, submitted_values
from adapters.slack.origin import Origin
from adapters.slack.payloads import ButtonValue, ModalMetadata
from adapters.slack.people import PLATFORM, SlackPeople
from adapters.slack.queue import redrawn_queue, replace_ephemeral
from adapters.slack.replies import Replies
from core.domain import Action
from core.messages import ButtonAction, Message
from workflows.decisions import DecisionRecorded, DecisionRequest
from workflows.errors import InvalidInput
from workflows.inbox import recommendation_for
from workflows.service import Services
from workflows.views import Purpose

log = logging.getLogger(__name__)

FORM_ACTIONS = {
    ActionId.OVERRIDE: ButtonAction.OVERRIDE,
    ActionId.REASSIGN: ButtonAction.REASSIGN,
    ActionId.EXTEND: ButtonAction.EXTEND,
}
# The rendering that carries a form: Extend SLA only ever comes with the escalation.
FORM_PURPOSE = {ButtonAction.EXTEND: Purpose.ESCALATION}
SUBMIT_ACTIONS = {CallbackId.OVERRIDE: Action.OVERRIDE, CallbackId.REASSIGN: Action.REASSIGN}
UNREADABLE = "sopbot cannot read this button, so nothing was recorded. Use the latest message."
FIRST_INPUT = {CallbackId.OVERRIDE: BlockId.REASON_CODE, CallbackId.REASSIGN: BlockId.TO}


def refusal(message: Message, wanted: ButtonAction) -> str:
    """Why the reader gets no form: it was decided already, or it is not theirs."""
    if message.status:
        return f"Nothing left to decide: {message.status}."
    owner = next((f.value for f in message.fields if f.label == "Owner"), "its owner")
    if wanted == ButtonAction.EXTEND:
        return f"Only {owner}'s escalation contacts or the override reviewer may extend the SLA."
    return f"Only {owner}, their backup or their escalation contacts may decide this one."


@dataclass(frozen=True)
class Click:
    origin: Origin
    person_id: str
    value: ButtonValue


@dataclass(frozen=True)
class Submission:
    origin: Origin
    person_id: str
    metadata: ModalMetadata
    values: dict[str, str | None]


class SlackHandlers:
    def __init__(
        self, *, services: Services, people: SlackPeople, home: HomeTab, client: WebClient,
        after: AfterAck,
    ) -> None:  # fmt: skip
        self.services = services
        self.home = home
        self.client = client
        self.after = after
        self.replies = Replies(client=client, people=people)

    def register(self, app: App) -> None:
        app.action(ActionId.ACCEPT.value)(self.on_accept)
        for action_id in FORM_ACTIONS:
            app.action(action_id.value)(self.on_open_form)
        app.action(ActionId.SNOOZE.value)(self.on_snooze)
        app.view_submission(CallbackId.EXTEND.value)(self.on_extend)
        for callback_id in SUBMIT_ACTIONS:
            app.view_submission(callback_id.value)(self.on_submit)

    # --- the request path: ack, then queue the work -------------------------------------

    def on_accept(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        self.after.run(partial(self.accept, body, action))

    def on_open_form(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        self.after.run_modal(partial(self.open_form, body, action))

    def on_snooze(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        self.after.run(partial(self.snooze, body, action))

    def on_submit(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Input errors the configuration can find stay next to their field (the modal
        stays open); anything else is acked, and the decision recorded after."""
        metadata = ModalMetadata.parse(view.get("private_metadata"))
        if metadata is None:
            ack()  # not a modal sopbot opened: nothing to record, nobody to tell
            log.info("ignored a Slack modal submission with unreadable private_metadata")
            return
        values = submitted_values(view)
        callback = CallbackId(view["callback_id"])
        try:
            number = float(values["value"]) if values.get("value") else None
        except ValueError:
            ack(response_action="errors", errors={BlockId.VALUE.value: "Enter a number."})
            return
        request = DecisionRequest(
            metadata.recommendation_id, "", SUBMIT_ACTIONS[callback], PLATFORM,
            reason_code=values.get("reason_code"), note=values.get("note"), value=number,
            to=values.get("to"),
        )  # fmt: skip
        try:
            self.services.decisions.check_input(request)
        except InvalidInput as exc:
            block = FORM_INPUTS[exc.field][0] if exc.field in FORM_INPUTS else FIRST_INPUT[callback]
            ack(response_action="errors", errors={block.value: exc.message})
            return
        ack()
        self.after.run(partial(self.submit, body, metadata, request))

    # --- who, where, and what happens after a decision -----------------------------------

    def clicked(self, body: dict[str, Any], value: Any) -> Click | None:
        """Who made a click and on what; None for a repeated delivery, for a stranger
        and for a value sopbot did not render (both are told)."""
        if not first_time(self.services, body):
            return None
        origin = Origin.of_click(body)
        person_id = self.replies.identify(origin)
        if person_id is None:
            return None
        parsed = ButtonValue.parse(value)
        if parsed is None:
            self.replies.tell(origin, UNREADABLE)
            return None
        return Click(origin, person_id, parsed)

    def submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> Submission | None:
        """Who submitted a modal and what; None (acked and told) for a stranger. For
        anyone else the ack is left to the caller: it may carry input errors."""
        metadata = ModalMetadata.parse(view.get("private_metadata"))
        if metadata is None:
            ack()
            log.info("ignored a Slack modal submission with unreadable private_metadata")
            return None
        origin = Origin.of_submission(body, metadata)
        person_id = self.replies.identify(origin, ack=ack)
        if person_id is None:
            return None
        return Submission(origin, person_id, metadata, submitted_values(view))

    def after_decision(self, origin: Origin, *, recorded: DecisionRecorded, person_id: str) -> None:
        """Show the decision at once where it was made (the clicked message, or the
        `/sopbot queue` list redrawn); the outbox then updates every other copy (the
        owner's DM, escalation pings) through SlackChat.update."""
        if origin.ts:
            self.update_clicked(
                origin, recommendation_id=recorded.recommendation_id, person_id=person_id
            )
        elif origin.response_url:
            notice = f"{recorded.summary} (#{recorded.recommendation_id})."
            queue = redrawn_queue(self.services, person_id=person_id, notice=notice)
            if not replace_ephemeral(origin.response_url, queue):
                self.replies.tell(origin, notice)
        self.services.kick()
        self.home.refresh(user_id=origin.user_id, person_id=person_id)

    def update_clicked(self, origin: Origin, *, recommendation_id: int, person_id: str) -> None:
        message = recommendation_for(
            self.services, recommendation_id=recommendation_id, reader_id=person_id
        )
        try:
            self.client.chat_update(
                channel=origin.channel,
                ts=origin.ts,
                text=fallback_text(message),
                blocks=as_dicts(message_blocks(message)),
            )
        except (SlackApiError, OSError) as exc:
            log.warning("could not update the clicked message: %s", exc)

    # --- buttons ------------------------------------------------------------------------

    def accept(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        click = self.clicked(body, action.get("value"))
        if click is None:
            return
        request = DecisionRequest(
            click.value.recommendation_id, click.person_id, Action.ACCEPT, PLATFORM
        )
        recorded = self.replies.attempt(
            click.origin, partial(self.services.decisions.decide, request)
        )
        if recorded is not None:
            self.after_decision(click.origin, recorded=recorded, person_id=click.person_id)

    def open_form(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Override / Reassign / Extend SLA: the form comes from the recommendation as the
        clicker may act on it now (one database read), and the modal opens while the
        trigger_id is still valid. No form for them: an ephemeral refusal, no modal."""
        click = self.clicked(body, action.get("value"))
        if click is None:
            return
        wanted = FORM_ACTIONS[ActionId(action["action_id"])]
        recommendation_id = click.value.recommendation_id
        message = self.replies.attempt(
            click.origin,
            partial(
                recommendation_for,
                self.services,
                recommendation_id=recommendation_id,
                reader_id=click.person_id,
                purpose=FORM_PURPOSE.get(wanted, Purpose.OWNER),
            ),
        )
        if message is None:
            return
        form = message.form_for(wanted)
        if form is None:
            self.replies.tell(click.origin, refusal(message, wanted))
            return
        metadata = click.origin.metadata(
            recommendation_id=recommendation_id, on_behalf=click.value.on_behalf
        )
        view = form_modal(form=form, message=message, metadata=metadata)
        self.client.views_open(trigger_id=body["trigger_id"], view=view)

    def snooze(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """The "Snooze reminders" select on a reminder: the choice rides in the option."""
        click = self.clicked(body, (action.get("selected_option") or {}).get("value"))
        if click is None:
            return
        snoozed = self.replies.attempt(
            click.origin,
            partial(
                self.services.snooze,
                recommendation_id=click.value.recommendation_id,
                actor_id=click.person_id,
                choice=click.value.value or "",
                channel=PLATFORM,
            ),
        )
        if snoozed is not None:
            self.replies.tell(click.origin, snoozed.summary + ".")

    # --- modal submissions --------------------------------------------------------------

    def submit(self, body: dict[str, Any], metadata: ModalMetadata,
               request: DecisionRequest) -> None:  # fmt: skip
        if not first_time(self.services, body):
            return
        origin = Origin.of_submission(body, metadata)
        person_id = self.replies.identify(origin)
        if person_id is None:
            return
        recorded = self.replies.attempt(
            origin, partial(self.services.decisions.decide, replace(request, actor_id=person_id))
        )
        if recorded is not None:
            self.after_decision(origin, recorded=recorded, person_id=person_id)

    def on_extend(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        if not first_time(self.services, body):  # a replay: the first one was answered
            ack()
            return
        sub = self.submitted(ack, body, view)
        if sub is None:
            return
        stamp = sub.values.get("due_at")
        extended = self.replies.settle(
            ack,
            sub.origin,
            partial(
                self.services.extend_sla,
                recommendation_id=sub.metadata.recommendation_id,
                actor_id=sub.person_id,
                new_due=datetime.fromtimestamp(int(stamp), UTC) if stamp else "",
                reason=sub.values.get("reason"),
                channel=PLATFORM,
            ),
            field_block=BlockId.DUE_AT,
        )
        if extended is not None:
            self.replies.tell(sub.origin, extended.summary + ".")
            self.home.refresh(user_id=sub.origin.user_id, person_id=sub.person_id)
