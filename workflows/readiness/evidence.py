"""What a readiness gate reports: whether it holds, what is missing (each line saying
what to do, naming the configuration key or the command), and the evidence it rests on
(who signed what and when, which sources and sites were seen at what volume and
latency, which review was acknowledged by whom), in words a steering committee reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from core.config import Person


class Gate(BaseModel):
    id: int
    name: str
    hard: bool
    passed: bool
    missing: list[str]
    evidence: list[str] = []


class Readiness(BaseModel):
    ready: bool
    gates: list[Gate]


@dataclass
class Found:
    missing: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def reachable_on(person: Person | None) -> str | None:
    """The chat platform a person can be reached on, by the configuration: None when
    neither a Slack nor a Teams account is named."""
    if person is None:
        return None
    if person.slack:
        return "Slack"
    if person.teams:
        return "Teams"
    return None
