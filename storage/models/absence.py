"""Out of office: who is away, until when, and who stands in. One row per person (a new
absence replaces the old one); a row whose end has passed is no absence (the sweep and
every read treat it as ended, and the first write after the end deletes and audits it)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


class Absence(Base):
    __tablename__ = "absences"

    person_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    until: Mapped[date] = mapped_column(Date)  # the last day away, as they typed it
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # their next midnight
    delegate_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
