"""The official schemas the tests validate against, carried inside the repository."""

from __future__ import annotations

from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent
ADAPTIVE_CARD_1_5 = SCHEMAS / "adaptive-card-1.5.json"
SLACK_MANIFEST_1_0_0 = SCHEMAS / "slack-app-manifest-1.0.0.json"
