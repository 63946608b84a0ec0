"""`/sopbot queue`: the person's open recommendations as one ephemeral message, a page at
a time, and that message redrawn after a decision taken from it.

A full queue does not fit one message (Slack takes 50 blocks; a full entry is about
seven), so the answer is paged like a digest part: `workflows.digest.compose.PAGE_ITEMS` compact
entries (three blocks each, every one with its own Accept / Override / Reassign), and
Previous / Next buttons that redraw the same message with the neighbouring page. Every
item is reachable, each page within the limit, and the chat is not flooded with one
message per item.

An ephemeral message has no ts that `chat.update` accepts, so every redraw (a page
turned, a decision taken) goes through the click's `response_url` with
`replace_original`: Slack replaces the list the person is looking at (the url works for
30 minutes and 5 posts). A list redrawn after a decision starts with what was just
recorded and stays on the page it was on, so it is also the clicker's confirmation;
when the url cannot be used, the confirmation is posted as an ephemeral note instead."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackRequestError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.webhook import WebhookClient

from adapters.slack.blocks import (
    MESSAGE_MAX_BLOCKS,
    TONE_MARK,
    as_dicts,
    clip,
    digest_entry_blocks,
    escape,
)
from adapters.slack.ids import ActionId, BlockId
from adapters.slack.payloads import QueuePageValue
from core.messages import Tone
from workflows.chat import QueuePage, queue_page
from workflows.service import Services
from workflows.views import Purpose

EMPTY = "Nothing waiting for you."
REDRAW_TIMEOUT = 5  # seconds; runs after the ack, but a worker thread waits for it

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueView:
    """The rendered answer: notification text and blocks (within MESSAGE_MAX_BLOCKS)."""

    text: str
    blocks: list[dict]


def _header(page: QueuePage) -> str:
    return f"Your open recommendations ({page.total})"


def _nav(page: QueuePage) -> list[Block]:
    """Previous / Next, only where there is a page to go to."""
    buttons = []
    if page.page > 1:
        buttons.append(
            ButtonElement(
                text="\u2190 Previous",
                action_id=ActionId.QUEUE_PREVIOUS,
                value=QueuePageValue(page=page.page - 1).dump(),
            )
        )
    if page.page < page.pages:
        buttons.append(
            ButtonElement(
                text="Next \u2192",
                action_id=ActionId.QUEUE_NEXT,
                value=QueuePageValue(page=page.page + 1).dump(),
            )
        )
    return [ActionsBlock(block_id=BlockId.QUEUE_NAV, elements=buttons)] if buttons else []


def queue_blocks(page: QueuePage, *, notice: str | None = None) -> list[Block]:
    """One page of the queue: what was just recorded, where this page is in the list,
    its entries with their buttons (which remember the page), then Previous / Next."""
    blocks: list[Block] = [HeaderBlock(text=clip(_header(page), 150))]
    if notice:
        mark = TONE_MARK[Tone.GOOD]
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"{mark} *{escape(notice)}*")))
    if not page.items:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=EMPTY)]))
        return blocks
    first = (
        (page.page - 1) * len(page.items) + 1
        if page.page < page.pages
        else (page.total - len(page.items) + 1)
    )
    where = f"{first}\u2013{first + len(page.items) - 1} of {page.total}, soonest due first"
    if page.pages > 1:
        where = f"Page {page.page} of {page.pages} · {where}"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=where)]))
    for item in page.items:
        blocks += digest_entry_blocks(item, purpose=Purpose.QUEUE.value, page=page.page)
    blocks += _nav(page)
    assert len(blocks) <= MESSAGE_MAX_BLOCKS, "a queue page must fit one Slack message"
    return blocks


def queue_view(
    services: Services, *, person_id: str, page: int = 1, notice: str | None = None
) -> QueueView:
    """The answer to `/sopbot queue` (page 1), a page turned, or the list after a
    decision taken on page `page` (headed by `notice`)."""
    shown = queue_page(services, person_id=person_id, page=page)
    if not shown.items and not notice:
        return QueueView(text=EMPTY, blocks=[])
    text = f"{notice} {_header(shown)}" if notice else _header(shown)
    return QueueView(text=text, blocks=as_dicts(queue_blocks(shown, notice=notice)))


def replace_ephemeral(response_url: str, view: QueueView) -> bool:
    """Replace the ephemeral message a click came from; False when Slack did not take it."""
    client = WebhookClient(url=response_url, timeout=REDRAW_TIMEOUT)
    try:
        sent = client.send(
            text=view.text,
            blocks=view.blocks or None,
            response_type="ephemeral",
            replace_original=True,
        )
    except (SlackRequestError, OSError) as exc:
        log.warning("could not redraw an ephemeral queue: %s", exc)
        return False
    if sent.status_code != 200:
        log.warning("Slack refused a queue redraw: %s %s", sent.status_code, sent.body)
        return False
    return True
