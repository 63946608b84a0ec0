"""Readiness gate 5 (operational context, soft): which types still lack a context
interview and an approved context rule. Context interviews are not stored in this
version, so every type is listed as lacking both."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.config import Config


def context_gate_missing(session: Session, *, config: Config) -> list[str]:
    return [
        f"{name}: no context interview has been run and no context rule approved (context "
        "interviews are not stored in this version of sopbot)"
        for name in config.recommendation_types
    ]
