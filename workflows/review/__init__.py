"""The override review: what the named override reviewer reads each period, built from
the decisions and outcomes already stored (history -> metrics -> formats)."""

from workflows.review.cadence import review_job
from workflows.review.format_json import review_json
from workflows.review.links import LINK_PATH, InvalidLink, link_secret, verify
from workflows.review.render import ReportFormat, render
from workflows.review.report import UnknownType, review_for

__all__ = [
    "LINK_PATH",
    "InvalidLink",
    "ReportFormat",
    "UnknownType",
    "link_secret",
    "render",
    "review_for",
    "review_job",
    "review_json",
    "verify",
]
