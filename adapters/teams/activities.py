"""Bot Framework activity helpers: a card message, and closing a turn's connector.

botbuilder opens an aiohttp session per connector client and never closes it; each
turn (inbound or proactive) closes its own so a long-running server leaks nothing."""

from __future__ import annotations

import contextlib

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.bot_adapter import BotAdapter
from botbuilder.schema import Activity

from adapters.teams.cards import OpenForm, render_card
from core.messages import Message


def card_activity(message: Message, *, open_form: OpenForm | None = None) -> Activity:
    """A message activity carrying `message` as an Adaptive Card."""
    activity = MessageFactory.attachment(
        CardFactory.adaptive_card(render_card(message, open_form=open_form))
    )
    activity.summary = message.fallback_text()  # the notification preview
    return activity


async def close_connector(context: TurnContext) -> None:
    client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
    if client is not None:
        with contextlib.suppress(Exception):
            await client.__aexit__(None, None, None)
