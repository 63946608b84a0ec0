"""The planner's own words behind a rule drafted from an interview (the incident, the
timeline, the cues), so whoever reviews the rule reads what was said, not only the
fields it was read into."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.config import Config
from core.interviews import load_templates
from storage.models import ContextRule, InterviewRecord

PROMPT_MAX = 80
ANSWER_MAX = 400


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def planner_words(session: Session, *, rule: ContextRule, config: Config) -> list[str]:
    """`question: answer as typed` for each answered question of the rule's interview;
    empty for a rule that did not come from an interview."""
    if not rule.source.startswith("interview:"):
        return []
    record = session.get(InterviewRecord, int(rule.source.split(":", 1)[1]))
    template = load_templates(config.context.templates_dir).get(record.template) if record else None
    if record is None or template is None:
        return []
    lines = []
    for question in template.questions:
        answer = record.answers.get(question.id, {})
        text = (answer.get("text") or "").strip()
        if text and not answer.get("skipped"):
            lines.append(f"{_clip(question.prompt, PROMPT_MAX)}: {_clip(text, ANSWER_MAX)}")
    return lines
