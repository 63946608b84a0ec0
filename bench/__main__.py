"""`make bench`: run every benchmark module's `run()` in turn."""

from __future__ import annotations

import importlib
import sys

MODULES = [
    "bench.ingest",
    "bench.sla",
    "bench.clicks",
    "bench.delivery",
    "bench.memory",
    "bench.lateness",
    "bench.faults",
    "bench.readiness",
    "bench.webhooks",
    "bench.feed",
    "bench.review",
]


def main(argv: list[str]) -> None:
    wanted = argv or MODULES
    for name in wanted:
        module = importlib.import_module(name if name.startswith("bench.") else f"bench.{name}")
        print(f"== {module.__name__} ==", flush=True)
        module.run()


if __name__ == "__main__":
    main(sys.argv[1:])
