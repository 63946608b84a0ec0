"""The digest tier: low-confidence signals and messages over the daily cap, gathered into
one message in parts."""
