"""Typing to sopbot the way every adapter does: through the command registry."""

from __future__ import annotations

from core.messages import Message
from workflows.chat.commands import answer_command, parse_command
from workflows.service import Services

SUPPLIER_ANSWERS = {
    "incident": "SKF-DE, PO 4500123 last November: confirmed week 46, arrived week 48",
    "timeline": "Ordered 1 Oct, confirmed for 14 Nov, arrived 28 Nov",
    "cues": "The confirmation came without a ship date",
    "newcomer": "Trusted the confirmation and expedited by air for nothing",
    "tricks": "Order two weeks earlier in October",
}


def say(services: Services, person_id: str, text: str, platform: str = "memory") -> Message | str:
    request = parse_command(services.config, person_id=person_id, text=text, platform=platform)
    return answer_command(services, request)


def text_of(reply: Message | str) -> str:
    if isinstance(reply, str):
        return reply
    parts = [reply.header, reply.text or "", *reply.context]
    parts += [line for section in reply.sections for line in section.lines]
    parts += [f"{f.label}: {f.value}" for f in reply.fields]
    return "\n".join(parts)


def question_number(reply: Message | str) -> int:
    """`Interview: Suppliers (3 of 12)` -> 3."""
    assert isinstance(reply, Message), reply
    return int(reply.header.rsplit("(", 1)[1].split(" ")[0])
