"""`TeamsChat`: the synchronous `Chat` port over botbuilder's proactive messaging.

Each send or update is a `continue_conversation` with the stored reference, run on the
adapter's private loop; the outbox worker's thread waits for it. Failures come back
as `DeliveryError` (throttling transient, the rest permanent), never swallowed."""

from __future__ import annotations

import json
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from adapters.teams.activities import card_activity, close_connector
from adapters.teams.loop import LoopThread
from adapters.teams.references import PLATFORM, ReferenceStore, dump_reference, load_reference
from adapters.teams.retry import RetryPolicy, as_delivery_error, with_retries
from core.chat import DeliveryError, MessageRef, SendKey
from core.config import Person
from core.messages import Message

REFERENCE_KEY = "reference"


class TeamsChat:
    platform = PLATFORM

    def __init__(
        self,
        *,
        adapter: CloudAdapter,
        app_id: str,
        store: ReferenceStore,
        loop: LoopThread,
        retry: RetryPolicy,
        timeout: float = 120.0,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.store = store
        self.loop = loop
        self.retry = retry
        self.timeout = timeout

    # --- the Chat port ----------------------------------------------------------------

    def can_reach(self, person: Person) -> bool:
        return self.store.person_reference(person.id) is not None

    def knows(self, person: Person) -> bool:
        """Teams can only write where a conversation exists, so knowing is reaching."""
        return self.can_reach(person)

    def send(self, *, person: Person, message: Message, key: SendKey | None = None) -> MessageRef:
        """Teams cannot look a sent activity up, so `key` is not used: a Teams send counts
        against the outbox's bound on sends nobody could find again."""
        reference = self.store.person_reference(person.id)
        if reference is None:
            raise DeliveryError(
                f"{person.id} has not installed the sopbot Teams app (no conversation to use)",
                transient=False,
            )
        return self._send(reference, message)

    def post_to_channel(self, *, channel: str, message: Message) -> MessageRef:
        reference = self.store.channel_reference(channel)
        if reference is None:
            raise DeliveryError(
                f"sopbot is not installed in a Teams channel for '{channel}'", transient=False
            )
        return self._send(reference, message)

    def update(self, *, ref: MessageRef, message: Message) -> None:
        raw = ref.extra.get(REFERENCE_KEY)
        if not raw:
            raise DeliveryError(f"message {ref.message_id} has no Teams reference", transient=False)
        reference = load_reference(json.loads(raw))
        self._run(self._update(reference, ref.message_id, message), what="update")

    def reply(self, *, ref: MessageRef, message: Message, key: SendKey | None = None) -> MessageRef:
        """A reply to the card's activity (`replyToId`), in the same conversation. The
        Bot Connector cannot be searched, so `key` is not used (as for `send`)."""
        raw = ref.extra.get(REFERENCE_KEY)
        if not raw:
            raise DeliveryError(f"message {ref.message_id} has no Teams reference", transient=False)
        reference = load_reference(json.loads(raw))
        activity_id = self._run(
            self._send_async(reference, message, reply_to=ref.message_id), what="reply"
        )
        return MessageRef(
            platform=PLATFORM,
            channel=reference.conversation.id,
            message_id=activity_id,
            extra={REFERENCE_KEY: raw, "reply_to": ref.message_id},
        )

    # --- async work on the private loop -----------------------------------------------

    def _send(self, reference: ConversationReference, message: Message) -> MessageRef:
        activity_id = self._run(self._send_async(reference, message), what="send")
        return MessageRef(
            platform=PLATFORM,
            channel=reference.conversation.id,
            message_id=activity_id,
            extra={REFERENCE_KEY: json.dumps(dump_reference(reference))},
        )

    def _run(self, coro: Any, *, what: str) -> Any:
        try:
            return self.loop.run(coro, timeout=self.timeout)
        except DeliveryError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified for the outbox
            raise as_delivery_error(exc, what=what) from exc

    async def _proactive(self, reference: ConversationReference, work: Any) -> Any:
        """Run `work(context)` in a proactive turn; its result or its error comes back
        here (an error raised inside the turn would otherwise reach on_turn_error)."""
        outcome: dict[str, Any] = {}

        async def logic(context: TurnContext) -> None:
            try:
                outcome["value"] = await work(context)
            except Exception as exc:  # noqa: BLE001 - re-raised below, outside the turn
                outcome["error"] = exc
            finally:
                await close_connector(context)

        await self.adapter.continue_conversation(reference, logic, self.app_id)
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    async def _send_async(
        self, reference: ConversationReference, message: Message, reply_to: str | None = None
    ) -> str:
        activity = card_activity(message)
        if reply_to:
            activity.reply_to_id = reply_to

        async def work(context: TurnContext) -> str:
            if reply_to:  # botbuilder answers the turn's activity: make it the card
                context.activity.id = reply_to
            response = await with_retries(
                lambda: context.send_activity(activity),
                policy=self.retry,
                what="send",
            )
            if response is None or not response.id:
                raise DeliveryError(
                    "Teams accepted the message but returned no id", transient=False
                )
            return response.id

        return await self._proactive(reference, work)

    async def _update(
        self, reference: ConversationReference, activity_id: str, message: Message
    ) -> None:
        async def work(context: TurnContext) -> None:
            activity = card_activity(message)
            activity.id = activity_id
            await with_retries(
                lambda: context.update_activity(activity), policy=self.retry, what="update"
            )

        await self._proactive(reference, work)
