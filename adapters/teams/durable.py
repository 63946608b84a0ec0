"""Teams card clicks made durable (workflows.decisions.durable, as Slack's and the web
chat's): an Action.Submit or Action.Execute is answered at once, and between that
answer and its turn the click is written to the journal of pending actions, with the
neutral click and the activity as Teams sent it; the row is cleared when the turn has
ended. A process that dies in between leaves it to another process, which replays the
activity through the same bot in a proactive turn (the Bot Connector at the activity's
serviceUrl, the bot's own credentials): the person is identified, the decision recorded
and the card updated as the first process would have. The activity's delivery id is
claimed in the decision's own transaction, so a click recorded before the crash is
recorded once; a text command is not journaled (it is only an answer to a question)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from botbuilder.core import ActivityHandler
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

from adapters.teams.execute import execute_submission, is_card_action
from adapters.teams.loop import TurnsAfterAnswer
from adapters.teams.payloads import parse_submission
from workflows.decisions import ClickJournal, Pending, entry
from workflows.service import Services

log = logging.getLogger(__name__)

PLATFORM = "teams"


class DurableTurns:
    def __init__(
        self,
        *,
        services: Services,
        bot: ActivityHandler,
        turns: TurnsAfterAnswer,
        cloud_adapter: CloudAdapter,
        app_id: str,
        owner: str | None = None,
    ) -> None:
        self.journal = ClickJournal(database=services.database, platform=PLATFORM, owner=owner)
        self.bot = bot
        self.turns = turns
        self.cloud_adapter = cloud_adapter
        self.app_id = app_id

    def start(self, activity: Activity, body: bytes, turn: Coroutine[Any, Any, Any]) -> None:
        """Start an answered activity's turn; a card click is journaled first."""
        sub = (
            execute_submission(activity.value)
            if is_card_action(activity)
            else parse_submission(activity.value)
        )
        sender = activity.from_property
        click = (
            sub.click(account=(sender.aad_object_id or sender.id) if sender else None)
            if sub is not None
            else None
        )
        if click is None or not activity.id or activity.conversation is None:
            self.turns.start(turn)
            return
        key = f"{activity.conversation.id}:{activity.id}"
        item = entry(key, click, {"activity": json.loads(body)})
        self.turns.expect()
        self.journal.write_then(
            item, lambda: self.turns.start(turn, then=self._then(key), expected=True)
        )

    def _then(self, key: str) -> Callable[[bool], None]:
        def finished(succeeded: bool) -> None:
            if succeeded:
                self.journal.done(key)
            else:
                self.journal.release(key)  # taken over after its lease, by any process

        return finished

    def redo(self, pending: Pending) -> None:
        """Replay the activity of a click a process gone answered and never did."""
        raw = (pending.payload.get("reply") or {}).get("activity")
        try:
            activity = Activity().deserialize(raw)
        except Exception:  # noqa: BLE001 - a row this version cannot read: drop it
            log.error("dropped a Teams click the journal holds in an unreadable shape")
            self.journal.done(pending.key)
            return
        claims = self.cloud_adapter.create_claims_identity(self.app_id)
        turn = self.cloud_adapter.process_proactive(claims, activity, None, self.bot.on_turn)
        self.turns.start(turn, then=self._then(pending.key))
