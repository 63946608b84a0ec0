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
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.after_ack import AfterAck
from adapters.slack.blocks import as_dicts, fallback_text, message_blocks
from adapters.slack.clicks import Drawn, InputErrors, Kind, durable, refusal
from adapters.slack.dedupe import first_time
from adapters.slack.extend import ExtendHandlers
from adapters.slack.home import HomeTab
from adapters.slack.ids import FORM_INPUTS, ActionId, BlockId, CallbackId
from adapters.slack.modals import form_modal, submitted_values
from adapters.slack.origin import Origin
from adapters.slack.payloads import ButtonValue, ModalMetadata, QueuePageValue
from adapters.slack.people import PLATFORM, SlackPeople
from adapters.slack.queue import queue_view, replace_ephemeral
from adapters.slack.replies import Replies
from core.messages import ButtonAction
from workflows.chat import digest_part_for, recommendation_for
from workflows.decisions import (
    CheckedClick,
    Click,
    ClickAction,
    DecisionRecorded,
    Pending,
    Performed,
    check_click,
    perform_click,
)
from workflows.errors import InvalidInput
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
SUBMIT_ACTIONS = {
    CallbackId.OVERRIDE: ClickAction.OVERRIDE,
    CallbackId.REASSIGN: ClickAction.REASSIGN,
}
UNREADABLE = "sopbot cannot read this button, so nothing was recorded. Use the latest message."
FIRST_INPUT = {CallbackId.OVERRIDE: BlockId.REASON_CODE, CallbackId.REASSIGN: BlockId.TO}


@dataclass(frozen=True)
class SlackClick:
    origin: Origin
    person_id: str
    value: ButtonValue


class SlackHandlers:
    def __init__(
        self,
        *,
        services: Services,
        people: SlackPeople,
        home: HomeTab,
        client: WebClient,
        after: AfterAck,
    ) -> None:
        self.services = services
        self.home = home
        self.client = client
        self.after = after
        self.replies = Replies(client=client, people=people)
        self.extension = ExtendHandlers(
            services=services, replies=self.replies, home=home, after=after
        )

    def register(self, app: App) -> None:
        app.action(ActionId.ACCEPT.value)(self.on_accept)
        for action_id in FORM_ACTIONS:
            app.action(action_id.value)(self.on_open_form)
        app.action(ActionId.SNOOZE.value)(self.on_snooze)
        app.action(ActionId.QUEUE_PREVIOUS.value)(self.on_queue_page)
        app.action(ActionId.QUEUE_NEXT.value)(self.on_queue_page)
        app.view_submission(CallbackId.EXTEND.value)(self.extension.on_extend)
        for callback_id in SUBMIT_ACTIONS:
            app.view_submission(callback_id.value)(self.on_submit)

    # --- the request path: ack, then queue the work -------------------------------------

    def on_accept(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        self.after.run(partial(self.accept, body, action), durable=durable(body, Kind.ACCEPT))

    def on_open_form(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        self.after.run_modal(partial(self.open_form, body, action))

    def on_snooze(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        self.after.run(partial(self.snooze, body, action), durable=durable(body, Kind.SNOOZE))

    def on_queue_page(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        self.after.run(partial(self.turn_page, body, action))

    def on_submit(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Input errors the configuration can find stay next to their field (the modal
        stays open); anything else is acked, and the decision recorded after."""
        try:
            asked = self.submitted_request(view)
        except InputErrors as exc:
            ack(response_action="errors", errors=exc.errors)
            return
        if asked is None:
            ack()  # not a modal sopbot opened: nothing to record, nobody to tell
            log.info("ignored a Slack modal submission with unreadable private_metadata")
            return
        ack()
        self.after.run(partial(self.submit, body, *asked), durable=durable(body, Kind.SUBMIT))

    def submitted_request(self, view: dict[str, Any]) -> tuple[ModalMetadata, CheckedClick] | None:
        """The click an Override / Reassign modal stands for, checked as far as the
        configuration allows (workflows.decisions.check_click); InputErrors carries the
        errors by block, None means the metadata is not one sopbot wrote."""
        metadata = ModalMetadata.parse(view.get("private_metadata"))
        if metadata is None:
            return None
        callback = CallbackId(view["callback_id"])
        click = Click(
            action=SUBMIT_ACTIONS[callback],
            recommendation_id=metadata.recommendation_id,
            channel=PLATFORM,
            values={k: v for k, v in submitted_values(view).items() if v is not None},
            on_behalf=metadata.on_behalf,
        )
        try:
            return metadata, check_click(self.services, click)
        except InvalidInput as exc:
            block = FORM_INPUTS[exc.field][0] if exc.field in FORM_INPUTS else FIRST_INPUT[callback]
            raise InputErrors({block.value: exc.message}) from None

    # --- who, where, and what happens after a decision -----------------------------------

    def clicked(
        self, body: dict[str, Any], value: Any, *, taken_over: bool = False
    ) -> SlackClick | None:
        """Who made a click and on what; None for a repeated delivery, for a stranger
        and for a value sopbot did not render (both are told). A click taken over from
        a process gone may have been claimed by it already: its decision is still once,
        by its own unique key."""
        if not taken_over and not first_time(self.services, body):
            return None
        origin = Origin.of_click(body)
        person_id = self.replies.identify(origin)
        if person_id is None:
            return None
        parsed = ButtonValue.parse(value)
        if parsed is None:
            self.replies.tell(origin, UNREADABLE)
            return None
        return SlackClick(origin, person_id, parsed)

    def after_decision(
        self, origin: Origin, *, recorded: DecisionRecorded, person_id: str, drawn: Drawn
    ) -> None:
        """Show the decision at once where it was made (the clicked message, or the
        `/sopbot queue` list redrawn on the page it was on); the outbox then updates
        every other copy (the owner's DM, escalation pings) through SlackChat.update."""
        if origin.ts:
            self.update_clicked(
                origin,
                recommendation_id=recorded.recommendation_id,
                person_id=person_id,
                drawn=drawn,
            )
        elif origin.response_url:
            notice = f"{recorded.summary} (#{recorded.recommendation_id})."
            queue = queue_view(
                self.services, person_id=person_id, page=drawn.page or 1, notice=notice
            )
            if not replace_ephemeral(origin.response_url, queue):
                self.replies.tell(origin, notice)
        self.services.kick()
        self.home.refresh(user_id=origin.user_id, person_id=person_id)

    def update_clicked(
        self, origin: Origin, *, recommendation_id: int, person_id: str, drawn: Drawn
    ) -> None:
        """Redraw the clicked message as what it is: a digest part keeps all its entries
        (the decided one shows who decided), a reminder or an escalation stays one for
        this reader (an escalation contact keeps "Escalated:" and Extend SLA)."""
        message = None
        if drawn.purpose == Purpose.DIGEST and origin.channel and origin.ts:
            message = digest_part_for(
                self.services, platform=PLATFORM, channel=origin.channel, message_id=origin.ts
            )
        if message is None:
            message = recommendation_for(
                self.services,
                recommendation_id=recommendation_id,
                reader_id=person_id,
                purpose=drawn.as_purpose(),
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

    def accept(
        self, body: dict[str, Any], action: dict[str, Any], *, taken_over: bool = False
    ) -> None:
        click = self.clicked(body, action.get("value"), taken_over=taken_over)
        if click is None:
            return
        recorded = self.replies.attempt(
            click.origin, partial(self.perform, click, ClickAction.ACCEPT)
        )
        if recorded is not None and recorded.decision is not None:
            drawn = Drawn(click.value.purpose, click.value.page)
            self.after_decision(
                click.origin, recorded=recorded.decision, person_id=click.person_id, drawn=drawn
            )

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
            recommendation_id=recommendation_id,
            on_behalf=click.value.on_behalf,
            purpose=click.value.purpose,
            page=click.value.page,
        )
        view = form_modal(form=form, message=message, metadata=metadata)
        self.client.views_open(trigger_id=body["trigger_id"], view=view)

    def snooze(
        self, body: dict[str, Any], action: dict[str, Any], *, taken_over: bool = False
    ) -> None:
        """The "Snooze reminders" select on a reminder: the choice rides in the option."""
        click = self.clicked(
            body, (action.get("selected_option") or {}).get("value"), taken_over=taken_over
        )
        if click is None:
            return
        snoozed = self.replies.attempt(
            click.origin, partial(self.perform, click, ClickAction.SNOOZE)
        )
        if snoozed is not None:
            self.replies.tell(click.origin, snoozed.summary + ".")

    def perform(self, click: SlackClick, action: ClickAction) -> Performed:
        """A button's click (Accept, a Snooze choice) as the neutral click, checked and
        performed; a refusal is the workflow's, told by `Replies.attempt`."""
        neutral = Click(
            action=action,
            recommendation_id=click.value.recommendation_id,
            channel=PLATFORM,
            actor_id=click.person_id,
            account=click.origin.user_id,
            values={"value": click.value.value} if click.value.value else {},
            on_behalf=click.value.on_behalf,
        )
        return perform_click(self.services, check_click(self.services, neutral))

    def turn_page(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Previous / Next on the ephemeral queue: the same message, another page."""
        origin = Origin.of_click(body)
        person_id = self.replies.identify(origin)
        if person_id is None or not origin.response_url:
            return
        page = QueuePageValue.model_validate_json(action["value"]).page
        replace_ephemeral(
            origin.response_url, queue_view(self.services, person_id=person_id, page=page)
        )

    # --- modal submissions --------------------------------------------------------------

    def submit(
        self,
        body: dict[str, Any],
        metadata: ModalMetadata,
        checked: CheckedClick,
        *,
        taken_over: bool = False,
    ) -> None:
        if not taken_over and not first_time(self.services, body):
            return
        origin = Origin.of_submission(body, metadata)
        person_id = self.replies.identify(origin)
        if person_id is None:
            return
        done = self.replies.attempt(
            origin, partial(perform_click, self.services, checked.by(person_id))
        )
        if done is not None and done.decision is not None:
            drawn = Drawn(metadata.purpose, metadata.page)
            self.after_decision(origin, recorded=done.decision, person_id=person_id, drawn=drawn)

    # --- clicks taken over from a process gone (adapters.slack.journal) -----------------

    def redo(self, pending: Pending) -> None:
        """Queue the work of a click acked by a process that died before doing it."""
        body: dict[str, Any] = pending.payload["body"]
        kind = Kind(pending.kind)
        if kind in (Kind.ACCEPT, Kind.SNOOZE):
            work = partial(
                self.accept if kind == Kind.ACCEPT else self.snooze,
                body,
                body["actions"][0],
                taken_over=True,
            )
        else:
            asked = (self.submitted_request if kind == Kind.SUBMIT else self.extension.asked)(
                body["view"]
            )
            if asked is None:
                return
            work = partial(
                self.submit if kind == Kind.SUBMIT else self.extension.extend,
                body,
                *asked,
                taken_over=True,
            )
        self.after.redo(work, pending.key)
