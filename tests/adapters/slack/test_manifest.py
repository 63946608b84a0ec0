"""`manifest.yml` is a complete Slack app manifest a Slack admin can paste: it validates
against the official schema and asks for what sopbot uses, and no more."""

from __future__ import annotations

import json

import jsonschema
import yaml

from adapters.slack.app import EVENTS_PATH
from tests.schemas import SLACK_MANIFEST_1_0_0
from tests.support.data import ROOT

REPO = ROOT
SCHEMA = SLACK_MANIFEST_1_0_0


def load_manifest() -> dict:
    return yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))


def test_manifest_is_valid_against_the_official_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(load_manifest(), schema)


def test_manifest_declares_what_the_adapter_serves() -> None:
    manifest = load_manifest()
    features, settings = manifest["features"], manifest["settings"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["bot_user"]["display_name"]
    assert [c["command"] for c in features["slash_commands"]] == ["/sopbot"]
    urls = {
        features["slash_commands"][0]["url"],
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    }
    assert len(urls) == 1 and urls.pop().endswith(EVENTS_PATH)  # one Request URL for all
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened", "message.im"]
    assert settings["socket_mode_enabled"] is False
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == [
        "chat:write",
        "commands",
        "im:history",
        "im:write",
        "users:read",
        "users:read.email",
    ]


def test_a_broken_manifest_fails_the_schema() -> None:
    """The schema check has teeth: a missing bot name or an unknown key is refused."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = load_manifest()
    broken["features"]["bot_user"].pop("display_name")
    broken["settings"]["no_such_setting"] = True
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(broken))
    assert len(errors) == 2
