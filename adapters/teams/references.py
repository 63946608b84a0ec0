"""Where Teams can reach people and channels: stored conversation references.

A bot may only message someone proactively in a conversation that already exists, so
the reference captured at install (or first message) is what makes a person reachable.
References live in the database (identity links), so every replica and every restart
knows them. Personal-scope references are stored per person; channel references per
channel id, and per channel name and team name for the first channel that bore the name.

The channel escalation copies go to is the configuration's `channel`: a Teams channel id
(`19:...@thread.tacv2`) pins it exactly; a name is pinned to the first channel of that
name sopbot was installed in. A later activity (another team's channel of the same name,
any channel that happens to speak last) never moves it: there is no "most recent"
fallback any more, and a name already held by another channel id is kept."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botbuilder.schema import ConversationReference

from core.config import Config
from workflows.chat import WHERE, find_person_by_external_id, get_link, link_person, save_link
from workflows.service import Services

PLATFORM = "teams"
CHANNEL_PLATFORM = "teams_channel"


def dump_reference(reference: ConversationReference) -> dict[str, Any]:
    return reference.serialize()


def load_reference(data: dict[str, Any]) -> ConversationReference:
    return ConversationReference().deserialize(data)


def match_person(config: Config, *, identifiers: Iterable[str | None]) -> str | None:
    """The configured person whose `teams` (AAD object id or UPN), else `email`, is one
    of `identifiers` (case-insensitive). `teams` wins so an explicit mapping beats a
    shared mailbox address."""
    wanted = {i.strip().lower() for i in identifiers if i and i.strip()}
    for attr in ("teams", "email"):
        for person in config.people:
            value = getattr(person, attr)
            if value and value.strip().lower() in wanted:
                return person.id
    return None


class ReferenceStore:
    """Person and channel references, read and written through the identity workflow."""

    def __init__(self, *, services: Services) -> None:
        self.services = services

    def person_reference(self, person_id: str) -> ConversationReference | None:
        link = get_link(database=self.services.database, platform=PLATFORM, person_id=person_id)
        if link is None or not link.data.get("reference"):
            return None
        return load_reference(link.data["reference"])

    def person_for(self, external_id: str | None) -> str | None:
        if not external_id:
            return None
        return find_person_by_external_id(
            database=self.services.database, platform=PLATFORM, external_id=external_id
        )

    def save_person(
        self,
        *,
        person_id: str,
        external_id: str,
        reference: ConversationReference | None,
        via: str,
        may_relink: bool = False,
        tenant: str | None = None,
    ) -> bool:
        """Remember the person's Teams id and, when known, their 1:1 conversation. False
        when another Teams account holds the person: refused and audited (see links)."""
        if reference is not None:
            conversation = reference.conversation.id if reference.conversation else None
            data = {"reference": dump_reference(reference), WHERE: conversation}
        else:
            existing = get_link(
                database=self.services.database, platform=PLATFORM, person_id=person_id
            )
            data = {}
            if (
                existing is not None
                and existing.data.get("reference")
                and (
                    existing.external_id == external_id  # another account gets no old chat
                )
            ):
                data = dict(existing.data)  # learning the id must not forget the chat
        return link_person(
            self.services,
            platform=PLATFORM,
            person_id=person_id,
            external_id=external_id,
            data=data,
            via=via,
            may_relink=may_relink,
            tenant=tenant,
        ).accepted

    def forget_person(self, *, person_id: str, external_id: str, tenant: str | None) -> bool:
        """The app was removed: the stored conversation can no longer be used. Only the
        account that holds the person can make them unreachable this way."""
        return link_person(
            self.services,
            platform=PLATFORM,
            person_id=person_id,
            external_id=external_id,
            data={},
            via="app removed",
            tenant=tenant,
        ).accepted

    def save_channel(
        self, *, names: Iterable[str | None], channel_id: str, reference: ConversationReference
    ) -> None:
        """Store the reference under the channel id (refreshed by every activity of that
        channel) and under each name no other channel holds yet."""
        channel_key = channel_id.strip().lower()[:100]
        keys = {n.strip().lstrip("#").lower()[:100] for n in names if n and n.strip()}
        for key in sorted(keys | {channel_key}):
            held = get_link(
                database=self.services.database, platform=CHANNEL_PLATFORM, person_id=key
            )
            if key != channel_key and held is not None and held.external_id != channel_id[:200]:
                continue  # pinned to the first channel of that name
            save_link(
                database=self.services.database,
                clock=self.services.clock,
                platform=CHANNEL_PLATFORM,
                person_id=key,
                external_id=channel_id[:200],
                data={"reference": dump_reference(reference)},
            )

    def channel_reference(self, channel: str) -> ConversationReference | None:
        """The channel stored under that id, name or team name; None if never installed."""
        key = channel.strip().lstrip("#").lower()[:100]
        link = get_link(database=self.services.database, platform=CHANNEL_PLATFORM, person_id=key)
        if link is not None and link.data.get("reference"):
            return load_reference(link.data["reference"])
        return None
