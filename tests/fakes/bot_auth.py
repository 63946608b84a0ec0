"""The Bot Framework's side of Teams authentication, faked: an RSA signing key, the
OpenID metadata and key set botbuilder fetches to check an inbound token (served by
the fake Bot Connector, `FakeBotConnector(issuer=...)`), and tokens signed as the Bot
Framework signs what Teams sends to a bot: issuer https://api.botframework.com,
audience the bot's app id, the activity's serviceUrl as a claim, and a key endorsed for
the `msteams` channel.

With these a real `sopbot serve` configured with TEAMS_APP_ID checks each request's
signature for real (tests/faults/teams_serve.py points botbuilder's metadata URL here);
a request without a token, or signed by another key, is refused 401."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"
METADATA_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/.well-known/keys"
# What `MicrosoftAppCredentials` would get from Microsoft Entra for the bot's outbound
# calls (tests/faults/teams_serve.py returns it): the fake connector sees it on each call.
OUTBOUND_TOKEN = "entra-token-for-the-fake-connector"


class BotFrameworkIssuer:
    def __init__(self, key_id: str = "fake-bot-framework-key") -> None:
        self.key_id = key_id
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def documents(self, base_url: str) -> dict[str, dict[str, Any]]:
        """GET path -> JSON body: the metadata (pointing at the keys) and the keys."""
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update(kid=self.key_id, use="sig", endorsements=["msteams"])
        return {
            METADATA_PATH: {"issuer": ISSUER, "jwks_uri": base_url.rstrip("/") + KEYS_PATH},
            KEYS_PATH: {"keys": [jwk]},
        }

    def token(self, *, app_id: str, service_url: str) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + 3600,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.key_id})

    def headers(self, *, app_id: str, service_url: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(app_id=app_id, service_url=service_url)}"}
