"""Block Kit for a neutral `Message`, built with `slack_sdk.models` (which check Slack's
limits on `to_dict()`). Anything over a limit is cut with an ellipsis first, so a long
driver list or a 5,000-character note makes a shorter message, never a failed send."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InteractiveElement,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)

from adapters.slack.block_dicts import plain
from adapters.slack.ids import BUTTON_ACTIONS, ActionId
from adapters.slack.payloads import ButtonValue
from core.messages import Button, ButtonAction, ButtonStyle, Message, Tone
from workflows.views import Purpose, purpose_of

MESSAGE_MAX_BLOCKS = 50  # chat.postMessage / chat.update
VIEW_MAX_BLOCKS = 100  # modals and the Home tab
SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_PER_SECTION = 10
HEADER_MAX = 150
BUTTON_MAX = 75
BUTTONS_PER_BLOCK = 25
OPTIONS_MAX = 100
CONTEXT_MAX = 3000
FALLBACK_MAX = 3000
ELLIPSIS = "…"

TONE_MARK = {
    Tone.INFO: ":information_source:",
    Tone.ATTENTION: ":hourglass_flowing_sand:",
    Tone.GOOD: ":white_check_mark:",
    Tone.WARNING: ":warning:",
}
# The colour of an open card's status line (`Message.state`), by its tone.
STATE_MARK = {
    Tone.INFO: ":large_blue_circle:",
    Tone.ATTENTION: ":red_circle:",
    Tone.GOOD: ":large_green_circle:",
    Tone.WARNING: ":large_orange_circle:",
}


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the last one an ellipsis when anything was cut."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters; planners' text is literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str, limit: int = SECTION_MAX) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(text, limit))


def fallback_text(message: Message) -> str:
    """The notification / screen-reader text sent beside the blocks. Slack formats it
    as mrkdwn too (a `<!channel>` in a title would notify the whole channel), so it is
    escaped like every other text of ours."""
    return clip(escape(message.fallback_text()), FALLBACK_MAX)


def _value(button: Button, purpose: str | None, page: int | None) -> str:
    return ButtonValue(
        recommendation_id=button.recommendation_id,
        on_behalf=button.on_behalf,
        value=button.value,
        purpose=purpose,
        page=page,
    ).dump()


def drawn_for(message: Message) -> str | None:
    """The purpose a message's buttons carry: a digest part's entries say "digest", a
    reminder or escalation says so (its header); None for the owner's plain message."""
    if message.items:
        return Purpose.DIGEST.value
    purpose = purpose_of(message)
    return None if purpose == Purpose.OWNER else purpose.value


def button_elements(
    buttons: Sequence[Button], *, purpose: str | None = None, page: int | None = None
) -> list[InteractiveElement]:
    """Buttons, except the snooze choices: Slack wants action_ids unique within a block,
    so those become one select ("Snooze reminders") whose options carry the choice. Each
    value names the message it sits in (`purpose`, `page`), for the redraw after it."""
    value = partial(_value, purpose=purpose, page=page)
    elements: list[InteractiveElement] = []
    snoozes = [b for b in buttons if b.action == ButtonAction.SNOOZE]
    for button in [b for b in buttons if b.action != ButtonAction.SNOOZE]:
        style = None if button.style == ButtonStyle.DEFAULT else button.style.value
        elements.append(
            ButtonElement(
                text=clip(button.label, BUTTON_MAX),
                style=style,
                action_id=BUTTON_ACTIONS[button.action],
                value=value(button),
            )
        )
    if snoozes:
        options = [
            Option(value=value(b), text=clip(b.label, BUTTON_MAX)) for b in snoozes[:OPTIONS_MAX]
        ]
        elements.append(
            StaticSelectElement(
                action_id=ActionId.SNOOZE, options=options, placeholder="Snooze reminders"
            )
        )
    return elements[:BUTTONS_PER_BLOCK]


def state_text(message: Message, *, sep: str = "\n") -> str:
    """The status line as mrkdwn: a coloured mark and the headline in bold (its moment in
    brackets not), then the other lines: "🔴 *Overdue by 3h 10m of business time* (due
    Mon 30 Nov 14:00 CET)", "Escalated to Carl Brandt (level 1) at Mon 30 Nov 15:02 CET"."""
    head, *rest = message.state
    bold, bracket, tail = head.partition(" (")
    first = f"{STATE_MARK[message.tone]} *{escape(bold)}*" + (
        f" ({escape(tail)}" if bracket else ""
    )
    return sep.join([first, *map(escape, rest)])


def summary_blocks(message: Message) -> list[Block]:
    """What the recommendation is: where it stands (right under the header), status,
    action, fields, why/history, small print."""
    blocks: list[Block] = []
    if message.state:
        blocks.append(SectionBlock(text=_mrkdwn(state_text(message))))
    if message.status:
        mark = TONE_MARK[message.tone]
        blocks.append(SectionBlock(text=_mrkdwn(f"{mark} *{escape(message.status)}*")))
    if message.text:
        label = f"*{escape(message.text_label)}:* " if message.text_label else ""
        blocks.append(SectionBlock(text=_mrkdwn(f"{label}{escape(message.text)}")))
    fields = [_mrkdwn(f"*{escape(f.label)}*\n{escape(f.value)}", FIELD_MAX) for f in message.fields]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append(SectionBlock(fields=fields[start : start + FIELDS_PER_SECTION]))
    for section in message.sections:
        lines = "\n".join(f"• {escape(line)}" for line in section.lines)
        blocks.append(SectionBlock(text=_mrkdwn(f"*{escape(section.title)}*\n{lines}")))
    if message.context:
        small = " · ".join(escape(line) for line in message.context)
        blocks.append(ContextBlock(elements=[_mrkdwn(small, CONTEXT_MAX)]))
    return blocks


def fit(body: list[Block], tail: list[Block], limit: int) -> list[Block]:
    """At most `limit` blocks: the middle is cut (with a note) so the buttons survive."""
    if len(body) + len(tail) <= limit:
        return body + tail
    keep = max(limit - len(tail) - 1, 0)
    hidden = len(body) - keep
    note = ContextBlock(elements=[_mrkdwn(f"{ELLIPSIS} {hidden} more blocks not shown")])
    return (body[:keep] + [note] + tail)[:limit]


def digest_entry_blocks(
    item: Message, *, purpose: str | None = Purpose.DIGEST.value, page: int | None = None
) -> list[Block]:
    """A digest (or queue) entry in at most three blocks (what, small print, buttons), so
    a digest part or a queue page of `workflows.digest.compose.PAGE_ITEMS` entries stays within
    MESSAGE_MAX_BLOCKS. Its Override and Reassign open the same modals as the full
    message."""
    lines = [f"*{escape(item.header)}*"]
    if item.state:
        lines.append(state_text(item, sep=" · "))
    if item.status:
        lines.append(f"{TONE_MARK[item.tone]} *{escape(item.status)}*")
    if item.text:
        lines.append(escape(item.text))
    lines += [f"{escape(f.label)}: {escape(f.value)}" for f in item.fields[:3]]
    blocks: list[Block] = [SectionBlock(text=_mrkdwn("\n".join(lines)))]
    small = item.context + [line for section in item.sections for line in section.lines[:1]]
    if small:
        blocks.append(ContextBlock(elements=[_mrkdwn(" · ".join(map(escape, small)), CONTEXT_MAX)]))
    if item.buttons:
        elements = button_elements(item.buttons, purpose=purpose, page=page)
        blocks.append(ActionsBlock(elements=elements))
    return blocks


def message_blocks(message: Message, *, limit: int = MESSAGE_MAX_BLOCKS) -> list[Block]:
    """The whole message: header, summary, digest entries, then the buttons."""
    body: list[Block] = [HeaderBlock(text=clip(message.header, HEADER_MAX))]
    body += summary_blocks(message)
    for item in message.items:
        body += digest_entry_blocks(item)
    tail: list[Block] = []
    if message.buttons:
        elements = button_elements(message.buttons, purpose=drawn_for(message))
        tail.append(ActionsBlock(elements=elements))
    return fit(body, tail, limit)


def as_dicts(blocks: Sequence[Block]) -> list[dict]:
    """JSON for the Web API, checked against Slack's limits as `to_dict()` checks them
    (see adapters.slack.block_dicts)."""
    return [plain(block) for block in blocks]
