"""Text that would do something if a renderer took it as markup: HTML, Slack mrkdwn
controls (broadcast and user mentions, links), Adaptive Card / Markdown emphasis and
links, and an entity that must stay an entity's text."""

from __future__ import annotations

from typing import Any

from tests.support.data import make_rec

HOSTILE = (
    "<script>alert(1)</script> <!channel> <!here> <@U0GRETA> <#C0OPS> *bold* _it_ "
    "[click](javascript:alert(1)) <https://evil.example|Ana's approval> "
    "&lt;b&gt; <img src=x onerror=alert(2)>"
)
NOTE = "Per <!everyone> and <@U0BEN>: [ok](javascript:alert(3)) <b>now</b> &amp;"


def hostile_rec(**overrides: Any) -> dict[str, Any]:
    """A recommendation with the hostile text in every free-text field the AI system
    fills: title, action, unit, driver factors and details."""
    return make_rec(
        title="T " + HOSTILE,
        action="A " + HOSTILE,
        drivers=[
            {"factor": "F " + HOSTILE, "weight": 0.5, "detail": "D " + HOSTILE},
            {"factor": "[x](javascript:alert(4))", "weight": 0.2},
        ],
        **overrides,
    )


def strings(node: Any) -> list[tuple[dict[str, Any], str, str]]:
    """Every (parent object, key, string) in a JSON document."""
    found: list[tuple[dict[str, Any], str, str]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(value, str):
                    found.append((item, key, value))
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found
