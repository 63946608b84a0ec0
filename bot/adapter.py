"""What a chat adapter offers the composition root: its `Chat` for sending, HTTP routes
for what the platform posts back, and start/stop for anything long-running."""

from __future__ import annotations

from typing import Protocol

from fastapi import APIRouter

from core.chat import Chat


class Adapter(Protocol):
    name: str
    chat: Chat
    router: APIRouter

    def start(self) -> None:
        """Begin background work (Socket Mode, token refresh); called once at serve."""
        ...

    def stop(self) -> None: ...
