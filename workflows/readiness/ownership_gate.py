"""Gate 1, ownership: every recommendation type in scope has an owner reachable in chat,
a backup who is someone else, an SLA written in the configuration (the default is not a
decision anybody took), an escalation path whose every level reaches a person, and the
sign-off of every owning function's lead on this exact matrix."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.config import MANAGER, Config, RecommendationType
from workflows.ownership.signoffs import (
    SHORT,
    Subject,
    matrix_hash,
    missing_signoffs,
    signoff_statuses,
)
from workflows.readiness.evidence import Found, reachable_on


def _person_line(config: Config, person_id: str | None) -> str:
    person = config.people_by_id.get(person_id or "")
    where = reachable_on(person)
    return f"{config.display_name(person_id)} ({where})" if where else "-"


def _check_type(config: Config, name: str, rtype: RecommendationType, found: Found) -> None:
    key = f"recommendation_types.{name}"
    people = config.people_by_id
    owners = [(f"{key}.owner", rtype.owner, rtype.backup, f"{key}.backup")] + [
        (
            f"{key}.routes[{i}].owner",
            route.owner,
            route.backup or rtype.backup,
            f"{key}.routes[{i}].backup",
        )
        for i, route in enumerate(rtype.routes)
    ]
    for owner_key, owner, backup, backup_key in owners:
        if owner is None:
            found.missing.append(f"{name}: no owner: set {owner_key}")
            continue
        if reachable_on(people.get(owner)) is None:
            found.missing.append(
                f"{name}: owner {owner} cannot be reached in chat: give them a slack or "
                f"teams account under people"
            )
        if backup is None:
            found.missing.append(f"{name}: {owner} has no backup: set {backup_key}")
        elif backup == owner:
            found.missing.append(
                f"{name}: {owner} is their own backup: name someone else under {backup_key}"
            )
        elif reachable_on(people.get(backup)) is None:
            found.missing.append(
                f"{name}: backup {backup} cannot be reached in chat: give them a slack or "
                "teams account"
            )
    if "sla" not in rtype.model_fields_set:
        found.missing.append(
            f"{name}: no SLA written (the {rtype.sla} default is nobody's "
            f"decision): set {key}.sla, e.g. 8h"
        )
    if not rtype.escalation:
        found.missing.append(
            f"{name}: no escalation path: add {key}.escalation, e.g. [{{after: 0h, notify: "
            "manager}]"
        )
    levels = []
    for i, step in enumerate(rtype.escalation):
        if step.notify == MANAGER:
            targets = {o: people[o].manager for _k, o, _b, _bk in owners if o in people}
            for owner, manager in targets.items():
                if manager is None or reachable_on(people.get(manager)) is None:
                    found.missing.append(
                        f"{name}: escalation level {i + 1} goes to {owner}'s manager, who is "
                        f"{'not named' if manager is None else 'not reachable in chat'}: set "
                        f"people[{owner}].manager to a reachable person"
                    )
            shown = sorted({config.display_name(m) for m in targets.values() if m})
            levels.append(f"+{step.after} manager ({', '.join(shown) or '-'})")
        else:
            if reachable_on(people.get(step.notify)) is None:
                found.missing.append(
                    f"{name}: escalation level {i + 1} ({step.notify}) cannot be reached in chat"
                )
            levels.append(f"+{step.after} {config.display_name(step.notify)}")
    found.evidence.append(
        f"{name}: owner {_person_line(config, rtype.owner)}, backup "
        f"{_person_line(config, rtype.backup)}, {len(rtype.routes)} route(s), SLA "
        f"{rtype.sla}"
        + (" as written" if "sla" in rtype.model_fields_set else " (default)")
        + f", escalation {'; '.join(levels) or '-'}"
    )


def ownership_gate(session: Session, *, config: Config) -> Found:
    found = Found()
    if not config.recommendation_types:
        found.missing.append(
            "no recommendation types in scope: list them under recommendation_types"
        )
    for name, rtype in config.recommendation_types.items():
        _check_type(config, name, rtype, found)
    found.missing += missing_signoffs(session, config=config, subject=Subject.MATRIX)
    short = matrix_hash(config)[:SHORT]
    for status in signoff_statuses(session, config=config, subject=Subject.MATRIX):
        if status.signed_at is not None:
            found.evidence.append(
                f"{config.display_name(status.lead_id)} signed off ownership matrix {short} on "
                f"{status.signed_at:%Y-%m-%d %H:%M} UTC in {status.channel}"
            )
    return found
