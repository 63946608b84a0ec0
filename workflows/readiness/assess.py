"""One readiness assessment as every caller wants it (CLI, API, chat, the daily timer):
the gates checked now, today's verdict recorded, and the dossier's data with the
history that says since when each gate holds."""

from __future__ import annotations

from workflows.base import WorkflowContext
from workflows.readiness.dossier import Dossier, dossier_data
from workflows.readiness.gates import check_readiness
from workflows.readiness.history import record_day, recorded_days

READINESS_JOB_SECONDS = 3600.0  # recorded at least hourly, so every day has its verdict


def assess(ctx: WorkflowContext) -> Dossier:
    now = ctx.clock.now()
    today = now.astimezone(ctx.config.person_tz(None)).date()
    with ctx.database.transaction() as session:
        readiness = check_readiness(session, config=ctx.config, now=now, calendars=ctx.calendars)
        record_day(session, readiness=readiness, day=today, now=now)
        session.flush()
        days = recorded_days(session)
        data = dossier_data(readiness, config=ctx.config, days=days, checked_at=now)
    return data
