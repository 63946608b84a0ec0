"""Refusals a workflow gives; every adapter turns them into its own kind of answer."""

from __future__ import annotations

from datetime import datetime


class WorkflowError(Exception):
    """Base class: `str(error)` is a sentence fit to show a planner."""


class NotFound(WorkflowError):
    pass


class NotPermitted(WorkflowError):
    pass


class InvalidInput(WorkflowError):
    """A form value that cannot be used; `field` names the input it belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class AlreadyDecided(WorkflowError):
    def __init__(self, by: str, at: datetime, kind: str, when_label: str) -> None:
        super().__init__(f"Already decided ({kind}) by {by} at {when_label}.")
        self.by = by
        self.at = at
        self.kind = kind


class Withdrawn(WorkflowError):
    pass


class RepeatedDelivery(WorkflowError):
    """The platform delivered this click before and its work is done: drop it quietly."""
