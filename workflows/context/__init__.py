"""Planners' knowledge: context interviews, the rules they draft, override patterns, and
the reminders of the context loop."""

from workflows.context.interviews.words import planner_words
from workflows.context.reminders import CONTEXT_REMINDER_SECONDS, ContextReminders
from workflows.context.rules.describe import rule_card, rules_list_message
from workflows.context.rules.store import (
    approve_rule,
    edit_rule,
    find_rule,
    import_specs,
    list_rules,
    reject_rule,
    to_spec,
)

__all__ = [
    "planner_words",
    "CONTEXT_REMINDER_SECONDS",
    "ContextReminders",
    "approve_rule",
    "edit_rule",
    "find_rule",
    "import_specs",
    "list_rules",
    "reject_rule",
    "rule_card",
    "rules_list_message",
    "to_spec",
]
