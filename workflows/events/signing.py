"""Standard Webhooks 1.0 signatures (https://www.standardwebhooks.com/): the receiver
checks `v1,` + base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")).

A subscription's environment variable may hold two secrets separated by a space while
a secret is rotated: every request then carries both signatures (space-separated, as
the specification allows) and a receiver holding either one accepts it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

from core.event_settings import SECRET_PREFIX, Webhook


class SecretError(ValueError):
    """A subscription whose secret is missing or not a `whsec_` secret."""


def parse_secrets(value: str, *, where: str) -> list[bytes]:
    keys = []
    for part in value.split():
        if not part.startswith(SECRET_PREFIX):
            raise SecretError(f"{where}: a secret must start with '{SECRET_PREFIX}'")
        try:
            keys.append(base64.b64decode(part[len(SECRET_PREFIX) :], validate=True))
        except ValueError:
            raise SecretError(
                f"{where}: the secret after '{SECRET_PREFIX}' is not base64"
            ) from None
    if not keys:
        raise SecretError(f"{where}: no secret set")
    if len(keys) > 2:
        raise SecretError(f"{where}: at most two secrets (the old and the new) at once")
    return keys


def secrets_for(hook: Webhook, environ: Mapping[str, str]) -> list[bytes]:
    """The hook's keys from the environment, or SecretError naming the entry."""
    where = f"webhooks '{hook.name}' (secret_env {hook.secret_env})"
    value = environ.get(hook.secret_env)
    if value is None:
        raise SecretError(f"{where}: the environment variable is not set")
    return parse_secrets(value, where=where)


def signature(keys: list[bytes], *, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for key in keys
    )


def signed_headers(
    keys: list[bytes], *, msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(keys, msg_id=msg_id, timestamp=timestamp, body=body),
    }
