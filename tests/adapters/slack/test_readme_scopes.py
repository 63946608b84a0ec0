"""README's Slack install step lists exactly the bot scopes manifest.yml asks for: an
admin approving the app reads the README, so a scope added to one must be in the other."""

from __future__ import annotations

import re

import yaml

from tests.support.data import ROOT

SCOPE = re.compile(r"^[a-z]+(:[a-z.]+)?$")
NUMBERS = {4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def test_readme_lists_the_manifests_bot_scopes() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(
        r"The manifest asks for (\w+) bot scopes and no more:(.*?)\n\d\.", readme, re.S
    )
    assert match, "README: the Slack step naming the bot scopes is gone"
    listed = [t for t in re.findall(r"`([^`]+)`", match.group(2)) if SCOPE.match(t)]
    assert sorted(listed) == sorted(scopes)
    assert match.group(1) == NUMBERS[len(scopes)]
