"""The API's two bearer tokens in tests: one for the AI system (ingest, read), one that
may also decide."""

from __future__ import annotations

TOKEN = "s3cret-token-for-tests"
DECISION_TOKEN = "d3cision-token-for-tests"
