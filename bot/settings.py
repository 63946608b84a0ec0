"""Environment settings (see the README's table). Secrets are kept out of repr/logs."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr

from adapters.slack.settings import DEFAULT_API_URL, SlackSettings
from adapters.teams.settings import TeamsSettings
from storage.db import DEFAULT_URL


class Settings(BaseModel):
    database_url: str = DEFAULT_URL
    config_path: Path | None = None
    api_token: SecretStr | None = None  # reads, ingests, records outcomes
    decision_token: SecretStr | None = None  # the only token that may POST decisions
    api_open_for_demo: bool = False  # `sopbot demo`: the API answers without a token
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_API_URL
    teams_enabled: bool = False
    teams_app_id: str = ""
    teams_app_password: SecretStr | None = None
    teams_app_type: str = "SingleTenant"
    teams_tenant_id: str = ""
    # Tenants a multi-tenant bot serves besides TEAMS_TENANT_ID; `*` is every tenant.
    teams_allowed_tenants: tuple[str, ...] = ()
    local_chat: bool | None = None  # None: on when neither Slack nor Teams is configured
    # Where browsers reach sopbot (e.g. https://sopbot.example.com): links sent in chat.
    public_url: str = ""
    chat_hosts: tuple[str, ...] = ()  # Host names the local chat answers to besides loopback
    scheduler: bool = True
    tick_seconds: float = 2.0
    sla_sweep_seconds: float = 5.0  # how often each process sweeps for due SLA steps
    # How long a claimed outbox row is held before another worker may send it: after a
    # crash, the claimed rows wait this long. Must exceed the slowest single send.
    outbox_lease_seconds: float = 180.0
    # Outbox sends started and not yet recorded: more sends faster, and a crash costs that
    # many copies (each sent once more); 1 keeps it to the one message in flight.
    outbox_sends_in_flight: int = Field(default=1, ge=1, le=32)
    # Tests and rehearsals: run the clock as if it had been started at this moment.
    clock_start: datetime | None = None

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def teams_on(self) -> bool:
        return self.teams_enabled or bool(self.teams_app_id)

    @property
    def local_chat_on(self) -> bool:
        if self.local_chat is not None:
            return self.local_chat
        return not (self.slack_enabled or self.teams_on)

    def slack(self) -> SlackSettings:
        """The Slack adapter's part; only called when `slack_enabled`."""
        if self.slack_bot_token is None:
            raise ValueError("the Slack adapter needs SLACK_BOT_TOKEN")
        return SlackSettings(
            bot_token=self.slack_bot_token,
            signing_secret=self.slack_signing_secret,
            app_token=self.slack_app_token,
            api_url=self.slack_api_url,
        )

    def teams(self) -> TeamsSettings:
        return TeamsSettings(
            app_id=self.teams_app_id,
            app_password=self.teams_app_password,
            app_type=self.teams_app_type,
            tenant_id=self.teams_tenant_id,
            allowed_tenants=self.teams_allowed_tenants,
        )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)

        def secret(name: str) -> SecretStr | None:
            return SecretStr(env[name]) if env.get(name) else None

        return cls(
            database_url=env.get("SOPBOT_DATABASE_URL") or DEFAULT_URL,
            config_path=Path(env["SOPBOT_CONFIG"]) if env.get("SOPBOT_CONFIG") else None,
            api_token=secret("SOPBOT_API_TOKEN"),
            decision_token=secret("SOPBOT_DECISION_TOKEN"),
            slack_bot_token=secret("SLACK_BOT_TOKEN"),
            slack_signing_secret=secret("SLACK_SIGNING_SECRET"),
            slack_app_token=secret("SLACK_APP_TOKEN"),
            slack_api_url=env.get("SLACK_API_URL") or DEFAULT_API_URL,
            teams_enabled=env.get("TEAMS_ENABLED", "") in ("1", "true", "yes"),
            teams_app_id=env.get("TEAMS_APP_ID", ""),
            teams_app_password=secret("TEAMS_APP_PASSWORD"),
            teams_app_type=env.get("TEAMS_APP_TYPE") or "SingleTenant",
            teams_tenant_id=env.get("TEAMS_TENANT_ID", ""),
            teams_allowed_tenants=_listed(env.get("TEAMS_ALLOWED_TENANTS", "")),
            local_chat={"1": True, "0": False}.get(env.get("SOPBOT_LOCAL_CHAT", "")),
            public_url=env.get("SOPBOT_PUBLIC_URL", "").strip(),
            chat_hosts=_listed(env.get("SOPBOT_CHAT_HOSTS", "")),
            scheduler=env.get("SOPBOT_SCHEDULER", "1") not in ("0", "false", "no"),
            tick_seconds=float(env.get("SOPBOT_TICK_SECONDS") or 2.0),
            sla_sweep_seconds=float(env.get("SOPBOT_SLA_SWEEP_SECONDS") or 5.0),
            outbox_lease_seconds=float(env.get("SOPBOT_OUTBOX_LEASE_SECONDS") or 180.0),
            outbox_sends_in_flight=int(env.get("SOPBOT_OUTBOX_SENDS_IN_FLIGHT") or 1),
            clock_start=env.get("SOPBOT_CLOCK_START") or None,
        )


def _listed(value: str) -> tuple[str, ...]:
    """A comma-separated environment value as its non-empty entries."""
    return tuple(item.strip() for item in value.split(",") if item.strip())
