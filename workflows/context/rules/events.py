"""The audit vocabulary of the context loop (events without a recommendation carry the
rule or interview in their data)."""

from __future__ import annotations

from enum import StrEnum


class ContextEvent(StrEnum):
    INTERVIEW_STARTED = "interview_started"
    INTERVIEW_ANSWER_REFUSED = "interview_answer_refused"
    INTERVIEW_COMPLETED = "interview_completed"
    RULE_DRAFTED = "rule_drafted"
    RULE_APPROVED = "rule_approved"
    RULE_REJECTED = "rule_rejected"
    RULE_EDITED = "rule_edited"
    RULES_IMPORTED = "rules_imported"
    RULES_SHOWN = "context_rules_shown"  # which rules the decider saw, per decision
    OVERRIDE_PATTERN = "override_pattern"
