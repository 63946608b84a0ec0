"""Helpers that tests in more than one folder share: worlds (a served sopbot with its
fake chat platform), payload builders, waits and checks. Fixtures stay in conftest.py
files; everything a test imports by name comes from here (or tests/fakes)."""
