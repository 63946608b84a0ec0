"""The go-live check: the five failure patterns of AI planning pilots as gates. Hard
gates (ownership, data, override logging and review, success criteria) must pass before
go-live; the soft one (operational context) is reported. A gate passes on evidence, not
on a filled-in field, and every missing item says exactly what to do, because the person
reading it is the one who will fix it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.clock import Calendars
from core.config import Config
from workflows.readiness.context_gate import context_gate
from workflows.readiness.criteria_gate import criteria_gate
from workflows.readiness.data_gate import data_gate
from workflows.readiness.evidence import Gate, Readiness
from workflows.readiness.ownership_gate import ownership_gate
from workflows.readiness.review_gate import review_gate

GATE_NAMES = {
    1: "ownership",
    2: "data feed",
    3: "override logging and review",
    4: "success criteria",
    5: "operational context",
}


def check_readiness(
    session: Session, *, config: Config, now: datetime, calendars: Calendars | None = None
) -> Readiness:
    calendars = calendars or Calendars(config)
    checks = [
        (1, True, ownership_gate(session, config=config)),
        (2, True, data_gate(session, config=config, calendars=calendars, now=now)),
        (3, True, review_gate(session, config=config, now=now)),
        (4, True, criteria_gate(session, config=config)),
        (5, False, context_gate(session, config=config, now=now)),
    ]
    gates = [
        Gate(
            id=i,
            name=GATE_NAMES[i],
            hard=hard,
            passed=not found.missing,
            missing=found.missing,
            evidence=found.evidence,
        )
        for i, hard, found in checks
    ]
    return Readiness(ready=all(g.passed for g in gates if g.hard), gates=gates)


def readiness_text(readiness: Readiness) -> str:
    lines = ["READY to go live" if readiness.ready else "NOT READY to go live"]
    for gate in readiness.gates:
        mark = "pass" if gate.passed else ("FAIL" if gate.hard else "open")
        kind = "hard" if gate.hard else "soft"
        lines.append(f"{gate.id}. {gate.name} ({kind}): {mark}")
        lines += [f"   - {item}" for item in gate.missing]
        lines += [f"   · {item}" for item in gate.evidence]
    return "\n".join(lines) + "\n"
