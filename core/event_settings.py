"""The `webhooks:` and `event_feed:` sections of `sopbot.yml`: who is told about what
happened, and how long the change feed keeps it.

A subscription names an environment variable, never the secret: configuration files
are shared and committed, secrets are not. An unknown event type or a plain-http URL is
refused when the file is loaded, naming the entry, so a typo fails at start and not as
silence on the planning system's side."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.durations import parse_duration

# The public event catalogue (docs/events.md): the planning system's vocabulary, stable.
EVENT_TYPES: tuple[str, ...] = (
    "recommendation.received",
    "recommendation.revised",
    "recommendation.withdrawn",
    "recommendation.reassigned",
    "decision.recorded",
    "sla.escalated",
    "outcome.recorded",
    "rule.approved",
    "rule.retired",
    "readiness.changed",
)
SECRET_PREFIX = "whsec_"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Webhook(_Strict):
    """One subscription: `events` empty means every type."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,60}$")
    url: str
    events: list[str] = Field(default_factory=list)
    secret_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    allow_insecure_http: bool = False
    # How long one event is retried (timeouts, 429, 5xx) before it is marked failed.
    retry_for: timedelta = timedelta(hours=72)
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)  # per attempt

    @field_validator("events")
    @classmethod
    def _known_types(cls, events: list[str]) -> list[str]:
        for name in events:
            if name not in EVENT_TYPES:
                raise ValueError(f"unknown event type '{name}'; use {', '.join(EVENT_TYPES)}")
        return events

    @field_validator("retry_for", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return value if isinstance(value, timedelta) else parse_duration(value)

    @model_validator(mode="after")
    def _https(self) -> Webhook:
        parts = urlsplit(self.url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"webhook '{self.name}': '{self.url}' is not an http(s) URL")
        if parts.scheme == "http" and not self.allow_insecure_http:
            raise ValueError(
                f"webhook '{self.name}': '{self.url}' is not https "
                "(set allow_insecure_http: true only for a local receiver)"
            )
        return self

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class EventFeedSettings(_Strict):
    """How long `GET /api/v1/events` keeps an event (the audit trail keeps it for good)."""

    retention: timedelta = timedelta(days=90)

    @field_validator("retention", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)


def webhook_problems(webhooks: list[Webhook]) -> list[tuple[tuple[Any, ...], str]]:
    """Cross-entry checks: names are how the CLI and the metrics address a subscription."""
    seen: set[str] = set()
    problems: list[tuple[tuple[Any, ...], str]] = []
    for i, hook in enumerate(webhooks):
        if hook.name in seen:
            problems.append((("webhooks", i, "name"), f"duplicate webhook name '{hook.name}'"))
        seen.add(hook.name)
    return problems
