"""The Teams `ActivityHandler`: remembers where people are, answers commands, and turns
card submits into decisions (and, through `SlaSubmits`, snoozes and SLA extensions).

Workflow calls are synchronous database work; they run in worker threads
(`asyncio.to_thread`) so the adapter's loop keeps serving sends and updates meanwhile.
A refused form is answered on the card itself; a refused person gets a plain reply."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.core.teams.teams_activity_extensions import teams_get_channel_data
from botbuilder.schema import (
    Activity,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    ChannelAccount,
)

from adapters.teams.activities import card_activity, close_connector
from adapters.teams.cards import OpenForm
from adapters.teams.execute import MESSAGE, execute_submission
from adapters.teams.payloads import CardVerb, Submission, parse_submission
from adapters.teams.redraw import EMPTY, queue_activity, redrawn
from adapters.teams.references import ReferenceStore, match_person
from adapters.teams.retry import RetryPolicy, with_retries
from adapters.teams.sla_submits import SlaSubmits
from adapters.teams.tenant import tenant_of
from core.domain import Action
from core.messages import ButtonAction, Message
from workflows.chat import QUEUE, answer_command, parse_command, recommendation_for
from workflows.decisions import any_delivered, check_click, first_delivery, perform_click
from workflows.errors import AlreadyDecided, InvalidInput, RepeatedDelivery, WorkflowError
from workflows.service import Services
from workflows.views import Purpose

log = logging.getLogger(__name__)

MENTION = re.compile(r"<at>.*?</at>")
PERSONAL = "personal"
CHANNEL = "channel"
DECISIONS = {
    ButtonAction.ACCEPT: Action.ACCEPT,
    ButtonAction.OVERRIDE: Action.OVERRIDE,
    ButtonAction.REASSIGN: Action.REASSIGN,
}
UNKNOWN_PERSON = (
    "I don't know you yet: ask your sopbot administrator to add your Teams account "
    "(user principal name or e-mail) to the people in sopbot.yml."
)
WELCOME = "Hi {name}! I will send the recommendations you own here. Type `help` for commands."


@dataclass(frozen=True)
class Sender:
    """The person an activity's sender was matched to, and how (for the audit)."""

    person_id: str | None
    external_id: str | None
    via: str = ""
    may_relink: bool = False  # matched by the configured account id itself


class SopbotTeamsBot(SlaSubmits, ActivityHandler):
    def __init__(self, *, services: Services, store: ReferenceStore, retry: RetryPolicy) -> None:
        self.services = services
        self.store = store
        self.retry = retry

    async def on_turn(self, turn_context: TurnContext) -> None:
        try:
            await super().on_turn(turn_context)
        except Exception:
            log.exception("Teams %s activity failed", turn_context.activity.type)
            raise
        finally:
            await close_connector(turn_context)

    # --- installs: where people and channels can be reached ----------------------------

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        person_id = await self._capture(turn_context)
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        added = [m.id for m in turn_context.activity.members_added or []]
        if person_id and bot_id in added and self._scope(turn_context) == PERSONAL:
            conversation = turn_context.activity.conversation.id
            if await self._first(f"welcome:{conversation}"):
                name = self.services.config.display_name(person_id)
                await self._reply(turn_context, WELCOME.format(name=name))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._capture(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        if self._scope(turn_context) != PERSONAL:
            return
        sender = await self._identify(turn_context)
        if sender.person_id and sender.external_id:
            await asyncio.to_thread(
                self.store.forget_person,
                person_id=sender.person_id,
                external_id=sender.external_id,
                tenant=tenant_of(turn_context.activity),
            )

    # --- messages: commands and card submits -----------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """A command, or a card's Action.Submit."""
        activity = turn_context.activity
        await self._on_card_or_command(turn_context, parse_submission(activity.value))

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        """A card's Action.Execute: its invoke was answered by the route already, from
        the payload alone (adapters.teams.execute); this turn runs after that answer and
        does what an Action.Submit does, with the same permissions and claims."""
        submission = execute_submission(turn_context.activity.value)
        await self._on_card_or_command(turn_context, submission)
        # Discarded (Teams had its answer): without a value, since botbuilder serialises
        # this one as a dict and a text made every such turn end in an error.
        return AdaptiveCardInvokeResponse(status_code=200, type=MESSAGE)

    async def _on_card_or_command(
        self, turn_context: TurnContext, submission: Submission | None
    ) -> None:
        """An activity counts as handled only once its work is done: a decision marks it
        in its own transaction, anything else right after it succeeded, so a turn that
        failed leaves the same click to be handled when it comes again."""
        activity = turn_context.activity
        keys = (f"{activity.conversation.id}:{activity.id}",) if activity.id else ()
        if await self._handled(keys):
            return  # the same activity delivered twice
        person_id = await self._capture(turn_context)
        if activity.value is not None and submission is None:
            await self._reply(
                turn_context, "That card is out of date; type `queue` for a fresh one."
            )
            return
        if person_id is None:
            await self._reply(turn_context, UNKNOWN_PERSON)
            return
        if submission is not None:
            await self._on_submit(turn_context, person_id, submission, keys)
        else:
            await self._on_command(turn_context, person_id)
            await self._mark(keys)

    async def _on_command(self, turn_context: TurnContext, person_id: str) -> None:
        text = TurnContext.remove_recipient_mention(turn_context.activity) or ""
        text = MENTION.sub(" ", text)  # a mention of the bot without its entity
        request = parse_command(
            self.services.config, person_id=person_id, text=text, platform="teams"
        )
        if request.word == QUEUE:  # one card, a page at a time (adapters.teams.redraw)
            queue = await asyncio.to_thread(queue_activity, self.services, person_id=person_id)
            await self._reply(turn_context, queue or EMPTY)
            return
        reply = await asyncio.to_thread(answer_command, self.services, request)
        await self._reply(turn_context, reply if isinstance(reply, str) else card_activity(reply))

    async def _on_submit(
        self, turn_context: TurnContext, person_id: str, sub: Submission, keys: tuple[str, ...]
    ) -> None:
        keys = (*keys, f"card:{person_id}:{sub.fingerprint()}")
        if await self._handled(keys):
            return  # the same card submitted again with the same inputs
        action = sub.submit.action
        rec_id = sub.submit.recommendation_id
        variant = sub.submit.variant
        if action in DECISIONS:
            await self._on_decision(turn_context, person_id, sub, keys)
            return
        if action == CardVerb.PAGE:
            await self._replace_activity(
                turn_context, await self._redrawn(turn_context, person_id, sub)
            )
        elif action in (CardVerb.CANCEL, CardVerb.OPEN):
            message = await self._current(rec_id, person_id, variant)
            if action == CardVerb.CANCEL:
                await self._replace_card(turn_context, message)
            else:
                await self._reply(turn_context, card_activity(message))
        elif action == ButtonAction.SNOOZE:
            await self._on_snooze(turn_context, person_id, sub)
        elif action == ButtonAction.EXTEND:
            await self._on_extend(turn_context, person_id, sub)
        await self._mark(keys)

    async def _on_decision(
        self,
        turn_context: TurnContext,
        person_id: str,
        sub: Submission,
        keys: tuple[str, ...],
    ) -> None:
        submit = sub.submit
        action, rec_id, variant = submit.action, submit.recommendation_id, submit.variant
        click = sub.click(actor_id=person_id, deliveries=keys)
        assert click is not None
        try:
            checked = check_click(self.services, click)
            result = await asyncio.to_thread(perform_click, self.services, checked)
        except RepeatedDelivery:
            return  # a copy of this click, handled concurrently
        except InvalidInput as error:
            message = await self._current(rec_id, person_id, variant)
            form = OpenForm(action=action, values=sub.inputs, errors={error.field: error.message})
            if not any(i.name == error.field for f in message.forms for i in f.inputs):
                form.errors, form.message = {}, error.message
            await self._replace_card(turn_context, message, open_form=form)
            return
        except AlreadyDecided as error:
            await self._replace_activity(
                turn_context, await self._redrawn(turn_context, person_id, sub)
            )
            await self._reply(turn_context, str(error))
            return
        except WorkflowError as error:  # not permitted, withdrawn, not found: nothing changes
            await self._reply(turn_context, str(error))
            return
        notice = f"{result.summary} (#{rec_id})." if variant == Purpose.QUEUE else result.summary
        await self._replace_activity(
            turn_context, await self._redrawn(turn_context, person_id, sub, notice)
        )

    # --- helpers ----------------------------------------------------------------------

    async def _current(
        self, recommendation_id: int, person_id: str, purpose: Purpose | None = None
    ) -> Message:
        """The recommendation as `person_id` sees it now, drawn by the workflow for the
        purpose the card was (its submit's `variant`): the outbox's own message."""
        return await asyncio.to_thread(
            recommendation_for,
            self.services,
            recommendation_id=recommendation_id,
            reader_id=person_id,
            purpose=purpose or Purpose.OWNER,
        )

    async def _redrawn(
        self, turn_context: TurnContext, person_id: str, sub: Submission, notice: str | None = None
    ) -> Activity:
        """The submitted card as it reads now, drawn as what it is (a digest part, a
        page of the queue, a reminder, an escalation: adapters.teams.redraw)."""
        activity = turn_context.activity
        return await asyncio.to_thread(
            redrawn,
            self.services,
            submit=sub.submit,
            person_id=person_id,
            conversation_id=activity.conversation.id,
            card_id=activity.reply_to_id,
            notice=notice,
        )

    async def _replace_card(
        self, turn_context: TurnContext, message: Message, open_form: OpenForm | None = None
    ) -> None:
        """Update the submitted card in place (Teams gives its id as replyToId)."""
        await self._replace_activity(turn_context, card_activity(message, open_form=open_form))

    async def _replace_activity(self, turn_context: TurnContext, activity: Activity) -> None:
        card_id = turn_context.activity.reply_to_id
        if not card_id:
            await self._reply(turn_context, activity)
            return
        activity.id = card_id
        await with_retries(
            lambda: turn_context.update_activity(activity), policy=self.retry, what="card update"
        )

    async def _reply(self, turn_context: TurnContext, activity: Activity | str) -> None:
        await with_retries(
            lambda: turn_context.send_activity(activity), policy=self.retry, what="reply"
        )

    async def _first(self, delivery_id: str) -> bool:
        return await asyncio.to_thread(
            first_delivery,
            database=self.services.database,
            clock=self.services.clock,
            platform="teams",
            delivery_id=delivery_id,
        )

    async def _handled(self, keys: tuple[str, ...]) -> bool:
        return await asyncio.to_thread(
            any_delivered, database=self.services.database, platform="teams", delivery_ids=keys
        )

    async def _mark(self, keys: tuple[str, ...]) -> None:
        """The work for these deliveries is done: repeats of them are dropped from now."""
        for key in keys:
            await self._first(key)

    @staticmethod
    def _scope(turn_context: TurnContext) -> str:
        conversation = turn_context.activity.conversation
        return (conversation.conversation_type if conversation else None) or PERSONAL

    async def _capture(self, turn_context: TurnContext) -> str | None:
        """Store the conversation reference of this activity: the person's 1:1 chat, or
        the channel. Returns the sender's person id when they are configured and this
        account may speak for them (another account holding them is refused, audited)."""
        activity = turn_context.activity
        reference = TurnContext.get_conversation_reference(activity)
        scope = self._scope(turn_context)
        if scope == CHANNEL:
            data = teams_get_channel_data(activity)
            names = [
                data.channel.name if data and data.channel else None,
                data.team.name if data and data.team else None,
            ]
            channel_id = (data.channel.id if data and data.channel else None) or (
                activity.conversation.id
            )
            await asyncio.to_thread(
                self.store.save_channel, names=names, channel_id=channel_id, reference=reference
            )
        sender = await self._identify(turn_context)
        if sender.person_id is None or sender.external_id is None:
            return None
        accepted = await asyncio.to_thread(
            self.store.save_person,
            person_id=sender.person_id,
            external_id=sender.external_id,
            reference=reference if scope == PERSONAL else None,
            via=sender.via,
            may_relink=sender.may_relink,
            tenant=tenant_of(activity),
        )
        return sender.person_id if accepted else None

    async def _identify(self, turn_context: TurnContext) -> Sender:
        """Who sent this: a stored link by AAD object id, else the configuration's
        `teams`/`email` against the AAD id, and only then the member's UPN and e-mail
        from the Bot Connector (Teams activities do not carry the UPN). Only the first
        two are sopbot's own word; the roster is the sender's directory's."""
        sender: ChannelAccount | None = turn_context.activity.from_property
        if sender is None or not sender.id:
            return Sender(None, None)
        external_id = sender.aad_object_id or sender.id
        person_id = await asyncio.to_thread(self.store.person_for, external_id)
        if person_id is not None:
            return Sender(person_id, external_id, via="stored link")
        person_id = match_person(
            self.services.config, identifiers=[sender.aad_object_id, sender.id]
        )
        if person_id is not None:  # sopbot.yml's `teams` naming this account may move a link
            named = (self.services.config.person(person_id).teams or "").strip().lower()
            ids = {i.strip().lower() for i in (sender.aad_object_id, sender.id) if i}
            return Sender(
                person_id, external_id, via="configured Teams id", may_relink=named in ids
            )
        member = await self._member(turn_context, sender.id)
        if member is not None:
            person_id = match_person(
                self.services.config,
                identifiers=[member.user_principal_name, member.email, member.aad_object_id],
            )
        return Sender(person_id, external_id, via="roster UPN or e-mail")

    async def _member(self, turn_context: TurnContext, member_id: str) -> Any:
        try:
            return await TeamsInfo.get_member(turn_context, member_id)
        except Exception as exc:  # noqa: BLE001 - an unknown member is just unknown
            log.info("Teams member lookup failed: %s", type(exc).__name__)
            return None
