"""Use cases: ingestion, routing, decisions, delivery, and the rest. No chat platform
code here: workflows speak the neutral message model and the `Chat` port."""
