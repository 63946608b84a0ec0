"""What the Teams adapter needs from the environment (the TEAMS_* variables) as plain
values, so the adapter never imports the application's settings above it."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


class TeamsSettings(BaseModel):
    app_id: str = ""  # empty: unauthenticated local testing
    app_password: SecretStr | None = None
    app_type: str = "SingleTenant"
    tenant_id: str = ""
    allowed_tenants: tuple[str, ...] = ()  # besides tenant_id; "*": every tenant, on purpose
