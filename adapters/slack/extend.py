"""Extend SLA, the one form submitted from an escalation: what the form alone refuses
(no reason, a time already past) is answered next to its field in the ack; who may
extend and whether the time is later than the current due time need the database, so
they are checked after the ack and a refusal is told to the clicker."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack

from adapters.slack.after_ack import AfterAck
from adapters.slack.clicks import InputErrors, Kind, durable
from adapters.slack.dedupe import first_time
from adapters.slack.home import HomeTab
from adapters.slack.ids import FORM_INPUTS, BlockId
from adapters.slack.modals import submitted_values
from adapters.slack.origin import Origin
from adapters.slack.payloads import ModalMetadata
from adapters.slack.people import PLATFORM
from adapters.slack.replies import Replies
from workflows.decisions import CheckedClick, Click, ClickAction, check_click, perform_click
from workflows.errors import InvalidInput, WorkflowError
from workflows.service import Services

log = logging.getLogger(__name__)


class ExtendHandlers:
    def __init__(
        self, *, services: Services, replies: Replies, home: HomeTab, after: AfterAck
    ) -> None:
        self.services = services
        self.replies = replies
        self.home = home
        self.after = after

    def on_extend(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Extend SLA: what the form alone refuses (no reason, a time already past) stays
        next to its field; the rest (who may extend, later than the current due time)
        needs the database, so it is checked after the ack and a refusal is told."""
        try:
            asked = self.asked(view)
        except InputErrors as exc:
            ack(response_action="errors", errors=exc.errors)
            return
        ack()
        if asked is None:
            log.info("ignored a Slack modal submission with unreadable private_metadata")
            return
        self.after.run(partial(self.extend, body, *asked), durable=durable(body, Kind.EXTEND))

    def asked(self, view: dict[str, Any]) -> tuple[ModalMetadata, CheckedClick] | None:
        """The Extend SLA modal as a neutral click (the picker's instant, the reason),
        checked without the database; None when the metadata is not one sopbot wrote."""
        metadata = ModalMetadata.parse(view.get("private_metadata"))
        if metadata is None:
            return None
        values = submitted_values(view)
        click = Click(
            action=ClickAction.EXTEND,
            recommendation_id=metadata.recommendation_id,
            channel=PLATFORM,
            values={k: v for k, v in values.items() if k in ("due_at", "reason") and v},
        )
        try:
            return metadata, check_click(self.services, click)
        except InvalidInput as exc:
            block = FORM_INPUTS[exc.field][0] if exc.field in FORM_INPUTS else BlockId.DUE_AT
            raise InputErrors({block.value: exc.message}) from None

    def extend(
        self,
        body: dict[str, Any],
        metadata: ModalMetadata,
        checked: CheckedClick,
        *,
        taken_over: bool = False,
    ) -> None:
        if not taken_over and not first_time(self.services, body):
            return  # a replay: the first one was answered
        origin = Origin.of_submission(body, metadata)
        person_id = self.replies.identify(origin)
        if person_id is None:
            return
        try:
            extended = perform_click(self.services, checked.by(person_id))
        except InvalidInput as exc:  # the modal is closed by now: say it, and what to do
            self.replies.tell(
                origin,
                f"The SLA was not extended: {exc.message} "
                "Click Extend SLA again to choose another time.",
            )
            return
        except WorkflowError as exc:
            self.replies.tell(origin, str(exc))
            return
        self.replies.tell(origin, extended.summary + ".")
        self.home.refresh(user_id=origin.user_id, person_id=person_id)
