"""Which Microsoft Entra tenant an activity comes from, and whether sopbot serves it.

A MultiTenant bot registration authenticates activities from any tenant: the Bot
Framework token proves the activity came through Microsoft, not from whose directory.
With `TEAMS_TENANT_ID` set, only activities whose tenant (`channelData.tenant.id` and
`conversation.tenantId`, whichever are present, and they must agree) is that one are
handled; any other is refused before any work and audited. `TEAMS_ALLOWED_TENANTS` adds
tenants (`*`: every tenant, a deliberate multi-tenant deployment); `sopbot serve`
refuses a MultiTenant registration with neither, so only a local test bot serves every
tenant without saying so."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity

from workflows.chat import refuse_activity
from workflows.service import Services

PLATFORM = "teams"
ANY_TENANT = "*"


def tenants_of(activity: Activity) -> set[str]:
    """Every tenant id the activity names (lower-cased); more than one is a conflict."""
    found: list[Any] = []
    data = activity.channel_data
    if isinstance(data, dict) and isinstance(data.get("tenant"), dict):
        found.append(data["tenant"].get("id"))
    if activity.conversation is not None:
        found.append(activity.conversation.tenant_id)
    return {t.strip().lower() for t in found if isinstance(t, str) and t.strip()}


def tenant_of(activity: Activity) -> str | None:
    tenants = tenants_of(activity)
    return next(iter(tenants)) if len(tenants) == 1 else None


class TenantGate:
    def __init__(
        self, *, tenant_id: str, services: Services, allowed: tuple[str, ...] = ()
    ) -> None:
        named = {t.strip().lower() for t in (tenant_id, *allowed) if t.strip()}
        self.every_tenant = not named or ANY_TENANT in named
        self.expected = frozenset(named - {ANY_TENANT})
        self.services = services

    def admits(self, activity: Activity) -> bool:
        if self.every_tenant:
            return True
        tenants = tenants_of(activity)
        return len(tenants) == 1 and tenants <= self.expected

    def refuse(self, activity: Activity) -> None:
        """Audit the refused activity (synchronous database work: run it off the loop)."""
        sender = activity.from_property
        refuse_activity(
            self.services,
            platform=PLATFORM,
            reason="tenant",
            tenant=",".join(sorted(tenants_of(activity))) or None,
            activity_type=activity.type,
            sender=sender.id if sender else None,
            sender_aad=sender.aad_object_id if sender else None,
        )
