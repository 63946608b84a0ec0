"""Local stand-ins for external services that tests talk to over real HTTP."""
