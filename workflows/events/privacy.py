"""People in the change feed, webhook bodies and decision exports, per
`privacy.people_in_events` (docs/events.md).

`pseudonymous` (the default): every person field carries the same stable pseudonym as the
override review's reports (`person-1a2b3c4d`, an HMAC of the person id under the
installation's `pseudonyms` secret), and free-text notes have every configured person's
id, name and first name replaced by that pseudonym. A planning system applies a decision
by the recommendation's source and external id, and needs no person for that; a
pseudonym still shows that two decisions were taken by the same planner. `ids`: the
configured person ids, for an installation whose planning system routes a decision back
to a named planner and whose works council agreed. Names never leave in either mode:
in `ids` mode a note's names, e-mails and chat ids are replaced by the person's id.

Applied when the sequencer stamps an event, and kept beside its data
(`feed_events.body`, workflows/events/bodies.py) so the feed streams stored text; the
stored `data` keeps ids like the audit log it comes from. Each stored body carries the
`key` of the settings it was rewritten under (mode, secret, the configured people): a
reader whose key differs renders the body again from `data`, and the `events` job
rewrites the stored ones, so switching the mode applies to old events too, at once, and
the feed and every webhook attempt still send identical bodies under identical ids."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from core.config import Config
from storage.db import Database
from workflows.review.privacy import IDS, PSEUDONYMOUS, People
from workflows.review.secrets import report_secret

BOT_ACTOR = "sopbot"
# Per public type: the fields that name one person, and the free-text fields.
_PERSON_FIELDS: dict[str, tuple[str, ...]] = {
    "recommendation.received": ("owner", "backup"),
    "recommendation.reassigned": ("previous_owner", "new_owner", "by"),
    "decision.recorded": ("decided_by", "on_behalf_of"),
    "sla.escalated": ("notified",),
    "rule.approved": ("by", "owner"),
    "rule.retired": ("by",),
}
_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "recommendation.reassigned": ("note",),
    "decision.recorded": ("note",),
    "rule.retired": ("reason",),
}
EXPORT_PERSON_FIELDS = ("decided_by", "on_behalf_of")


@dataclass(frozen=True)
class EventPeople:
    """How people read in what leaves sopbot (`people.mode`: ids or pseudonymous);
    without `people` (tests of other things) bodies leave as stored."""

    people: People | None = None

    @property
    def mode(self) -> str:
        return IDS if self.people is None else self.people.mode

    @cached_property
    def key(self) -> str:
        """What a rewritten body depends on, as a short digest: the mode, the secret
        (through a pseudonym no person has) and every configured person's words and
        label. Equal keys give equal bodies; any change of them gives another key. One
        way: the stored key reveals neither the secret nor anyone's pseudonym."""
        if self.people is None:
            return "raw"
        people = self.people
        probe = people.pseudonym("\x00sopbot-body-key") if self.mode != IDS else ""
        persons = [
            [p.id, p.name, p.email, p.slack, p.teams, self.person(p.id)]
            for p in people.config.people
        ]
        text = json.dumps([self.mode, probe, persons], ensure_ascii=False)
        return f"{self.mode[:3]}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"

    def person(self, value: Any) -> Any:
        """A person field's value: ids unchanged in `ids` mode; the bot and channels
        (`#planning`) are not people and stay."""
        if self.mode == IDS or not isinstance(value, str):
            return value
        if value == BOT_ACTOR or value.startswith("#"):
            return value
        return self.people.pseudonym(value)  # type: ignore[union-attr]

    def text(self, value: Any) -> Any:
        if self.people is None or not isinstance(value, str):
            return value
        return self.people.scrub(value)

    def event_data(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        """An event body's `data` as it may leave (a copy when anything changes)."""
        if self.people is None:
            return data
        persons, texts = _PERSON_FIELDS.get(type_, ()), _TEXT_FIELDS.get(type_, ())
        if not persons and not texts:
            return data
        out = dict(data)
        for key in persons:
            if key in out:
                out[key] = self.person(out[key])
        for key in texts:
            if key in out:
                out[key] = self.text(out[key])
        return out

    def export_row(self, row: dict[str, Any]) -> dict[str, Any]:
        if self.people is None:
            return row
        for key in EXPORT_PERSON_FIELDS:
            row[key] = self.person(row[key])
        row["note"] = self.text(row["note"])
        return row


def event_people(database: Database, *, config: Config, now: datetime) -> EventPeople:
    """The configured mode with its secret (created on first use, hence a transaction:
    the same secret as the reports', so a pseudonym reads the same everywhere)."""
    mode = config.privacy.people_in_events
    if mode == IDS:
        return EventPeople(People(config, b"", forced_mode=IDS))
    with database.transaction() as session:
        secret = report_secret(session, name="pseudonyms", now=now)
    return EventPeople(People(config, secret, forced_mode=PSEUDONYMOUS))


@dataclass
class EventPeopleSource:
    """Resolves the mode once per process (the secret does not change while it runs)."""

    database: Database
    config: Config
    now: Callable[[], datetime]
    _found: EventPeople | None = field(default=None, init=False)

    def get(self) -> EventPeople:
        if self._found is None:
            self._found = event_people(self.database, config=self.config, now=self.now())
        return self._found
