"""How a context rule reads in chat and in the CLI: one line on a recommendation, a
fuller card when a facilitator reviews it."""

from __future__ import annotations

from datetime import date

from core.config import Config
from core.messages import Message, MessageField, Section, Tone
from core.rule_fields import MONTHS
from storage.models import ContextRule


def _months_label(months: list[str]) -> str:
    ordered = [m for m in MONTHS if m in months]
    indexes = [MONTHS.index(m) for m in ordered]
    contiguous = len(indexes) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1))
    if contiguous:
        return f"{ordered[0].title()}-{ordered[-1].title()}"
    return ", ".join(m.title() for m in ordered)


def condition_label(condition: dict | None) -> str:
    if not condition:
        return "always"
    parts = []
    if condition.get("months"):
        parts.append(_months_label(condition["months"]))
    if condition.get("weekdays"):
        parts.append("on " + ", ".join(d.title() for d in condition["weekdays"]))
    if condition.get("trigger"):
        parts.append(str(condition["trigger"]))
    return "; ".join(parts) or "always"


def magnitude_label(magnitude: dict | None) -> str | None:
    if not magnitude:
        return None
    unit = f" {magnitude['unit']}" if magnitude.get("unit") else ""
    text = f"likely {magnitude['likely']:g}{unit}"
    if magnitude.get("low") is not None and magnitude.get("high") is not None:
        text += f" ({magnitude['low']:g}-{magnitude['high']:g})"
    return text


def entity_label(rule: ContextRule) -> str:
    return f"{rule.entity_kind.replace('_', ' ')} {rule.entity_value}"


def contributed_by(rule: ContextRule, config: Config) -> str:
    names = ", ".join(config.display_name(p) for p in (rule.contributors or [rule.owner_id]) if p)
    when = (rule.reviewed_at or rule.created_at).astimezone(config.person_tz(rule.owner_id))
    return f"from {names or 'the team'}, {when:%d %b %Y}"  # when it was approved (or drafted)


def rule_line(rule: ContextRule, config: Config) -> str:
    """`ACME (supplier), Oct-Dec: Confirms late...; likely 14 days (10-21); evidence ...;
    confidence high. From Ana Lopez, 12 Nov 2026 [acme-q4-leadtime]`."""
    parts = [f"{entity_label(rule)}, {condition_label(rule.condition)}: {rule.effect}"]
    magnitude = magnitude_label(rule.magnitude)
    if magnitude:
        parts.append(magnitude)
    if rule.evidence:
        parts.append(f"evidence: {rule.evidence}")
    parts.append(f"confidence {rule.confidence}")
    return "; ".join(parts) + f". F{contributed_by(rule, config)[1:]} [{rule.key}]"


def rule_card(
    rule: ContextRule, config: Config, *, today: date, words: list[str] | None = None
) -> Message:
    """The rule in full; `words`, the planner's own answers, for whoever reviews it."""
    fields = [
        MessageField(label="Entity", value=entity_label(rule)),
        MessageField(label="When", value=condition_label(rule.condition)),
        MessageField(label="Magnitude", value=magnitude_label(rule.magnitude) or "-"),
        MessageField(label="Confidence", value=rule.confidence),
        MessageField(label="Types", value=", ".join(rule.types) or "all"),
        MessageField(label="Status", value=rule.status),
        MessageField(label="Owner", value=config.display_name(rule.owner_id)),
        MessageField(
            label="Review by", value=rule.review_by.isoformat() if rule.review_by else "-"
        ),
    ]
    context = [f"Rule {rule.key} ({rule.source}), {contributed_by(rule, config)}"]
    tone = Tone.GOOD if rule.status == "approved" else Tone.INFO
    if rule.status == "approved" and rule.review_by and rule.review_by < today:
        context.insert(0, f"Review overdue since {rule.review_by.isoformat()}")
        tone = Tone.ATTENTION
    if rule.status == "draft":
        context.append(
            f"Review: `rules approve {rule.key}`, `rules reject {rule.key}`, "
            f"`rules edit {rule.key} <field> <value>`"
        )
    sections = [Section(title="Evidence", lines=[rule.evidence])] if rule.evidence else []
    if words:
        sections.append(Section(title="In the planner's words", lines=words))
    status = None
    if rule.status in ("approved", "rejected") and rule.reviewed_by:
        status = f"{rule.status.title()} by {config.display_name(rule.reviewed_by)}"
        if rule.status == "approved" and rule.review_by:
            status += f", review by {rule.review_by.isoformat()}"
    return Message(
        header=f"Context rule: {rule.key}",
        text=rule.effect,
        fields=fields,
        sections=sections,
        context=context,
        tone=tone,
        status=status,
    )


def rules_list_message(rules: list[ContextRule], config: Config, *, today: date) -> Message:
    groups: dict[str, list[str]] = {}
    for rule in rules:
        overdue = rule.status == "approved" and rule.review_by and rule.review_by < today
        label = "review overdue" if overdue else rule.status
        groups.setdefault(label, []).append(
            f"{rule.key}: {entity_label(rule)}, {condition_label(rule.condition)}: {rule.effect}"
        )
    order = ["review overdue", "draft", "approved", "expired", "rejected"]
    sections = [
        Section(title=f"{g.title()} ({len(groups[g])})", lines=groups[g])
        for g in order
        if g in groups
    ]
    return Message(
        header="Context rules",
        sections=sections,
        text=None
        if rules
        else "No context rules yet: run an interview "
        "(`interview @person suppliers`) or import some (`sopbot rules import`).",
        context=["`rules show <id>` for one rule"],
    )
