"""`sopbot teams package`: the Teams app package (manifest.json + two icons, zipped),
ready to upload in Teams (Apps -> Manage your apps -> Upload an app) or the admin centre.

The bot is offered in personal scope (where recommendations arrive) and team scope
(channel posts: digests, escalations), with the text commands listed for discovery."""

from __future__ import annotations

import json
import re
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from adapters.teams.icons import ACCENT_RGB, color_icon, outline_icon
from workflows.chat import COMMANDS

MANIFEST_VERSION = "1.16"
MANIFEST_SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.16/MicrosoftTeams.schema.json"
)
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DOMAIN = re.compile(r"^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
MAX_DOMAINS = 16  # the manifest schema's maxItems for validDomains


class PackageError(ValueError):
    """A setting the package cannot be built without; the message says which."""


def sopbot_version() -> str:
    """The project's version (pyproject.toml), the package's default `version`: Teams
    refuses an update whose version is not higher, so bump either on each upload."""
    try:
        return version("sopbot")
    except PackageNotFoundError:
        return "0.1.0"


def _https(value: str | None, option: str, what: str) -> str:
    if not value:
        raise PackageError(f"{option} is required: the https:// URL of {what}")
    if not value.startswith("https://"):
        raise PackageError(f"{option} must be an https:// URL, got '{value}'")
    return value


def build_manifest(
    *,
    app_id: str,
    website: str = "https://example.com/sopbot",
    domains: list[str] | None = None,
    app_version: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
) -> dict[str, Any]:
    """The manifest; `app_id` is the bot's Microsoft App ID (TEAMS_APP_ID). The privacy
    and terms pages are the deploying company's own: Teams shows them, so no default."""
    if not GUID.match(app_id or ""):
        raise PackageError(
            f"the Teams app id must be the bot's Microsoft App ID (a GUID), "
            f"got '{app_id}': set TEAMS_APP_ID or pass --app-id"
        )
    if not website.startswith("https://"):
        raise PackageError(f"the website must be an https:// URL, got '{website}'")
    privacy = _https(privacy_url, "--privacy-url", "your privacy statement")
    terms = _https(terms_url, "--terms-url", "your terms of use")
    app_version = app_version or sopbot_version()
    if not SEMVER.match(app_version):
        raise PackageError(
            f"--version must be major.minor.patch such as 1.4.0, got '{app_version}'"
        )
    domains = list(dict.fromkeys(domains or []))
    for domain in domains:
        if not DOMAIN.match(domain):
            raise PackageError(f"'{domain}' is not a domain name (no scheme, no path)")
    if len(domains) > MAX_DOMAINS:
        raise PackageError(
            f"{len(domains)} --domain values: Teams accepts at most {MAX_DOMAINS} validDomains"
        )
    base = website.rstrip("/")
    commands = [
        {"title": c.word, "description": (c.summary[:1].upper() + c.summary[1:])[:128]}
        for c in COMMANDS.values()
    ]
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": app_version,
        "id": app_id,
        "developer": {
            "name": "sopbot",
            "websiteUrl": base,
            "privacyUrl": privacy,
            "termsOfUseUrl": terms,
        },
        "name": {"short": "sopbot", "full": "sopbot: S&OP recommendations, owned and decided"},
        "description": {
            "short": "AI planning recommendations, owned and decided in chat",
            "full": "sopbot sends each AI supply-chain recommendation to its named owner, who "
            "accepts, overrides with a reason, or reassigns it right in Teams, before its "
            "due time. Overrides feed the S&OP review.",
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT_RGB),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": ["personal"], "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": domains,
    }


def write_package(
    out: Path,
    *,
    app_id: str,
    website: str = "https://example.com/sopbot",
    domains: list[str] | None = None,
    app_version: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
) -> Path:
    """Write the zip (manifest.json, color.png, outline.png at its root) to `out`."""
    manifest = build_manifest(
        app_id=app_id,
        website=website,
        domains=domains,
        app_version=app_version,
        privacy_url=privacy_url,
        terms_url=terms_url,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return out
