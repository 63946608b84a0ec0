"""The words a person types to sopbot (`/sopbot ...` in Slack, a text message in Teams,
the command box of the web chat), answered once for every platform.

An adapter resolves the verified sender to a person id, turns its platform's mentions
into `@person-id` tokens, and renders whatever comes back. `queue` is the one word each
adapter draws itself (Slack one ephemeral list, Teams one card per item, the web chat
its Queue tab); every other word is a `Command` here, so adding one (readiness,
report, interview, rules) is one entry in `COMMANDS`, not three adapter changes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.config import Config
from core.messages import Message, Section
from workflows.chat.away_commands import away_reply
from workflows.chat.context_commands import (
    answer_interview,
    answer_interview_turn,
    answer_rules,
    answer_word,
)
from workflows.chat.readiness_commands import criteria_reply, reviewed_reply
from workflows.chat.request import CommandRequest, Handler, Reply
from workflows.chat.review_commands import matrix_reply, readiness_reply, report_reply
from workflows.service import Services

QUEUE = "queue"
HELP = "help"
MENTION_TOKEN = re.compile(r"^@([\w.\-]+)$")


@dataclass(frozen=True)
class Command:
    word: str
    usage: str  # shown in help, e.g. "interview @person template"
    summary: str
    handler: Handler | None  # None: the adapter draws it (queue)


def not_available(sentence: str) -> Handler:
    def answer(services: Services, request: CommandRequest) -> Reply:
        return sentence

    return answer


def help_message() -> Message:
    lines = [f"{c.usage}: {c.summary}" for c in COMMANDS.values()]
    return Message(header="sopbot commands", sections=[Section(title="Commands", lines=lines)])


def answer_help(services: Services, request: CommandRequest) -> Reply:
    return help_message()


COMMANDS: dict[str, Command] = {
    c.word: c
    for c in (
        Command(QUEUE, QUEUE, "your open recommendations, soonest due first", None),
        Command(HELP, HELP, "this list", answer_help),
        Command(
            "readiness",
            "readiness",
            "the five go-live gates and what is missing",
            lambda services, request: readiness_reply(services),
        ),
        Command(
            "report",
            "report [type]",
            "the override review's headline numbers",
            lambda services, request: report_reply(services, args=request.args),
        ),
        Command(
            "matrix",
            "matrix [approve HASH]",
            "the ownership matrix and its sign-offs; function leads approve it",
            lambda services, request: matrix_reply(
                services, person_id=request.person_id, args=request.args, platform=request.platform
            ),
        ),
        Command(
            "criteria",
            "criteria [approve HASH]",
            "the success criteria and their sign-offs; function leads agree to them",
            criteria_reply,
        ),
        Command(
            "reviewed",
            "reviewed TYPE [note]",
            "the override reviewer: the last period's review of TYPE is read",
            reviewed_reply,
        ),
        Command(
            "interview",
            "interview @person template",
            "a guided interview that turns planning knowledge into a context rule",
            answer_interview,
        ),
        Command(
            "rules",
            "rules [show|approve|reject|edit|draft] <id>",
            "review context rules",
            answer_rules,
        ),
        Command(
            "away",
            "away until YYYY-MM-DD [delegate @person] | away off",
            "out of office: new items go to your delegate until then (you or your manager)",
            away_reply,
        ),
        Command("answer", "answer <text>", "answer the open interview question", answer_word),
    )
}


def resolve_person(config: Config, token: str) -> str | None:
    """`@ana`, `@Ana`, `@ana@example.com` -> "ana"; None when nobody matches."""
    name = token.removeprefix("@").strip().lower()
    for person in config.people:
        if name in (person.id.lower(), (person.email or "").lower()):
            return person.id
    return None


def parse_command(config: Config, *, person_id: str, text: str, platform: str) -> CommandRequest:
    words = text.strip().split()
    word = words[0].lower().lstrip("/") if words else HELP
    args = tuple(words[1:])
    people = tuple(
        found for found in (resolve_person(config, a) for a in args if a.startswith("@")) if found
    )
    return CommandRequest(
        person_id=person_id,
        word=word,
        args=args,
        people=people,
        platform=platform,
        text=text.strip(),
    )


def answer_command(services: Services, request: CommandRequest) -> Reply:
    """The reply to any word but `queue` (the adapter draws that one)."""
    command = COMMANDS.get(request.word)
    turn = answer_interview_turn(services, request) if command is None else None
    if turn is not None:  # free text while an interview is open: its answer
        return turn
    if command is None or command.handler is None:
        message = help_message()
        if command is None:
            message.context.append(f"I don't know the command '{request.word}'.")
        return message
    return command.handler(services, request)
