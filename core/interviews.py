"""Interview templates: the questions a guided context interview asks, as YAML.

The bundled ones live in `core/data/interviews/`; a team adds its own in the folder
`context.templates_dir` of `sopbot.yml` names (same format; a file with a bundled name
replaces it). Each template walks one concrete past incident (the Critical Decision
Method: the incident, its timeline, the cues, what a newcomer would have missed), adds
applied cognitive task analysis probes, and ends by pinning down the rule's fields."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.config import ConfigError, _line_index, _where
from core.context_settings import ENTITY_KINDS

BUNDLED_TEMPLATES = Path(__file__).parent / "data" / "interviews"


class RuleField(StrEnum):
    """The fields of a context rule a question fills (in this order at the end)."""

    ENTITY = "entity"
    CONDITION = "condition"
    EFFECT = "effect"
    MAGNITUDE = "magnitude"
    EVIDENCE = "evidence"
    CONFIDENCE = "confidence"
    TYPES = "types"


REQUIRED_FIELDS = (RuleField.ENTITY, RuleField.EFFECT)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    prompt: str
    probe: str | None = None  # the elicitation technique, e.g. "CDM: timeline"
    example: str | None = None  # an answer that would do, shown with the question
    fills: RuleField | None = None  # None: a narrative answer kept with the interview

    @property
    def required(self) -> bool:
        return self.fills in REQUIRED_FIELDS


class Template(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_-]+$")
    title: str
    summary: str
    entity_kind: str  # what `ACME` means when the planner names no kind
    types: list[str] = Field(default_factory=list)  # the recommendation types it bears on
    questions: list[Question]

    @field_validator("entity_kind")
    @classmethod
    def _kind(cls, kind: str) -> str:
        if kind not in ENTITY_KINDS:
            raise ValueError(f"entity_kind must be one of {', '.join(ENTITY_KINDS)}")
        return kind

    @field_validator("questions")
    @classmethod
    def _ends_with_the_rule(cls, questions: list[Question]) -> list[Question]:
        ids = [q.id for q in questions]
        if len(ids) != len(set(ids)):
            raise ValueError("question ids must be unique")
        filled = [q.fills for q in questions if q.fills]
        missing = [f.value for f in RuleField if f not in filled]
        if missing:
            raise ValueError(f"questions must fill every rule field; missing: {', '.join(missing)}")
        return questions

    def question_index(self, wanted: str) -> int | None:
        """A question by number (1-based) or id or the rule field it fills."""
        if wanted.isdigit() and 1 <= int(wanted) <= len(self.questions):
            return int(wanted) - 1
        for i, question in enumerate(self.questions):
            if wanted in (question.id, question.fills):
                return i
        return None


def _parse_template(path: Path) -> Template:
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError([f"not valid YAML: {exc}"], str(path)) from None
    lines = _line_index(text)
    try:
        return Template.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{_where(tuple(e['loc']), lines)}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise ConfigError(problems, str(path)) from None


def load_templates(extra_dir: str | Path | None = None) -> dict[str, Template]:
    """Bundled templates, then the team's own (same name: the team's wins). Read once
    per process, like the configuration that names the folder."""
    return dict(_load_templates(str(extra_dir) if extra_dir is not None else None))


@lru_cache(maxsize=8)
def _load_templates(extra_dir: str | None) -> tuple[tuple[str, Template], ...]:
    folders = [BUNDLED_TEMPLATES]
    if extra_dir is not None:
        folder = Path(extra_dir)
        if not folder.is_dir():
            raise ConfigError([f"context.templates_dir: folder not found: {folder}"])
        folders.append(folder)
    templates: dict[str, Template] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
            template = _parse_template(path)
            templates[template.name] = template
    return tuple(templates.items())
