"""The neutral message for a recommendation: what, why, how fresh, what happened with
similar ones, and what the reader may do. Every adapter renders this same content."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from core.clock import local_time_label
from core.config import Config
from core.domain import DecisionKind, Status, Tier
from core.durations import format_duration
from core.messages import (
    Button,
    ButtonAction,
    ButtonStyle,
    Form,
    Message,
    MessageField,
    Section,
    Tone,
)
from storage.models import Recommendation
from workflows.intake.revisions import handover_note
from workflows.ownership.absences import absences, covering
from workflows.ownership.permissions import deciders, role_in
from workflows.sla.extension import may_extend
from workflows.sla.snooze import SNOOZE_CHOICES, may_snooze
from workflows.views.card_state import (
    channel_entry,
    clock_lines,
    handover,
    open_state,
)
from workflows.views.forms import extend_form, override_form, reassign_form
from workflows.views.lookups import Lookups, SessionLookups


class Purpose(StrEnum):
    """Why a recommendation is shown, which decides how it is drawn. The values are the
    purposes the outbox stores with each delivery (`payload["purpose"]`,
    `ChatMessage.purpose`; the SLA sweep writes its step kind there), so an adapter
    redrawing a card after a click asks for exactly the message the outbox sent."""

    OWNER = "owner"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    DIGEST = "digest"  # an entry of a digest part: redrawn as the whole part
    QUEUE = "queue"  # an entry of the on-demand `queue` list (never stored)


# What the header of an open reminder / escalation starts with (see `purpose_of`).
HEADER_PREFIX = {Purpose.REMINDER: "Reminder: ", Purpose.ESCALATION: "Escalated: "}
# A reminded card past its due time (drawn as the owner's: past due a reminder has no
# Snooze, so nothing else differs and `purpose_of` may read it as the owner's card).
OVERDUE_PREFIX = "Overdue: "
ACTION_LABEL = "Recommended"  # what a card calls its `text` (a notice's line is not one)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def headline(rec: Recommendation, config: Config) -> str:
    rtype = config.recommendation_types.get(rec.type)
    label = rtype.label if rtype else rec.type
    head, rest = rec.title[: len(label)], rec.title[len(label) :]
    if head.casefold() == label.casefold() and not rest[:1].isalnum():
        return rec.title  # "Expedite SKU-5102 ...", not "Expedite: Expedite SKU-5102 ..."
    return f"{label}: {rec.title}"


def _freshness(rec: Recommendation, config: Config, tz_person: str) -> str | None:
    if rec.event_time is None and rec.recorded_time is None:
        return None
    tz = config.person_tz(tz_person)
    parts = []
    if rec.event_time is not None:
        parts.append(f"event {rec.event_time.astimezone(tz):%a %H:%M}")
    if rec.recorded_time is not None:
        parts.append(f"entered {rec.recorded_time.astimezone(tz):%a %H:%M}")
    line = "Data freshness: " + ", ".join(parts)
    if rec.event_time is not None and rec.recorded_time is not None:
        lag = rec.recorded_time - rec.event_time
        if lag.total_seconds() > 0:
            line += f" ({format_duration(lag)} entry lag)"
    return line


def why_lines(rec: Recommendation, config: Config, tz_person: str) -> list[str]:
    lines = []
    for driver in sorted(rec.drivers or [], key=lambda d: -abs(d.get("weight") or 0))[:5]:
        weight = driver.get("weight")
        text = driver["factor"] + (f" ({weight:+.0%})" if weight is not None else "")
        if driver.get("detail"):
            text += f": {driver['detail']}"
        lines.append(text)
    if rec.confidence is not None:
        conf = f"Confidence {rec.confidence:.0%}"
        if rec.interval_low is not None and rec.interval_high is not None:
            unit = f" {rec.unit}" if rec.unit else ""
            conf += f", interval {_number(rec.interval_low)}-{_number(rec.interval_high)}{unit}"
        lines.append(conf)
    freshness = _freshness(rec, config, tz_person)
    if freshness:
        lines.append(freshness)
    return lines


def _digest_note(rec: Recommendation, config: Config) -> str:
    rtype = config.recommendation_types.get(rec.type)
    if rtype and rec.confidence is not None and rec.confidence < rtype.actionable_confidence:
        return "Low confidence: listed in the digest"
    return "Listed in the digest: your daily limit of direct messages was reached"


def decided_status(rec: Recommendation, config: Config) -> tuple[str | None, Tone]:
    human = next((d for d in rec.decisions if not d.automatic), None)
    auto = next((d for d in rec.decisions if d.automatic), None)
    decision = human or auto
    if rec.status == Status.WITHDRAWN:
        return "Withdrawn by the planning system", Tone.WARNING
    if decision is None:
        return None, Tone.INFO
    when = local_time_label(decision.decided_at, config.person_tz(decision.actor_id))
    if decision.kind == DecisionKind.AUTO:
        return f"Accepted automatically at {when} (you may still override until the due time)", (
            Tone.GOOD
        )
    who = config.display_name(decision.actor_id)
    behalf = (
        f" on behalf of {config.display_name(decision.on_behalf_of)}"
        if decision.on_behalf_of
        else ""
    )
    if decision.kind == DecisionKind.ACCEPT:
        return f"Accepted by {who}{behalf} at {when}", Tone.GOOD
    reason = config.reason_codes_by_code.get(decision.reason_code or "")
    text = (
        f"Overridden by {who}{behalf} at {when}: {reason.label if reason else decision.reason_code}"
    )
    if decision.value is not None:
        text += f", alternative value {_number(decision.value)}"
    if decision.note:
        text += f'. "{decision.note}"'
    return text, Tone.WARNING


def message_for_purpose(
    session: Session,
    *,
    config: Config,
    rec: Recommendation,
    reader_id: str,
    now: datetime,
    purpose: Purpose | str = Purpose.OWNER,
    lookups: Lookups | None = None,
) -> Message:
    """`rec` drawn for `purpose` (a `Purpose` or the string the outbox stored). The outbox
    draws every delivery through here too, so a redraw after a click matches what was
    sent."""
    if reader_id.startswith("#"):  # the escalation channel's compact entry
        status, tone = decided_status(rec, config)
        return channel_entry(
            config=config,
            rec=rec,
            channel=reader_id,
            now=now,
            events=(lookups or SessionLookups(session, config=config)).clock_events(rec),
            title=headline(rec, config),
            status=status,
            tone=tone,
        )
    return recommendation_message(
        session,
        config=config,
        rec=rec,
        reader_id=reader_id,
        now=now,
        escalation=purpose == Purpose.ESCALATION,
        reminder=purpose == Purpose.REMINDER,
        lookups=lookups,
    )


def purpose_of(message: Message) -> Purpose:
    """The purpose a rendered recommendation was drawn for, read back from its header:
    while it is open only the header tells every reminder and escalation apart (a
    reminder past due has no Snooze, an escalation to someone who may not extend no
    Extend SLA); once decided, every purpose draws the same message."""
    for purpose, prefix in HEADER_PREFIX.items():
        if message.recommendation_id is not None and message.header.startswith(prefix):
            return purpose
    return Purpose.OWNER


def recommendation_message(
    session: Session,
    *,
    config: Config,
    rec: Recommendation,
    reader_id: str,
    now: datetime,
    escalation: bool = False,
    reminder: bool = False,
    lookups: Lookups | None = None,
) -> Message:
    """The interactive message about `rec` as `reader_id` should see it now; a reminder
    adds the time left and snooze buttons, an escalation who owns it, how long it has
    waited and Extend SLA. Snooze and Extend SLA go to exactly the people their
    workflows accept (`may_snooze`, `may_extend`), not to everyone who may decide: the
    override reviewer may extend an SLA without being on the escalation chain."""
    tz = config.person_tz(reader_id)
    fields = [MessageField(label="Item", value=rec.sku or "-")]
    if rec.site:
        fields.append(MessageField(label="Site", value=rec.site))
    if rec.supplier:
        fields.append(MessageField(label="Supplier", value=rec.supplier))
    if rec.customer:
        fields.append(MessageField(label="Customer", value=rec.customer))
    if rec.quantity is not None:
        fields.append(
            MessageField(
                label="Quantity", value=f"{_number(rec.quantity)} {rec.unit or ''}".strip()
            )
        )
    fields.append(MessageField(label="Owner", value=config.display_name(rec.owner_id)))
    sections = []
    why = why_lines(rec, config, reader_id)
    if why:
        sections.append(Section(title="Why", lines=why))
    lookups = lookups or SessionLookups(session, config=config)
    history = lookups.history(rec)
    if history:
        sections.append(Section(title="History", lines=[history]))
    rules = lookups.rules(rec)
    if rules:
        sections.append(rules)
    track_record = lookups.track_record(rec)
    if track_record:
        sections.append(Section(title="Track record", lines=[track_record]))
    status, tone = decided_status(rec, config)
    is_open = rec.status == Status.OPEN
    events = lookups.clock_events(rec)
    clock = clock_lines(config=config, rec=rec, reader_id=reader_id, events=events)
    handed, closed = handover(config=config, rec=rec, reader_id=reader_id, events=events)
    handover_line = handover_note(session, config=config, rec=rec, reader_id=reader_id)
    roles = [line for line in (handover_line, handed) if line]
    # Drawn from state now: a card redrawn a day later says what is true then.
    context = [f"#{rec.id} from {rec.source}"]
    if rec.tier == Tier.DIGEST or rec.digest_on is not None:  # (or over the daily cap)
        context.append(_digest_note(rec, config))
    state: list[str] = []
    buttons: list[Button] = []
    forms: list[Form] = []
    auto_open = (
        rec.status == Status.DECIDED
        and all(d.automatic for d in rec.decisions)
        and now <= rec.due_at
    )
    # Whoever acts for an absent owner sees for whom, and may decide while it lasts.
    cover = (
        covering(
            absences(session, now=now),
            owner_id=rec.owner_id,
            backup=rec.backup_id,
            person_id=reader_id,
        )
        if is_open and reader_id != rec.owner_id
        else None
    )
    if cover is not None:
        roles.append(f"For {config.display_name(rec.owner_id)}, {cover.label()}")
    if is_open:
        state, tone = open_state(
            config=config,
            rec=rec,
            reader_id=reader_id,
            now=now,
            clock=clock,
            roles=roles,
            closed_by=handed if closed else None,
            escalation=escalation,
            reminder=reminder,
        )
    else:  # the decided state is the status line; how it got there is small print
        context[:0] = [*roles, f"Due {local_time_label(rec.due_at, tz)}", *clock]
    may_decide = not closed and (
        cover is not None
        or reader_id in deciders(config=config, rec=rec)
        or role_in(session, config=config, rec=rec, person_id=reader_id, now=now) is not None
    )  # a stand-in for someone unreachable (queried only for those the config leaves out)
    on_behalf = reader_id != rec.owner_id and reader_id != rec.backup_id
    if rec.status == Status.OPEN and may_decide:
        buttons = [
            Button(
                action=ButtonAction.ACCEPT,
                label="Accept",
                style=ButtonStyle.PRIMARY,
                recommendation_id=rec.id,
                on_behalf=on_behalf,
            ),
            Button(
                action=ButtonAction.OVERRIDE,
                label="Override",
                recommendation_id=rec.id,
                on_behalf=on_behalf,
            ),
            Button(action=ButtonAction.REASSIGN, label="Reassign", recommendation_id=rec.id),
        ]
        forms = [override_form(rec, config, on_behalf=on_behalf), reassign_form(rec, config)]
    elif auto_open and may_decide:
        buttons = [Button(action=ButtonAction.OVERRIDE, label="Override", recommendation_id=rec.id)]
        forms = [override_form(rec, config)]
    if (
        is_open
        and not closed
        and reminder
        and now < rec.due_at
        and may_snooze(rec=rec, person_id=reader_id)
    ):
        buttons += [
            Button(action=ButtonAction.SNOOZE, label=label, recommendation_id=rec.id, value=value)
            for value, label in SNOOZE_CHOICES.items()
        ]
    if (
        is_open
        and not closed
        and escalation
        and may_extend(config=config, rec=rec, person_id=reader_id)
    ):
        buttons.append(
            Button(action=ButtonAction.EXTEND, label="Extend SLA", recommendation_id=rec.id)
        )
        forms.append(extend_form(rec, config))
    header = headline(rec, config)
    if escalation and is_open:
        header = HEADER_PREFIX[Purpose.ESCALATION] + header
    elif reminder and is_open and now < rec.due_at:
        header = HEADER_PREFIX[Purpose.REMINDER] + header
    elif reminder and is_open:  # the reminded card, now past due: it says so, not "Reminder"
        header = OVERDUE_PREFIX + header
    return Message(
        header=header,
        text=rec.action,
        text_label=ACTION_LABEL,
        fields=fields,
        sections=sections,
        state=state,
        context=context,
        buttons=buttons,
        forms=forms,
        status=status,
        tone=tone,
        recommendation_id=rec.id,
    )


def notice_message(header: str, text: str | None = None, tone: Tone = Tone.INFO) -> Message:
    return Message(header=header, text=text, tone=tone)
