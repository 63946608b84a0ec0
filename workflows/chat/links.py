"""Who a platform account is, guarded: linking a person to an account is a fact worth
an audit line, and an account may not take over a person another account holds.

A chat platform tells us who sent an activity; the first time, sopbot matches the
sender to a configured person (by the configured id, else by the e-mail the
platform's roster reports, which the account's own directory admin controls). From
then on the link decides. A different account claiming an already-linked person is
refused and audited (`link_refused`), never a silent relink; only the configuration
naming that very account id may move a link (an admin's explicit word). Every change
that matters (a first link, a new account id, a new, moved or removed conversation)
is audited (`linked`); an activity that merely repeats what is stored is not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.domain import EventKind
from storage.models import PersonLink
from workflows.audit import record_event
from workflows.base import WorkflowContext

# The parts of a stored conversation that say where messages go; the rest (the last
# activity's id, the locale) changes with every activity and is no link change.
WHERE = "where"


@dataclass(frozen=True)
class LinkResult:
    accepted: bool
    change: str | None = None  # "linked" | "account" | "conversation" | "removed" | None


def link_person(
    ctx: WorkflowContext,
    *,
    platform: str,
    person_id: str,
    external_id: str,
    data: dict[str, Any],
    via: str,
    may_relink: bool = False,
    tenant: str | None = None,
) -> LinkResult:
    """Store `external_id` and `data` as the person's link on `platform`, unless another
    account holds the person (refused, audited). `data[WHERE]` (a short description of
    the conversation, or absent) is what counts as a conversation change. Check and
    write are one transaction; a concurrent first link is decided by the unique key."""
    for _attempt in range(2):
        try:
            with ctx.database.transaction() as session:
                link = session.scalars(
                    select(PersonLink)
                    .where(PersonLink.platform == platform, PersonLink.person_id == person_id)
                    .with_for_update()
                ).first()
                now = ctx.clock.now()
                held_by = link.external_id if link is not None else None
                if held_by is not None and held_by != external_id and not may_relink:
                    record_event(
                        session,
                        kind=EventKind.LINK_REFUSED,
                        at=now,
                        person=person_id,
                        platform=platform,
                        claimed_by=external_id[:200],
                        held_by=held_by,
                        via=via,
                        tenant=tenant,
                    )
                    return LinkResult(accepted=False)
                change = _change(link, external_id=external_id, data=data)
                if link is None:
                    link = PersonLink(platform=platform, person_id=person_id)
                    session.add(link)
                link.external_id = external_id
                link.data = data
                link.updated_at = now
                if change is not None:
                    record_event(
                        session,
                        kind=EventKind.LINKED,
                        at=now,
                        person=person_id,
                        platform=platform,
                        change=change,
                        account=external_id[:200],
                        previous=held_by if held_by != external_id else None,
                        where=data.get(WHERE),
                        via=via,
                        tenant=tenant,
                    )
                return LinkResult(accepted=True, change=change)
        except IntegrityError:
            continue  # a concurrent first link won; decide against it on the second pass
    return LinkResult(accepted=False)


def _change(link: PersonLink | None, *, external_id: str, data: dict[str, Any]) -> str | None:
    if link is None:
        return "linked"
    if link.external_id != external_id:
        return "account"
    before, after = (link.data or {}).get(WHERE), data.get(WHERE)
    if before == after:
        return None
    return "removed" if after is None else "conversation"


def refuse_activity(
    ctx: WorkflowContext, *, platform: str, reason: str, **seen: str | None
) -> None:
    """An inbound activity refused before any work (e.g. from a foreign tenant): one
    audit line with what it claimed to be, so an administrator can see the attempts."""
    with ctx.database.transaction() as session:
        record_event(
            session,
            kind=EventKind.ACTIVITY_REFUSED,
            at=ctx.clock.now(),
            platform=platform,
            reason=reason,
            **{k: (v or "")[:200] or None for k, v in seen.items()},
        )
