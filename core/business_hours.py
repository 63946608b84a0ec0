"""Working days and hours, and which public holidays apply: the company's in
`business_hours`, and a person's own where they differ (`holidays: CZ`, part-time days,
shifts). Holiday calendars come from the `holidays` package, by country and subdivision."""

from __future__ import annotations

from datetime import time
from typing import Any

import holidays as holiday_calendars
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
END_OF_DAY = time.max  # `end: "24:00"`: open until midnight (a 24-hour operation)


def holiday_spec(value: str | None) -> str | None:
    """`CZ`, `DE-BY`: a country the `holidays` package knows, and one of its subdivisions."""
    if value is None or not value.strip():
        return None
    country, _, subdivision = value.strip().upper().partition("-")
    known = holiday_calendars.list_supported_countries()
    if country not in known:
        raise ValueError(f"unknown holiday calendar '{value}'; use a country code such as CZ")
    found = next((s for s in known[country] if s.upper() == subdivision), None)
    if subdivision and found is None:
        raise ValueError(
            f"unknown subdivision '{subdivision}' of {country}; use one of "
            + ", ".join(known[country][:12])
            + ("..." if len(known[country]) > 12 else "")
        )
    return f"{country}-{found}" if found else country


class BusinessHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time = time(8, 0)
    end: time = time(17, 0)  # "24:00" for open until midnight
    days: list[str] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    holidays: str | None = None  # country code, optionally with subdivision: "DE" or "DE-BY"

    @field_validator("end", mode="before")
    @classmethod
    def _midnight(cls, value: Any) -> Any:
        return END_OF_DAY if str(value).strip() in ("24:00", "24:00:00") else value

    @field_validator("holidays")
    @classmethod
    def _known_calendar(cls, value: str | None) -> str | None:
        return holiday_spec(value)

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: list[str]) -> list[str]:
        lowered = [d.lower()[:3] for d in days]
        for day in lowered:
            if day not in WEEKDAYS:
                raise ValueError(f"unknown day '{day}'; use {', '.join(WEEKDAYS)}")
        if not lowered:
            raise ValueError("at least one business day is needed")
        return lowered

    @model_validator(mode="after")
    def _start_before_end(self) -> BusinessHours:
        if self.start >= self.end:
            raise ValueError("business_hours.start must be before end")
        return self

    @property
    def weekday_numbers(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(d) for d in self.days)
