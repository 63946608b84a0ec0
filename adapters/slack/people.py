"""Who is who on Slack: configured Slack user ids first, then links stored after a
one-time `users.lookupByEmail`, so a person without a configured id is still reachable
and their clicks are still recognised."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from core.config import Config, Person
from workflows.chat import find_person_by_external_id, get_link, save_link
from workflows.service import Services

PLATFORM = "slack"
NOT_FOUND = "users_not_found"

log = logging.getLogger(__name__)


class SlackPeople:
    def __init__(self, *, services: Services, client: WebClient) -> None:
        self.services = services
        self.client = client

    @property
    def config(self) -> Config:
        return self.services.config

    def person_id_for(self, user_id: str | None) -> str | None:
        """The sopbot person behind a Slack user id, or None for a stranger."""
        if not user_id:
            return None
        configured = next((p.id for p in self.config.people if p.slack == user_id), None)
        if configured is not None:
            return configured
        return find_person_by_external_id(
            database=self.services.database, platform=PLATFORM, external_id=user_id
        )

    def knows(self, person: Person) -> bool:
        """A configured or stored Slack user id: no lookup needed (an e-mail alone is only
        a guess, so a person known on another platform is sent there first)."""
        if person.slack:
            return True
        link = get_link(database=self.services.database, platform=PLATFORM, person_id=person.id)
        return link is not None and link.external_id is not None

    def can_reach(self, person: Person) -> bool:
        """No network here: a configured id, a stored id, or an email to look up."""
        if person.slack:
            return True
        link = get_link(database=self.services.database, platform=PLATFORM, person_id=person.id)
        if link is not None:
            return link.external_id is not None
        return bool(person.email)

    def user_id_for(self, person: Person) -> str | None:
        """The person's Slack user id; looked up by email at most once, then stored
        (a miss is stored too, so an unknown address is not asked about again)."""
        if person.slack:
            return person.slack
        database = self.services.database
        link = get_link(database=database, platform=PLATFORM, person_id=person.id)
        if link is not None:
            return link.external_id
        if not person.email:
            return None
        try:
            found = self.client.users_lookupByEmail(email=person.email)
            user_id: str | None = found["user"]["id"]
        except SlackApiError as exc:
            if exc.response.get("error") != NOT_FOUND:
                raise
            log.info("no Slack user with the email of %s", person.id)
            user_id = None
        save_link(
            database=database,
            clock=self.services.clock,
            platform=PLATFORM,
            person_id=person.id,
            external_id=user_id,
            data={"source": "users.lookupByEmail"} if user_id else {"error": NOT_FOUND},
        )
        return user_id
