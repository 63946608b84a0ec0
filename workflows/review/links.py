"""Short-lived signed links to the HTML override review, so the S&OP lead opens the full
report from chat (every platform) without a shell or an API token. The token carries
the report's filters and an expiry, signed with HMAC-SHA256 by a secret stored once per
database (or `SOPBOT_REPORT_SECRET`): any replica can check it, nobody can forge or
stretch it, and a leaked link stops working within minutes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from workflows.review.secrets import report_secret

LINK_PATH = "/reports/overrides.html"
LINK_LIFETIME = timedelta(minutes=15)
SECRET_NAME = "report_links"


class InvalidLink(ValueError):
    """A report link that was tampered with, malformed or has expired."""


@dataclass(frozen=True)
class ReportQuery:
    type: str | None
    since: date | None
    until: date | None
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(query: ReportQuery, *, secret: bytes) -> str:
    payload = {
        "type": query.type,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "exp": int(query.expires_at.timestamp()),
    }
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify(token: str, *, secret: bytes, now: datetime) -> ReportQuery:
    try:
        body, mac = token.split(".")
        expected = hmac.new(secret, body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise InvalidLink("this report link is not valid")
        data = json.loads(_unb64(body))
        expires = datetime.fromtimestamp(int(data["exp"]), tz=now.tzinfo)
        query = ReportQuery(
            type=data["type"],
            since=date.fromisoformat(data["since"]) if data["since"] else None,
            until=date.fromisoformat(data["until"]) if data["until"] else None,
            expires_at=expires,
        )
    except InvalidLink:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidLink("this report link is not valid") from exc
    if now >= query.expires_at:
        raise InvalidLink("this report link has expired: ask for `report` again in chat")
    return query


def link_secret(session: Session, *, now: datetime) -> bytes:
    return report_secret(session, name=SECRET_NAME, now=now)


def report_url(
    session: Session,
    *,
    base_url: str,
    type_name: str | None,
    now: datetime,
    since: date | None = None,
    until: date | None = None,
) -> str:
    """The signed link (absolute when `base_url` is set: SOPBOT_PUBLIC_URL)."""
    query = ReportQuery(type=type_name, since=since, until=until, expires_at=now + LINK_LIFETIME)
    token = sign(query, secret=link_secret(session, now=now))
    return f"{base_url.rstrip('/')}{LINK_PATH}?token={token}"
