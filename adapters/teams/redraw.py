"""What a card becomes after a click on it, and the `queue` card.

A card is redrawn as what it is: a digest part keeps every entry (the one decided shows
who decided, the others keep their Accept and "Override…"), a page of the queue stays on
its page, a reminder or an escalation stays one for this reader (the workflow draws it
for the submit's `variant`). The queue is one card of `workflows.digest.compose.PAGE_ITEMS`
compact entries with Previous / Next, like Slack's: every item reachable, each card the
size of a digest part (well under Teams' 28 KB), and no chat flooded with a card per
item."""

from __future__ import annotations

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity

from adapters.teams.activities import card_activity
from adapters.teams.cards import Element, _submit, render_card
from adapters.teams.payloads import CardSubmit, CardVerb, new_nonce
from core.messages import Message, Tone
from workflows.chat import QueuePage, digest_part_for, queue_page, recommendation_for
from workflows.service import Services
from workflows.views import Purpose

PLATFORM = "teams"
EMPTY = "Nothing is waiting for you. \u2705"


def queue_message(page: QueuePage, *, notice: str | None = None) -> Message:
    """A page of the queue as a neutral message: its entries, where it is in the list,
    and what was just recorded (a badge) when redrawn after a decision."""
    first = (
        (page.page - 1) * len(page.items) + 1
        if page.page < page.pages
        else (page.total - len(page.items) + 1)
    )
    where = [f"{first}\u2013{first + len(page.items) - 1} of {page.total}, soonest due first"]
    if page.pages > 1:
        where.insert(0, f"Page {page.page} of {page.pages}")
    return Message(
        header=f"Your open recommendations ({page.total})",
        status=notice,
        tone=Tone.GOOD,
        context=where if page.items else [EMPTY],
        items=page.items,
    )


def _nav(page: QueuePage, nonce: str) -> list[Element]:
    turns = []
    if page.page > 1:
        turns.append(("\u2190 Previous", page.page - 1))
    if page.page < page.pages:
        turns.append(("Next \u2192", page.page + 1))
    # The page rides in `value` too, so Previous and Next differ in the submit's
    # fingerprint (de-duplication) as well as in `page`.
    return [
        _submit(
            title,
            CardSubmit(
                action=CardVerb.PAGE,
                recommendation_id=0,
                nonce=nonce,
                page=number,
                value=str(number),
                variant=Purpose.QUEUE,
            ),
        )
        for title, number in turns
    ]


def queue_card(page: QueuePage, *, notice: str | None = None) -> dict:
    """The Adaptive Card of one queue page, with Previous / Next where there is a page."""
    nonce = new_nonce()
    message = queue_message(page, notice=notice)
    card = render_card(message, nonce=nonce, entries=Purpose.QUEUE, page=page.page)
    nav = _nav(page, nonce)
    if nav:
        card["actions"] = card.get("actions", []) + nav
    return card


def queue_activity(
    services: Services, *, person_id: str, page: int = 1, notice: str | None = None
) -> Activity | None:
    """The queue card for page `page`; None when nothing is open and nothing to say."""
    shown = queue_page(services, person_id=person_id, page=page)
    if not shown.items and not notice:
        return None
    message = queue_message(shown, notice=notice)
    activity = MessageFactory.attachment(
        CardFactory.adaptive_card(queue_card(shown, notice=notice))
    )
    activity.summary = message.fallback_text()
    return activity


def redrawn(
    services: Services,
    *,
    submit: CardSubmit,
    person_id: str,
    conversation_id: str,
    card_id: str | None,
    notice: str | None = None,
) -> Activity:
    """The card `card_id` (in `conversation_id`) as it should read after `submit`."""
    if submit.variant == Purpose.DIGEST and card_id:
        part = digest_part_for(
            services, platform=PLATFORM, channel=conversation_id, message_id=card_id
        )
        if part is not None:
            return card_activity(part)
    if submit.variant == Purpose.QUEUE:
        queue = queue_activity(services, person_id=person_id, page=submit.page or 1, notice=notice)
        if queue is not None:
            return queue
    message = recommendation_for(
        services,
        recommendation_id=submit.recommendation_id,
        reader_id=person_id,
        purpose=submit.variant or Purpose.OWNER,
    )
    message.status = message.status or notice
    return card_activity(message)
