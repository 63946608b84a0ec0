"""Reports how much the lifecycle state machine ran (examples, checked steps, what the
steps reached), so a run that passed by doing little is visible in `make test`'s output.
The counts travel as user properties, which pytest-xdist carries back to the controller."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for report in terminalreporter.stats.get("passed", []):
        counts = {
            name.removeprefix("lifecycle_"): value
            for name, value in report.user_properties
            if name.startswith("lifecycle_")
        }
        if report.when == "call" and counts:
            reached = ", ".join(
                f"{k} {v}" for k, v in sorted(counts.items()) if k not in ("examples", "steps")
            )
            terminalreporter.write_line(
                f"{report.nodeid}: {counts.get('examples')} examples, "
                f"{counts.get('steps')} checked steps ({reached})"
            )
