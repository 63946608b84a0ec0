"""The chat words of the context loop, for the registry in workflows.chat.commands:
`interview @person template` (and `interview templates`), `rules ...`, and whatever a
planner types while an interview is open (an answer, `skip`, `back`, `pause`...)."""

from __future__ import annotations

from datetime import date

from core.interviews import load_templates
from core.messages import Message, Section
from workflows.chat.request import CommandRequest
from workflows.context.interviews.engine import interview_reply, start_interview
from workflows.context.interviews.words import planner_words
from workflows.context.rules.describe import rule_card, rules_list_message
from workflows.context.rules.patterns import draft_from_pattern
from workflows.context.rules.store import (
    approve_rule,
    edit_rule,
    find_rule,
    list_rules,
    reject_rule,
)
from workflows.errors import NotFound, WorkflowError
from workflows.service import Services

INTERVIEW_USAGE = (
    "`interview @person template` starts an interview for a planner "
    "(facilitators); `interview template` starts your own."
)
RULES_USAGE = (
    "`rules` lists them; `rules show <id>`, `rules approve <id> [@owner] "
    "[review-by YYYY-MM-DD]`, `rules reject <id> [why]`, "
    "`rules edit <id> <field> <value>`, `rules draft <pattern number>`"
)


def templates_message(services: Services) -> Message:
    templates = load_templates(services.config.context.templates_dir)
    lines = [
        f"{t.name}: {t.title}. {t.summary} ({len(t.questions)} questions)"
        for t in templates.values()
    ]
    return Message(
        header="Interview templates",
        sections=[Section(title="Templates", lines=lines)],
        context=[INTERVIEW_USAGE],
    )


def _today(services: Services, person_id: str) -> date:
    return services.clock.now().astimezone(services.config.person_tz(person_id)).date()


def answer_interview(services: Services, request: CommandRequest) -> Message | str:
    words = [a for a in request.args if not a.startswith("@")]
    if not words or words[0].lower() in ("templates", "list", "help"):
        return templates_message(services)
    person_id = request.people[0] if request.people else request.person_id
    if any(a.startswith("@") for a in request.args) and not request.people:
        return "I don't know that person; mention someone listed in the sopbot configuration."
    try:
        started = start_interview(
            services,
            facilitator_id=request.person_id,
            person_id=person_id,
            template_name=words[0].lower(),
        )
    except WorkflowError as error:
        return str(error)
    services.kick()
    return started.reply


def answer_interview_turn(services: Services, request: CommandRequest) -> Message | str | None:
    """The interview's reply to free text, or None when the person has none open."""
    text = request.text or " ".join((request.word, *request.args))
    if request.word == "answer":
        text = text.split(" ", 1)[1] if " " in text.strip() else ""
    try:
        reply = interview_reply(services, person_id=request.person_id, text=text)
    except NotFound:
        return "You have no interview open." if request.word == "answer" else None
    except WorkflowError as error:
        return str(error)
    services.kick()
    return reply


def answer_rules(services: Services, request: CommandRequest) -> Message | str:
    args = list(request.args)
    verb = args[0].lower() if args else "list"
    actor = request.person_id
    now = services.clock.now()
    today = _today(services, actor)
    try:
        with services.database.transaction() as session:
            if verb == "list":
                status = args[1].lower() if len(args) > 1 else None
                return rules_list_message(
                    list_rules(session, status=status), services.config, today=today
                )
            if len(args) < 2:
                return RULES_USAGE
            key = args[1]
            if verb == "show":
                rule = find_rule(session, key)
                words = planner_words(session, rule=rule, config=services.config)
                return rule_card(rule, services.config, today=today, words=words)
            if verb == "approve":
                owner = request.people[0] if request.people else None
                review_by = next((date.fromisoformat(a) for a in args[2:] if _is_date(a)), None)
                rule = approve_rule(
                    session,
                    config=services.config,
                    key=key,
                    actor_id=actor,
                    now=now,
                    today=today,
                    owner=owner,
                    review_by=review_by,
                )
            elif verb == "reject":
                rule = reject_rule(
                    session,
                    config=services.config,
                    key=key,
                    actor_id=actor,
                    now=now,
                    reason=" ".join(args[2:]) or None,
                )
            elif verb == "edit" and len(args) >= 4:
                rule = edit_rule(
                    session,
                    config=services.config,
                    key=key,
                    field=args[2].lower(),
                    value=" ".join(args[3:]),
                    actor_id=actor,
                    now=now,
                )
            elif verb == "draft" and key.lstrip("#").isdigit():
                made, _ = draft_from_pattern(
                    session,
                    config=services.config,
                    pattern_id=int(key.lstrip("#")),
                    actor_id=actor,
                    now=now,
                )
                rule = find_rule(session, made)
            else:
                return RULES_USAGE
            return rule_card(rule, services.config, today=today)
    except WorkflowError as error:
        return str(error)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def answer_word(services: Services, request: CommandRequest) -> Message | str:
    """`answer <text>`: an answer that starts with a command word (`help`, `report`)."""
    return answer_interview_turn(services, request) or "You have no interview open."
