"""`sopbot serve` for the Teams crash test: `python -m tests.faults.teams_serve serve
--port N` is the real command (bot.cli) with three things of the test world set first:

- Microsoft's endpoints are the fakes: botbuilder fetches the Bot Framework's OpenID
  metadata and signing keys from FAULTS_TEAMS_OPENID_URL (the fake Bot Connector,
  tests/fakes/bot_auth.py), so each inbound token's signature, issuer, audience and
  serviceUrl are checked for real; the bot's outbound token (normally from Microsoft
  Entra) is bot_auth.OUTBOUND_TOKEN.
- A killed process's journaled clicks are taken over by the next one at its start
  (lease 0 instead of two minutes: this test's restart is the only process).
- With FAULTS_HOLD_CLICKS=1, an answered click is journaled and its work never starts:
  the process stays between the answer and the work until the test SIGKILLs it."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from functools import partial

from botframework.connector.auth import (
    AuthenticationConstants,
    ChannelValidation,
    MicrosoftAppCredentials,
)

from bot.cli import main
from tests.fakes.bot_auth import OUTBOUND_TOKEN
from workflows.decisions import durable
from workflows.decisions.journal import take_abandoned

log = logging.getLogger("faults")


def _outbound_token(self: MicrosoftAppCredentials, force_refresh: bool = False) -> str:
    return OUTBOUND_TOKEN


def _held(self: durable.ClickJournal, item: durable.Entry, start: object) -> None:
    """Journal the click, never start its work."""
    log.warning("fault point: %s click %s journaled, its work held", self.platform, item.key)
    _write_then(self, item, lambda: None)


_write_then = durable.ClickJournal.write_then


def patch_world() -> None:
    metadata = os.environ["FAULTS_TEAMS_OPENID_URL"]
    ChannelValidation.open_id_metadata_endpoint = metadata
    AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = metadata
    MicrosoftAppCredentials.get_access_token = _outbound_token  # type: ignore[method-assign]
    durable.take_abandoned = partial(take_abandoned, lease=timedelta(0))
    if os.environ.get("FAULTS_HOLD_CLICKS") == "1":
        durable.ClickJournal.write_then = _held  # type: ignore[method-assign]


if __name__ == "__main__":
    patch_world()
    main()
