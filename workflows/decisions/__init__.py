"""Accept, override, reassign: a decision recorded exactly once, inbound deliveries
de-duplicated, and the journal of acked clicks that survives a crash."""

from workflows.decisions.click import (
    CheckedClick,
    Click,
    ClickAction,
    Performed,
    check_click,
    perform_click,
)
from workflows.decisions.durable import ClickJournal, Entry, click_of, entry, wall_now
from workflows.decisions.inbound import any_delivered, first_delivery
from workflows.decisions.journal import Pending, finish, journal, take_abandoned
from workflows.decisions.service import (
    NOTE_MAX,
    DecisionRecorded,
    DecisionRequest,
    check_decision,
    decide,
    record_accept,
    record_override,
    record_reassign,
)

__all__ = [
    "ClickJournal",
    "Entry",
    "click_of",
    "entry",
    "wall_now",
    "CheckedClick",
    "Click",
    "ClickAction",
    "Performed",
    "check_click",
    "perform_click",
    "DecisionRecorded",
    "DecisionRequest",
    "NOTE_MAX",
    "check_decision",
    "decide",
    "record_accept",
    "record_override",
    "record_reassign",
    "Pending",
    "any_delivered",
    "finish",
    "first_delivery",
    "journal",
    "take_abandoned",
]
