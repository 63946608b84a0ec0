"""The local web chat: sopbot in a browser, no Slack or Teams tenant needed."""

from adapters.local.adapter import LocalAdapter
from adapters.local.chat import LocalChat

__all__ = ["LocalAdapter", "LocalChat"]
