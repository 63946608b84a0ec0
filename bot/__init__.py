"""The application on top: composition root, HTTP app and API routes, CLI, server, demo,
timers, metrics and environment settings. Nothing below imports it."""
