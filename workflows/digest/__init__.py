"""The digest tier: low-confidence signals and messages over the daily cap, gathered into
one message in parts; and the daily line per person in the escalation channel of what
waits on them (`waiting.py`)."""

from workflows.digest.waiting import waiting_job

__all__ = ["waiting_job"]
