"""The SLA clock's buttons on Teams cards: Snooze on a reminder, Extend SLA on an
escalation. A mixin of `SopbotTeamsBot`, apart so the bot module stays about turns.

Both answer where the click happened: the card is redrawn in place with the new state
(or, for a refused Extend form, with the form open and the error under its field); a
refused person gets a plain reply and the card stays as it was, since the refusal is
about them, not about the recommendation."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from adapters.teams.cards import OpenForm
from adapters.teams.payloads import Submission
from core.messages import ButtonAction, Message
from workflows.decisions import Performed, check_click, perform_click
from workflows.errors import InvalidInput, WorkflowError
from workflows.service import Services
from workflows.views import Purpose


class SlaSubmits:
    """Needs the bot's `services`, `_current`, `_replace_card` and `_reply`."""

    services: Services

    if TYPE_CHECKING:  # provided by SopbotTeamsBot; declared here for the type checker

        async def _current(
            self, recommendation_id: int, person_id: str, purpose: Purpose | None = None
        ) -> Message: ...

        async def _replace_card(
            self, turn_context: TurnContext, message: Message, open_form: OpenForm | None = None
        ) -> None: ...

        async def _reply(self, turn_context: TurnContext, activity: Activity | str) -> None: ...

    async def _on_snooze(self, turn_context: TurnContext, person_id: str, sub: Submission) -> None:
        """The snooze length rides in the submit's `value` ("1h", "4h", "nbd")."""
        rec_id = sub.submit.recommendation_id
        try:
            snoozed = await asyncio.to_thread(self._perform, sub, person_id)
        except WorkflowError as error:
            await self._refused(turn_context, person_id, sub, error)
            return
        message = await self._current(rec_id, person_id, Purpose.REMINDER)
        message.status = message.status or snoozed.summary
        await self._replace_card(turn_context, message)

    async def _on_extend(self, turn_context: TurnContext, person_id: str, sub: Submission) -> None:
        """The Extend SLA form: a new due time (date + time, the actor's local time)
        and a reason; the workflow checks both and who may extend."""
        rec_id = sub.submit.recommendation_id
        try:
            extended = await asyncio.to_thread(self._perform, sub, person_id)
        except InvalidInput as error:
            message = await self._current(rec_id, person_id, Purpose.ESCALATION)
            form = OpenForm(
                action=ButtonAction.EXTEND, values=sub.inputs, errors={error.field: error.message}
            )
            extend = message.form_for(ButtonAction.EXTEND)
            if extend is None:  # decided meanwhile, or no longer the reader's to act on
                await self._refused(turn_context, person_id, sub, error)
                return
            if not any(i.name == error.field for i in extend.inputs):
                form.errors, form.message = {}, error.message
            await self._replace_card(turn_context, message, open_form=form)
            return
        except WorkflowError as error:
            await self._refused(turn_context, person_id, sub, error)
            return
        message = await self._current(rec_id, person_id, Purpose.ESCALATION)
        message.status = message.status or extended.summary
        await self._replace_card(turn_context, message)

    def _perform(self, sub: Submission, person_id: str) -> Performed:
        """The submit as a neutral click, checked and performed (a worker thread)."""
        click = sub.click(actor_id=person_id)
        assert click is not None
        return perform_click(self.services, check_click(self.services, click))

    async def _refused(
        self, turn_context: TurnContext, person_id: str, sub: Submission, error: WorkflowError
    ) -> None:
        """Say why, plainly. A card that is out of date (decided or withdrawn since) is
        redrawn as it stands now, so its stale buttons go."""
        await self._reply(turn_context, str(error))
        try:
            message = await self._current(sub.submit.recommendation_id, person_id)
        except WorkflowError:
            return
        if message.status is not None:
            await self._replace_card(turn_context, message)
