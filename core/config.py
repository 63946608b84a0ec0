"""The ownership matrix and everything else in `sopbot.yml`, validated by pydantic.

Errors name the key path and the line, e.g.
`recommendation_types.supplier_delay.escalation[1].notify (line 40): unknown person 'bob'`,
because the person fixing the file is an S&OP lead, not a Python developer.
"""

from __future__ import annotations

import os
from datetime import time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.business_hours import BusinessHours, holiday_spec
from core.context_settings import ContextSettings
from core.domain import SCOPE_KEYS
from core.durations import BusinessSpan, parse_business_duration, parse_duration, parse_fraction
from core.event_settings import EventFeedSettings, Webhook, webhook_problems
from core.readiness_settings import DataSpec, ReadinessSettings, SuccessCriteria

DEMO_CONFIG_PATH = Path(__file__).parent / "data" / "demo.yml"
MANAGER = "manager"
REVIEW_CADENCES = ("daily", "weekly", "monthly")
# libyaml's safe loader where PyYAML was built with it (the same documents, parsed in C).
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ConfigError(Exception):
    """A configuration file that cannot be used; `problems` lists every finding."""

    def __init__(self, problems: list[str], source: str = "configuration") -> None:
        self.problems = problems
        super().__init__(f"{source} is invalid:\n" + "\n".join(f"  - {p}" for p in problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{value}'") from None
    return value


class Person(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str
    email: str | None = None
    slack: str | None = None
    teams: str | None = None
    manager: str | None = None
    timezone: str | None = None
    roles: list[str] = Field(default_factory=list)  # e.g. planner, manager, facilitator
    # An experienced planner: whose interview counts as the context gate's evidence.
    experienced: bool = False
    # Their public holidays ("CZ", "DE-BY"); default: business_hours.holidays.
    holidays: str | None = None
    # Their working days and hours (part-time, shifts); default: business_hours.
    business_hours: BusinessHours | None = None

    _tz = field_validator("timezone")(classmethod(lambda cls, v: _zone(v)))
    _holidays = field_validator("holidays")(classmethod(lambda cls, v: holiday_spec(v)))


class ReasonCode(_Strict):
    code: str = Field(pattern=r"^[A-Z0-9_]+$")
    label: str
    note_required: bool = False
    description: str | None = None


class Route(_Strict):
    match: dict[str, str]
    owner: str
    backup: str | None = None
    sla: BusinessSpan | None = None

    @field_validator("match")
    @classmethod
    def _scope_keys(cls, match: dict[str, str]) -> dict[str, str]:
        for key in match:
            if key not in SCOPE_KEYS:
                raise ValueError(f"unknown match key '{key}'; use {', '.join(SCOPE_KEYS)}")
        if not match:
            raise ValueError("a route needs at least one match key")
        return match

    @field_validator("sla", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return None if value is None else parse_business_duration(value)


class EscalationStep(_Strict):
    after: BusinessSpan = BusinessSpan()  # business time after the due time, in its calendar
    notify: str  # "manager" (the owner's manager) or a person id

    @field_validator("after", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_business_duration(value)


class RecommendationType(_Strict):
    label: str
    owner: str | None = None
    backup: str | None = None
    routes: list[Route] = Field(default_factory=list)
    sla: BusinessSpan = BusinessSpan(time=timedelta(hours=8), written="8h")
    reminders: list[float] = Field(default_factory=lambda: [0.5, 0.9])
    escalation: list[EscalationStep] = Field(default_factory=list)
    actionable_confidence: float = Field(default=0.0, ge=0, le=1)
    auto_accept_confidence: float | None = Field(default=None, ge=0, le=1)
    review_cadence: str = "weekly"
    success: SuccessCriteria | None = None
    value_label: str = "quantity"  # what the alternative value of an override means
    # What each field of this type's feed means ("quantity": "units short at the site"):
    # the data-feed readiness gate wants it written down before go-live.
    field_meanings: dict[str, str] = Field(default_factory=dict)
    function: str | None = None  # which readiness.functions entry owns this type
    data: DataSpec | None = None  # what its feed depends on (the data gate checks it)

    @field_validator("review_cadence")
    @classmethod
    def _cadence(cls, value: str) -> str:
        if value not in REVIEW_CADENCES:
            raise ValueError(f"unknown review cadence '{value}'; use {', '.join(REVIEW_CADENCES)}")
        return value

    @field_validator("sla", mode="before")
    @classmethod
    def _sla(cls, value: Any) -> Any:
        return parse_business_duration(value)

    @field_validator("reminders", mode="before")
    @classmethod
    def _fractions(cls, values: Any) -> Any:
        if not isinstance(values, list):
            raise ValueError("reminders must be a list such as ['50%', '90%']")
        return sorted(parse_fraction(v) for v in values)


class DigestSettings(_Strict):
    """Controls against recommendation fatigue."""

    daily_direct_cap: int | None = Field(default=None, ge=1)  # overflow goes to the digest
    send_at: time | None = None  # default: start of the owner's business day


class EscalationSettings(_Strict):
    max_age: timedelta = timedelta(days=14)  # nothing older keeps escalating

    @field_validator("max_age", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)


class ReviewSettings(_Strict):
    """The override review: a rate built on fewer decisions than this says so."""

    min_sample: int = Field(default=10, ge=1)


class PrivacySettings(_Strict):
    """People in the override review's reports (not in chat messages or the audit log,
    which are the work itself). `pseudonymous` (default): stable pseudonyms instead of
    ids and names; `hidden`: no per-person figures at all; `named`: display names. Outside
    `named`, groups with fewer than `min_group_size` items are merged: a rate over a
    handful of decisions points at a person. In the EU a system able to measure an
    individual's performance needs co-determination (e.g. BetrVG §87(1) no. 6)."""

    people_in_reports: Literal["named", "pseudonymous", "hidden"] = "pseudonymous"
    min_group_size: int = Field(default=5, ge=1)
    # People in the change feed, webhooks and decision exports (docs/events.md): the same
    # stable pseudonyms as the reports (default), or the configured person ids when the
    # planning system must route a decision back to a named planner. Never names.
    people_in_events: Literal["ids", "pseudonymous"] = "pseudonymous"


class RetentionSettings(_Strict):
    """How long delivery bookkeeping is kept; the audit trail (events) is kept for good.
    Delivered outbox rows go once their recommendation is no longer open (their keys
    stop a step being sent twice while it can still be due)."""

    delivered_outbox: timedelta = timedelta(days=30)
    deduplication_keys: timedelta = timedelta(days=7)  # inbound Slack/Teams delivery ids

    @field_validator("delivered_outbox", "deduplication_keys", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)


class Config(_Strict):
    timezone: str = "UTC"
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    people: list[Person]
    reason_codes: list[ReasonCode]
    recommendation_types: dict[str, RecommendationType]
    override_reviewer: str | None = None
    digest: DigestSettings = Field(default_factory=DigestSettings)
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    channel: str | None = None  # where digests, escalations and reviews are posted
    context: ContextSettings = Field(default_factory=ContextSettings)  # interviews, rules
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    readiness: ReadinessSettings = Field(default_factory=ReadinessSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    webhooks: list[Webhook] = Field(default_factory=list)  # core/event_settings.py
    event_feed: EventFeedSettings = Field(default_factory=EventFeedSettings)

    _tz = field_validator("timezone")(classmethod(lambda cls, v: _zone(v)))

    @cached_property
    def people_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @cached_property
    def reason_codes_by_code(self) -> dict[str, ReasonCode]:
        return {r.code: r for r in self.reason_codes}

    def person(self, person_id: str) -> Person:
        return self.people_by_id[person_id]

    def person_tz(self, person_id: str | None) -> ZoneInfo:
        person = self.people_by_id.get(person_id or "")
        return ZoneInfo((person.timezone if person else None) or self.timezone)

    def display_name(self, person_id: str | None) -> str:
        if person_id is None:
            return "nobody"
        person = self.people_by_id.get(person_id)
        return person.name if person else person_id


# --- loading ---------------------------------------------------------------------------


def _line_index(text: str) -> dict[tuple[Any, ...], int]:
    """Map each key path of the YAML document to its 1-based line, for error messages."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = (key_node.value,)
                lines[path + key] = key_node.start_mark.line + 1
                walk(value_node, path + key)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, path + (index,))

    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


def _format_path(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _where(path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> str:
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return f"{_format_path(path)} (line {lines[path[:cut]]})"
    return _format_path(path)


def _reference_problems(cfg: Config) -> list[tuple[tuple[Any, ...], str]]:
    """Cross-references pydantic cannot check field by field: every named person exists."""
    known = cfg.people_by_id
    problems: list[tuple[tuple[Any, ...], str]] = []

    def need(path: tuple[Any, ...], person_id: str | None) -> None:
        if person_id is not None and person_id not in known:
            problems.append((path, f"unknown person '{person_id}'"))

    seen: set[str] = set()
    for i, person in enumerate(cfg.people):
        if person.id in seen:
            problems.append((("people", i, "id"), f"duplicate person id '{person.id}'"))
        seen.add(person.id)
        need(("people", i, "manager"), person.manager)
    codes: set[str] = set()
    for i, reason in enumerate(cfg.reason_codes):
        if reason.code in codes:
            problems.append((("reason_codes", i, "code"), f"duplicate reason code '{reason.code}'"))
        codes.add(reason.code)
    need(("override_reviewer",), cfg.override_reviewer)
    for i, lead in enumerate(cfg.readiness.matrix_signoff_leads):
        need(("readiness", "matrix_signoff_leads", i), lead)
    for key, function in cfg.readiness.functions.items():
        need(("readiness", "functions", key, "lead"), function.lead)
    for name, rtype in cfg.recommendation_types.items():
        base = ("recommendation_types", name)
        need(base + ("owner",), rtype.owner)
        need(base + ("backup",), rtype.backup)
        for i, route in enumerate(rtype.routes):
            need(base + ("routes", i, "owner"), route.owner)
            need(base + ("routes", i, "backup"), route.backup)
        for i, step in enumerate(rtype.escalation):
            if step.notify != MANAGER:
                need(base + ("escalation", i, "notify"), step.notify)
        if rtype.function is not None and rtype.function not in cfg.readiness.functions:
            known_functions = ", ".join(cfg.readiness.functions) or "none named yet"
            problems.append(
                (
                    base + ("function",),
                    f"unknown function '{rtype.function}' (readiness.functions: {known_functions})",
                )
            )
        cadence = rtype.success.review_cadence if rtype.success else None
        if cadence is not None and cadence not in REVIEW_CADENCES:
            problems.append(
                (
                    base + ("success", "review_cadence"),
                    f"unknown review cadence '{cadence}'; use {', '.join(REVIEW_CADENCES)}",
                )
            )
        auto = rtype.auto_accept_confidence
        if auto is not None and auto < rtype.actionable_confidence:
            problems.append(
                (base + ("auto_accept_confidence",), "must not be below actionable_confidence")
            )
    return problems + webhook_problems(cfg.webhooks)


def parse_config(text: str, source: str = "configuration") -> Config:
    """Validate YAML text into a Config, or raise ConfigError naming every bad key."""
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError([f"not valid YAML: {exc}"], source) from None
    if not isinstance(data, dict):
        raise ConfigError(["the file must be a mapping with people, reason_codes, ..."], source)
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        lines = _line_index(text)  # only a file with problems needs its lines
        problems = []
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{_where(tuple(err['loc']), lines)}: {message}")
        raise ConfigError(problems, source) from None
    refs = _reference_problems(cfg)
    if refs:
        lines = _line_index(text)
        raise ConfigError([f"{_where(path, lines)}: {msg}" for path, msg in refs], source)
    return cfg


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load `path`, else $SOPBOT_CONFIG, else ./sopbot.yml, else the bundled demo config."""
    candidates = [path, os.environ.get("SOPBOT_CONFIG"), "sopbot.yml"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return parse_config(Path(candidate).read_text(encoding="utf-8"), str(candidate))
        if candidate and candidate is not candidates[-1]:
            raise ConfigError([f"file not found: {candidate}"], str(candidate))
    return parse_config(DEMO_CONFIG_PATH.read_text(encoding="utf-8"), str(DEMO_CONFIG_PATH))
