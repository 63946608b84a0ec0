"""Fallback recipients: where a recommendation goes when its message cannot be delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import OutboxKind, OutboxState
from storage.models import OutboxItem, Recommendation
from workflows.ownership.permissions import record_stand_in


def queue_fallback(
    session: Session, *, item: OutboxItem, config: Config, now: datetime, rec_id: int
) -> None:
    """A person who cannot be reached must not leave the decision with nobody: the backup,
    then the override reviewer, gets it once (the dedupe key makes a second try a no-op),
    never someone already tried."""
    rec = session.get(Recommendation, rec_id)
    assert rec is not None
    tried = set(item.payload.get("tried", [])) | {item.person_id}
    # The stand-in sees what the failed message was (a reminder, an escalation level).
    carried = {k: item.payload[k] for k in ("purpose", "level") if k in item.payload}
    # one fallback per failed message (and per entry of a failed digest)
    key = item.dedupe_key if item.kind != OutboxKind.DIGEST else f"{item.dedupe_key}:{rec.id}"
    for candidate in (rec.backup_id, config.override_reviewer):
        if candidate and candidate not in tried:
            who = config.display_name(item.person_id)
            try:
                with session.begin_nested():
                    session.add(
                        OutboxItem(
                            kind=OutboxKind.DELIVER,
                            # one fallback per failed message: an escalation that
                            # fails is not mistaken for the owner's first delivery
                            dedupe_key=f"{key}:fallback:{candidate}",
                            recommendation_id=rec.id,
                            person_id=candidate,
                            payload={
                                **carried,
                                "fallback": f"Could not reach {who}; sent to you instead.",
                                "tried": sorted(t for t in tried if t),
                            },
                            state=OutboxState.PENDING,
                            attempts=0,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
            except IntegrityError:
                continue
            record_stand_in(
                session, rec=rec, person_id=candidate, instead_of=item.person_id, at=now
            )
            return
