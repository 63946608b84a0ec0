"""The SLA clock: the schedule of reminders and escalations, the sweep that writes them
when due, snooze and Extend SLA."""

from workflows.sla.sweep import SlaSweeper, sweep

__all__ = ["SlaSweeper", "sweep"]
