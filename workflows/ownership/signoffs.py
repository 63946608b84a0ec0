"""Sign-off of the ownership matrix by the function leads the configuration names
(`readiness.matrix_signoff_leads`). An approval is tied to the configuration's hash: a
changed matrix is not the one they approved, so their approval lapses with it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import Clock, local_time_label
from core.config import Config
from core.messages import Message, Section, Tone
from storage.db import Database
from storage.models import MatrixSignoff
from workflows.ownership.matrix import matrix_rows

SHORT = 8  # characters of the hash a lead types to approve


def config_hash(config: Config) -> str:
    """Of the content, not the text: reordered keys or new comments are the same matrix."""
    canonical = json.dumps(config.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class SignoffStatus:
    lead_id: str
    signed_at: datetime | None  # of the current configuration
    lapsed_at: datetime | None  # the latest approval of an earlier configuration

    @property
    def current(self) -> bool:
        return self.signed_at is not None


def signoff_statuses(session: Session, *, config: Config) -> list[SignoffStatus]:
    leads = config.readiness.matrix_signoff_leads
    current = config_hash(config)
    rows = session.scalars(select(MatrixSignoff).where(MatrixSignoff.lead_id.in_(leads))).all()
    statuses = []
    for lead in leads:
        mine = [r for r in rows if r.lead_id == lead]
        now_signed = next((r.signed_at for r in mine if r.config_hash == current), None)
        earlier = max((r.signed_at for r in mine if r.config_hash != current), default=None)
        statuses.append(SignoffStatus(lead_id=lead, signed_at=now_signed, lapsed_at=earlier))
    return statuses


def missing_signoffs(session: Session, *, config: Config) -> list[str]:
    """What gate 1 lists: each lead whose approval of this matrix is missing or lapsed."""
    if not config.readiness.matrix_signoff_leads:
        return [
            "no function leads named: list who signs off the ownership matrix under "
            "readiness.matrix_signoff_leads"
        ]
    short = config_hash(config)[:SHORT]
    missing = []
    for status in signoff_statuses(session, config=config):
        if status.current:
            continue
        why = (
            f"their sign-off of {status.lapsed_at:%Y-%m-%d} lapsed when the configuration changed"
            if status.lapsed_at
            else "has not signed off"
        )
        missing.append(
            f"{status.lead_id}: {why}: the ownership matrix {short} needs their "
            f"approval (they type `/sopbot matrix approve {short}` in chat)"
        )
    return missing


def matrix_summary(session: Session, *, config: Config, reader_id: str) -> Message:
    """What a lead reads before approving: every line of the matrix, who has approved."""
    short = config_hash(config)[:SHORT]
    lines = [
        f"{r.type} {r.scope}: {r.owner} (backup {r.backup}), SLA {r.sla}, then {r.escalation}"
        for r in matrix_rows(config)
    ]
    tz = config.person_tz(reader_id)
    approvals = [
        f"{config.display_name(s.lead_id)}: "
        + (f"approved {local_time_label(s.signed_at, tz)}" if s.signed_at else "not yet")
        for s in signoff_statuses(session, config=config)
    ] or ["nobody is named under readiness.matrix_signoff_leads"]
    context = [f"Matrix {short}: approvals hold for exactly this configuration."]
    if reader_id in config.readiness.matrix_signoff_leads:
        context.append(f"To approve it, type: matrix approve {short}")
    return Message(
        header="Ownership matrix",
        sections=[
            Section(title="Routes", lines=lines),
            Section(title="Sign-offs", lines=approvals),
        ],
        context=context,
    )


def approve_matrix(
    *,
    database: Database,
    config: Config,
    clock: Clock,
    lead_id: str,
    seen_hash: str,
    channel: str,
) -> Message:
    """Record `lead_id`'s approval of the matrix they saw (`seen_hash`, its first
    characters are enough); a matrix changed since then is refused, not approved."""
    current = config_hash(config)
    if lead_id not in config.readiness.matrix_signoff_leads:
        return Message(
            header="Not a function lead",
            tone=Tone.WARNING,
            text="Only the leads named under readiness.matrix_signoff_leads sign "
            "off the ownership matrix.",
        )
    if not seen_hash:
        return Message(
            header="Which matrix?",
            tone=Tone.WARNING,
            text=f"Type `matrix` to see the current matrix, then `matrix approve "
            f"{current[:SHORT]}` to approve exactly that one.",
        )
    if len(seen_hash) < SHORT or not current.startswith(seen_hash.lower()):
        return Message(
            header="The matrix has changed",
            tone=Tone.WARNING,
            text=f"You approved '{seen_hash}', but the current matrix is "
            f"{current[:SHORT]}. Type `matrix` to see it, then approve that.",
        )
    now = clock.now()
    try:
        with database.transaction() as session:
            exists = session.scalar(
                select(MatrixSignoff.id).where(
                    MatrixSignoff.lead_id == lead_id, MatrixSignoff.config_hash == current
                )
            )
            if exists is None:
                session.add(
                    MatrixSignoff(
                        lead_id=lead_id, config_hash=current, channel=channel, signed_at=now
                    )
                )
    except IntegrityError:  # the same approval from another replica a moment earlier
        pass
    return Message(
        header="Ownership matrix approved",
        tone=Tone.GOOD,
        text=f"{config.display_name(lead_id)} signed off matrix {current[:SHORT]}.",
    )
