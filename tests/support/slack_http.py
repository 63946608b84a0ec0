"""Talking to sopbot the way Slack does: request bodies shaped like Slack's (block_actions,
view_submission, slash commands, Events API callbacks), signed with the signing secret
exactly as Slack signs them (v0 HMAC-SHA256 over `v0:{timestamp}:{body}`)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.support.live import LOOPBACK_TLS

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = {"id": "T0FAKE", "domain": "nordwind"}
_ids = itertools.count(1)


def signature(body: str, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    """Posts signed requests to `/slack/events` of a live sopbot server."""

    def __init__(self, base_url: str, secret: str = SIGNING_SECRET) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30, verify=LOOPBACK_TLS)
        self.secret = secret

    def close(self) -> None:
        self.client.close()

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: float | None = None,
        retry_num: int | None = None,
        forged: bool = False,
    ) -> httpx.Response:
        stamp = str(int(time.time() if timestamp is None else timestamp))
        secret = "not-the-signing-secret" if forged else self.secret
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(body, stamp, secret),
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.client.post("/slack/events", content=body.encode(), headers=headers)

    def interactive(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def command(
        self,
        user_id: str,
        text: str,
        *,
        response_url: str = "https://hooks.slack.com/commands/T0FAKE/1/xyz",
        **kwargs: Any,
    ) -> httpx.Response:
        fields = {
            "token": "deprecated-verification-token",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": "C0OPS",
            "channel_name": "s-and-op",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/sopbot",
            "text": text,
            "api_app_id": "A0SOPBOT",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{next(_ids)}.13345224609.8ed1a2f0c9",
        }
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **kwargs: Any):
        body = {
            "token": "deprecated-verification-token",
            "team_id": TEAM["id"],
            "api_app_id": "A0SOPBOT",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM["id"], "user_id": "U0BOT", "is_bot": True}],
        }
        return self.post(json.dumps(body), "application/json", **kwargs)


def button_in(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    """The first button with `action_id` in rendered blocks (as sent to the Web API)."""
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {json.dumps(blocks)[:500]}")


def block_actions(
    *,
    user_id: str,
    button: dict[str, Any],
    channel: str | None = None,
    message_ts: str | None = None,
    home_view_id: str | None = None,
    action_ts: str | None = None,
    ephemeral: bool = False,
    response_url: str = "https://hooks.slack.com/actions/T0FAKE/1/xyz",
) -> dict[str, Any]:
    """A click as Slack posts it: from a message (channel + ts), from an ephemeral
    message such as the `/sopbot queue` answer, or from the Home tab."""
    stamp = action_ts or f"{time.time():.6f}"
    if home_view_id is not None:
        container: dict[str, Any] = {"type": "view", "view_id": home_view_id}
    else:
        container = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0SOPBOT",
        "token": "deprecated-verification-token",
        "container": container,
        "trigger_id": f"{next(_ids)}.13345224609.8ed1a2f0c9",
        "team": TEAM,
        "enterprise": None,
        "is_enterprise_install": False,
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "b1",
                "text": button["text"],
                "value": button["value"],
                "action_ts": stamp,
            }
        ],
    }
    if home_view_id is None:
        payload["channel"] = {"id": channel, "name": "directmessage"}
        payload["message"] = {"type": "message", "ts": message_ts, "text": "..."}
    else:
        payload["view"] = {"id": home_view_id, "type": "home"}
    return payload


def view_submission(
    *, user_id: str, view: dict[str, Any], values: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """A modal submitted: `view` is what sopbot opened (as views.open received it) and
    `values` is `state.values` ({block_id: {action_id: {...}}})."""
    return {
        "type": "view_submission",
        "team": TEAM,
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0SOPBOT",
        "token": "deprecated-verification-token",
        "trigger_id": f"{next(_ids)}.13345224609.8ed1a2f0c9",
        "view": {
            "id": f"V{next(_ids):08d}",
            "team_id": TEAM["id"],
            "type": "modal",
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view["callback_id"],
            "state": {"values": values},
            "hash": "156772938.1827394",
            "title": view.get("title"),
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }


def selected(block_id: str, action_id: str, value: str) -> dict[str, dict[str, Any]]:
    return {
        block_id: {
            action_id: {
                "type": "static_select",
                "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}},
            }
        }
    }


def typed(block_id: str, action_id: str, value: str | None, kind: str = "plain_text_input"):
    return {block_id: {action_id: {"type": kind, "value": value}}}
