"""Human-friendly durations (`8h`, `2d`, `90m`) and percentages (`50%`) used in sopbot.yml."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str | int | float) -> timedelta:
    """Parse `8h`, `2d`, `30m`, `1w`; a bare number means hours (business-hours SLAs)."""
    if isinstance(text, bool):
        raise ValueError("expected a duration like '8h' or '2d'")
    if isinstance(text, int | float):
        return timedelta(hours=float(text))
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a duration; use e.g. '30m', '8h', '2d' or '1w'")
    amount, unit = float(match.group(1)), match.group(2).lower()
    return timedelta(seconds=amount * _UNIT_SECONDS[unit])


def parse_fraction(text: str | int | float) -> float:
    """Parse `50%` or `0.5` into 0.5; must lie in (0, 1]."""
    if isinstance(text, bool):
        raise ValueError("expected a percentage like '50%'")
    if isinstance(text, str):
        stripped = text.strip()
        try:
            value = float(stripped[:-1]) / 100 if stripped.endswith("%") else float(stripped)
        except ValueError:
            raise ValueError(f"'{text}' is not a percentage; use e.g. '50%'") from None
    else:
        value = float(text)
    if not 0 < value <= 1:
        raise ValueError(f"'{text}' must be between 0% and 100%")
    return value


def format_duration(delta: timedelta) -> str:
    """Short form for messages: `2h`, `1h 30m`, `3d`."""
    minutes = int(round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes}m"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest}m" if rest else f"{hours}h"
