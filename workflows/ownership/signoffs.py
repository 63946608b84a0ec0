"""Sign-off by the function leads: of the ownership matrix (gate 1) and of the success
criteria (gate 4). The leads are those of the functions that own a recommendation type
(`readiness.functions`, each type's `function`). An approval is tied to the hash of what
was approved, and only of that: a changed matrix is not the one they approved, so their
approval lapses with it, while an edit elsewhere in the file (a planner's e-mail, the
digest's cap) leaves it standing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import local_time_label
from core.config import Config
from core.messages import Message, Section, Tone
from storage.driver_writes import insert_if_absent
from storage.models import MatrixSignoff
from workflows.base import WorkflowContext
from workflows.ownership.matrix import matrix_rows

SHORT = 8  # characters of the hash a lead types to approve


class Subject(StrEnum):
    MATRIX = "matrix"
    CRITERIA = "criteria"


SUBJECT_NAME = {Subject.MATRIX: "ownership matrix", Subject.CRITERIA: "success criteria"}
WHICH = {Subject.MATRIX: "Which matrix?", Subject.CRITERIA: "Which criteria?"}
CHANGED = {Subject.MATRIX: "The matrix has changed", Subject.CRITERIA: "The criteria have changed"}


def _digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def matrix_hash(config: Config) -> str:
    """Of the ownership matrix only: types, owners, backups, routes, SLAs, escalation,
    the function owning each type, and the reason codes an override must give."""
    types = {
        name: rtype.model_dump(
            mode="json",
            include={"owner", "backup", "routes", "sla", "escalation", "function"},
        )
        for name, rtype in config.recommendation_types.items()
    }
    reasons = [r.model_dump(mode="json") for r in config.reason_codes]
    return _digest({"subject": "matrix", "types": types, "reason_codes": reasons})


def criteria_hash(config: Config) -> str:
    """Of each type's success criteria and the threshold that sorts its signals."""
    types = {
        name: {
            "success": rtype.success.model_dump(mode="json") if rtype.success else None,
            "actionable_confidence": rtype.actionable_confidence,
            "review_cadence": rtype.review_cadence,
        }
        for name, rtype in config.recommendation_types.items()
    }
    return _digest({"subject": "criteria", "types": types})


def subject_hash(config: Config, subject: Subject) -> str:
    return matrix_hash(config) if subject == Subject.MATRIX else criteria_hash(config)


# The name older callers know: the hash a matrix sign-off is tied to.
config_hash = matrix_hash


def signoff_leads(config: Config) -> dict[str, list[str]]:
    """Lead -> the functions they sign for: every function that owns a type."""
    leads: dict[str, list[str]] = {}
    owning = {t.function for t in config.recommendation_types.values() if t.function}
    for key, function in config.readiness.functions.items():
        if key in owning:
            leads.setdefault(function.lead, []).append(key)
    return leads


@dataclass(frozen=True)
class SignoffStatus:
    lead_id: str
    signed_at: datetime | None  # of what is current
    lapsed_at: datetime | None  # the latest approval of an earlier version
    channel: str | None = None

    @property
    def current(self) -> bool:
        return self.signed_at is not None


def signoff_statuses(
    session: Session, *, config: Config, subject: Subject = Subject.MATRIX
) -> list[SignoffStatus]:
    leads = list(signoff_leads(config))
    current = subject_hash(config, subject)
    rows = session.scalars(
        select(MatrixSignoff).where(
            MatrixSignoff.lead_id.in_(leads), MatrixSignoff.subject == subject.value
        )
    ).all()
    statuses = []
    for lead in leads:
        mine = [r for r in rows if r.lead_id == lead]
        now_signed = next((r for r in mine if r.config_hash == current), None)
        earlier = max((r.signed_at for r in mine if r.config_hash != current), default=None)
        statuses.append(
            SignoffStatus(
                lead_id=lead,
                signed_at=now_signed.signed_at if now_signed else None,
                lapsed_at=earlier,
                channel=now_signed.channel if now_signed else None,
            )
        )
    return statuses


def missing_signoffs(
    session: Session, *, config: Config, subject: Subject = Subject.MATRIX
) -> list[str]:
    """What gate 1 (matrix) or gate 4 (criteria) lists: every function without a lead
    to sign, and each lead whose approval of the current version is missing or lapsed."""
    missing = []
    for name, rtype in config.recommendation_types.items():
        if rtype.function is None:
            missing.append(
                f"{name}: no owning function: set recommendation_types.{name}.function "
                "to one of readiness.functions (its lead signs off)"
            )
    if not config.readiness.functions:
        missing.append(
            "no functions named: list each function that owns recommendation types and "
            "its lead under readiness.functions, e.g. {supply: {lead: ben}}"
        )
    short = subject_hash(config, subject)[:SHORT]
    what = SUBJECT_NAME[subject]
    for status in signoff_statuses(session, config=config, subject=subject):
        if status.current:
            continue
        why = (
            f"their sign-off of {status.lapsed_at:%Y-%m-%d} lapsed when the {what} changed"
            if status.lapsed_at
            else "has not signed off"
        )
        missing.append(
            f"{status.lead_id}: {why}: the {what} {short} needs their approval (they "
            f"type `{subject.value} approve {short}` to sopbot in chat)"
        )
    return missing


def _criteria_lines(config: Config) -> list[str]:
    lines = []
    for name, rtype in config.recommendation_types.items():
        s = rtype.success
        if s is None:
            lines.append(f"{name}: no success criteria")
            continue
        unit = f" {s.unit}" if s.unit else ""
        threshold = rtype.actionable_confidence
        cadence = s.review_cadence or rtype.review_cadence
        lines.append(
            f"{name}: {s.metric}: from {s.baseline}{unit} ({s.baseline_period or 'period?'}) "
            f"to {s.target}{unit}; signals below {threshold:.0%} go to the digest; "
            f"reviewed {cadence}"
        )
    return lines


def signoff_summary(
    session: Session, *, config: Config, reader_id: str, subject: Subject = Subject.MATRIX
) -> Message:
    """What a lead reads before approving: every line of it, and who has approved."""
    short = subject_hash(config, subject)[:SHORT]
    if subject == Subject.MATRIX:
        lines = [
            f"{r.type} {r.scope}: {r.owner} (backup {r.backup}), SLA {r.sla}, then {r.escalation}"
            for r in matrix_rows(config)
        ]
        title, header = "Routes", "Ownership matrix"
    else:
        lines, title, header = _criteria_lines(config), "Criteria", "Success criteria"
    tz = config.person_tz(reader_id)
    approvals = [
        f"{config.display_name(s.lead_id)}: "
        + (f"approved {local_time_label(s.signed_at, tz)}" if s.signed_at else "not yet")
        for s in signoff_statuses(session, config=config, subject=subject)
    ] or ["no function leads: name them under readiness.functions"]
    context = [f"{header} {short}: approvals hold for exactly this version."]
    if reader_id in signoff_leads(config):
        context.append(f"To approve it, type: {subject.value} approve {short}")
    return Message(
        header=header,
        sections=[Section(title=title, lines=lines), Section(title="Sign-offs", lines=approvals)],
        context=context,
    )


def matrix_summary(session: Session, *, config: Config, reader_id: str) -> Message:
    return signoff_summary(session, config=config, reader_id=reader_id, subject=Subject.MATRIX)


def approve(
    ctx: WorkflowContext,
    *,
    lead_id: str,
    seen_hash: str,
    channel: str,
    subject: Subject = Subject.MATRIX,
) -> Message:
    """Record `lead_id`'s approval of the version they saw (`seen_hash`, its first
    characters are enough); a version changed since then is refused, not approved.
    Only the lead of a function that owns a type signs; nobody signs for someone else."""
    current = subject_hash(ctx.config, subject)
    what = SUBJECT_NAME[subject]
    if lead_id not in signoff_leads(ctx.config):
        return Message(
            header="Not a function lead",
            tone=Tone.WARNING,
            text=f"Only the leads of the functions that own recommendation types "
            f"(readiness.functions) sign off the {what}.",
        )
    if not seen_hash:
        return Message(
            header=WHICH[subject],
            tone=Tone.WARNING,
            text=f"Type `{subject.value}` to see the current {what}, then "
            f"`{subject.value} approve {current[:SHORT]}` to approve exactly that one.",
        )
    if len(seen_hash) < SHORT or not current.startswith(seen_hash.lower()):
        return Message(
            header=CHANGED[subject],
            tone=Tone.WARNING,
            text=f"You approved '{seen_hash}', but the current {what} is "
            f"{current[:SHORT]}. Type `{subject.value}` to see it, then approve that.",
        )
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        # The same approval again (a retry, another replica a moment earlier) keeps the
        # first: one row per lead, subject and version.
        insert_if_absent(
            session,
            MatrixSignoff,
            {
                "lead_id": lead_id,
                "subject": subject.value,
                "config_hash": current,
                "channel": channel,
                "signed_at": now,
            },
            conflict=["lead_id", "subject", "config_hash"],
        )
    return Message(
        header=f"{what.capitalize()} approved",
        tone=Tone.GOOD,
        text=f"{ctx.config.display_name(lead_id)} signed off the {what} {current[:SHORT]}.",
    )


def approve_matrix(ctx: WorkflowContext, *, lead_id: str, seen_hash: str, channel: str) -> Message:
    return approve(
        ctx, lead_id=lead_id, seen_hash=seen_hash, channel=channel, subject=Subject.MATRIX
    )
