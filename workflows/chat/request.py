"""What a person asked in chat, as every command handler receives it (see
workflows.chat.commands for the registry of words)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.messages import Message
from workflows.service import Services


@dataclass(frozen=True)
class CommandRequest:
    """What was asked: `word` lower-cased, `args` as typed, mentions resolved to person
    ids in `people` (in the order they appeared), `person_id` the verified sender."""

    person_id: str
    word: str
    args: tuple[str, ...]
    people: tuple[str, ...]
    platform: str
    text: str = ""  # as typed (after mention tokens), for free-text interview answers


Reply = Message | str
Handler = Callable[[Services, CommandRequest], Reply]
