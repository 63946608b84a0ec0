"""Settings that must not run: every partial or contradictory combination of the
environment, found before `sopbot serve` opens anything.

Each of these used to run *open* rather than fail: a Slack bot token without its signing
secret switched Slack off and the login-free web chat on; `TEAMS_ENABLED=1` without an
app id accepted unauthenticated activities; a multi-tenant registration without a tenant
let any tenant's roster claim people; an API token equal to the decision token let the
ingestion system decide; `--host 0.0.0.0` put the login-free chat on the network. So each
is refused, one line per finding that names the variable and what to do, exit 2."""

from __future__ import annotations

import ipaddress

from adapters.slack.client import build_client
from adapters.slack.membership import channel_problem
from bot.settings import Settings
from core.config import Config

LOOPBACK_NAMES = frozenset({"localhost", "localhost."})
TEAMS_APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server on this machine (`0.0.0.0`, `::` and
    any routable address do not)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


def _slack(settings: Settings) -> list[str]:
    bot, secret, app = (
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
    )
    if bot and not (secret or app):
        return [
            "SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET: set SLACK_SIGNING_SECRET "
            "(Basic Information -> Signing Secret) for HTTP events, or SLACK_APP_TOKEN for "
            "Socket Mode, or unset SLACK_BOT_TOKEN"
        ]
    if not bot and (secret or app):
        named = "SLACK_APP_TOKEN" if app else "SLACK_SIGNING_SECRET"
        return [
            f"{named} is set without SLACK_BOT_TOKEN: set SLACK_BOT_TOKEN (OAuth & "
            f"Permissions -> Bot User OAuth Token, xoxb-...) or unset {named}"
        ]
    return []


def _teams(settings: Settings) -> list[str]:
    app_id, password = settings.teams_app_id.strip(), settings.teams_app_password
    app_type = settings.teams_app_type
    if not (settings.teams_enabled or app_id or password):
        return []
    # The credentials first: the tenant settings only matter once they are whole.
    if not app_id:
        cause = "TEAMS_APP_PASSWORD is set" if password else "TEAMS_ENABLED is set"
        return [
            f"{cause} without TEAMS_APP_ID: set TEAMS_APP_ID and TEAMS_APP_PASSWORD of the "
            "Azure Bot registration (Teams activities are never taken unauthenticated), or "
            "unset TEAMS_ENABLED"
        ]
    if not password:
        return [
            "TEAMS_APP_ID is set without TEAMS_APP_PASSWORD: set TEAMS_APP_PASSWORD (the "
            "registration's client secret) or unset TEAMS_APP_ID"
        ]
    found: list[str] = []
    if app_type not in TEAMS_APP_TYPES:
        found.append(
            f"TEAMS_APP_TYPE is '{app_type}': set it to one of {', '.join(TEAMS_APP_TYPES)}"
        )
    elif app_type == "MultiTenant":
        if not settings.teams_tenant_id.strip() and not settings.teams_allowed_tenants:
            found.append(
                "TEAMS_APP_TYPE=MultiTenant without TEAMS_TENANT_ID: set TEAMS_TENANT_ID to "
                "your Microsoft Entra tenant, or list the tenants to serve in "
                "TEAMS_ALLOWED_TENANTS (`*` for every tenant, on purpose)"
            )
    elif not settings.teams_tenant_id.strip():
        found.append(
            f"TEAMS_APP_TYPE={app_type} without TEAMS_TENANT_ID: set TEAMS_TENANT_ID to the "
            "registration's Microsoft Entra tenant id"
        )
    return found


def _api(settings: Settings) -> list[str]:
    api, decision = settings.api_token, settings.decision_token
    if api and decision and api.get_secret_value() == decision.get_secret_value():
        return [
            "SOPBOT_API_TOKEN equals SOPBOT_DECISION_TOKEN: set SOPBOT_DECISION_TOKEN to its "
            "own value, or the ingestion system can decide"
        ]
    return []


def _web_chat(settings: Settings, host: str) -> list[str]:
    if not settings.local_chat_on or is_loopback(host) or settings.chat_hosts:
        return []
    return [
        f"SOPBOT_CHAT_HOSTS is unset while --host {host} exposes the login-free web chat: "
        "serve on --host 127.0.0.1, set SOPBOT_LOCAL_CHAT=0 (or configure Slack or Teams), "
        "or name the hosts it may answer to in SOPBOT_CHAT_HOSTS"
    ]


def refusals(settings: Settings, *, host: str) -> list[str]:
    """Every reason these settings must not serve on `host`, one line each; empty: go."""
    return [*_slack(settings), *_teams(settings), *_api(settings), *_web_chat(settings, host)]


def verdict(settings: Settings, *, host: str) -> str:
    """What `sopbot serve --check` says when nothing is refused: what would run."""
    chats = [
        name
        for name, on in (
            (
                "Slack (Socket Mode)" if settings.slack_app_token else "Slack",
                settings.slack_enabled,
            ),
            ("Teams", settings.teams_on),
            ("web chat", settings.local_chat_on),
        )
        if on
    ]
    api = "token" if settings.api_token else "closed (no SOPBOT_API_TOKEN)"
    return f"settings OK: serving on {host}; chat: {', '.join(chats) or 'none'}; API: {api}"


def warnings(settings: Settings, config: Config) -> list[str]:
    """What would run but not fully: the bot outside the Slack escalation channel (every
    escalation copy would be refused `not_in_channel`). Asks Slack, so only `--check`
    calls it; a running server says the same in its log at start."""
    if not (settings.slack_enabled and settings.slack_bot_token and config.channel):
        return []
    client = build_client(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )
    problem = channel_problem(client=client, channel=config.channel)
    return [problem] if problem else []
