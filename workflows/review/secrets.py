"""Secrets behind the review's pseudonyms and signed report links: from the environment
when set (`SOPBOT_REPORT_SECRET`), else a random secret stored once per database, so
every replica and every restart derives the same pseudonyms and accepts the same links."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.driver_writes import insert_if_absent
from storage.models import ReportSecret

ENV = "SOPBOT_REPORT_SECRET"


def report_secret(session: Session, *, name: str, now: datetime) -> bytes:
    """The secret for one purpose (`pseudonyms`, `report_links`): derived from the
    environment's, else this database's stored random one (created on first use)."""
    configured = os.environ.get(ENV)
    if configured:
        return hmac.new(configured.encode(), name.encode(), hashlib.sha256).digest()
    found = session.scalar(select(ReportSecret.secret).where(ReportSecret.name == name))
    if found is None:
        insert_if_absent(
            session,
            ReportSecret,
            {"name": name, "secret": secrets.token_hex(32), "created_at": now},
            conflict=["name"],
        )
        found = session.scalar(select(ReportSecret.secret).where(ReportSecret.name == name))
    return bytes.fromhex(found)  # type: ignore[arg-type]
