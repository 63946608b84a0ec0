"""What the workflows report as it happens, for the process's metrics.

The workflows call a `Meter` after each committed fact (stored, decided, queued by the
clock, delivered); the composition root passes one that keeps Prometheus counters
(bot.metrics). Labels are only configured types and the enums' values, never a name,
a note or other free text. The default does nothing (unit tests, the CLI)."""

from __future__ import annotations

from typing import Protocol


class Meter(Protocol):
    def ingested(self, *, type_: str, tier: str, status: str) -> None:
        """One item of a committed batch: created, duplicate, revised or withdrawn."""

    def decided(self, *, action: str, type_: str, seconds: float) -> None:
        """A committed final decision, `seconds` after the recommendation arrived."""

    def clock_steps(self, *, step: str, count: int) -> None:
        """Reminders, escalations or digest entries a committed sweep queued."""

    def delivered(self, *, kind: str, result: str) -> None:
        """One outbox row handled: sent, retried later, or failed for good."""


class NullMeter:
    """Counts nothing."""

    def ingested(self, *, type_: str, tier: str, status: str) -> None:
        return None

    def decided(self, *, action: str, type_: str, seconds: float) -> None:
        return None

    def clock_steps(self, *, step: str, count: int) -> None:
        return None

    def delivered(self, *, kind: str, result: str) -> None:
        return None


NO_METER: Meter = NullMeter()
