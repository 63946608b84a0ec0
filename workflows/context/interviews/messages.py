"""What a planner sees during an interview: the question with its example and the
words they may type, a re-ask that says what was wrong, and the closing summary."""

from __future__ import annotations

from typing import Any

from core.interviews import Template
from core.messages import Message, Section, Tone
from storage.models import InterviewRecord

CONTROLS = (
    "Type your answer as a message to sopbot (in Slack also `/sopbot <answer>`), "
    "or `skip`, `back`, `revise <number>`, `pause`."
)


PROMPT_SHOWN = 60  # characters of a question recalled in the summary


def clip_words(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word boundary and marked with "…"
    when cut: a summary never ends a question mid-word."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "\u2026"


def thread_of(record: InterviewRecord) -> str:
    """The thread an interview's turns are shown in (`Message.thread`)."""
    return f"interview-{record.id}"


def header(template: Template, position: int) -> str:
    return f"Interview: {template.title} ({position + 1} of {len(template.questions)})"


def answer_text(answer: dict[str, Any] | None) -> str:
    if answer is None:
        return "-"
    return "(skipped)" if answer.get("skipped") else str(answer.get("text", ""))


def question_message(
    record: InterviewRecord,
    template: Template,
    *,
    problem: str | None = None,
    note: str | None = None,
) -> Message:
    question = template.questions[record.position]
    context = []
    if question.example:
        context.append(f"For example: {question.example}")
    # `question.probe` ("CDM: the incident") names the technique for the facilitator;
    # the planner gets the question and its example, not the jargon.
    previous = record.answers.get(question.id)
    if previous is not None:
        context.append(f"Your answer so far: {answer_text(previous)}")
    context.append(CONTROLS)
    if not question.required:
        context.append("This question may be skipped.")
    text = question.prompt if problem is None else f"{problem}\n\n{question.prompt}"
    if note:
        text = f"{note}\n\n{text}"
    return Message(
        header=header(template, record.position),
        text=text,
        context=context,
        tone=Tone.ATTENTION if problem else Tone.INFO,
        thread=thread_of(record),
        thread_started=record.started_at,
    )


def answers_section(record: InterviewRecord, template: Template) -> Section:
    lines = [
        f"{i + 1}. {clip_words(q.prompt.split('?')[0], PROMPT_SHOWN)}: "
        f"{answer_text(record.answers.get(q.id))}"
        for i, q in enumerate(template.questions)
    ]
    return Section(title="Your answers", lines=lines)


def finished_message(record: InterviewRecord, template: Template, rule_key: str) -> Message:
    return Message(
        header=f"Interview finished: {template.title}",
        text=f"Thank you. Your answers are now the draft context rule {rule_key}; the "
        "facilitator reviews it before it is shown on recommendations.",
        sections=[answers_section(record, template)],
        context=[
            f"`revise <number>` still changes an answer until the rule is reviewed "
            f"(interview #{record.id})"
        ],
        tone=Tone.GOOD,
        thread=thread_of(record),
        thread_started=record.started_at,
    )


def invitation(record: InterviewRecord, template: Template, facilitator: str) -> Message:
    first = question_message(record, template)
    first.text = (
        f"{facilitator} asked you for a short interview about "
        f"{template.summary.lower()}. What you know becomes a context rule shown to "
        f"whoever decides.\n\n{first.text}"
    )
    return first
