"""What every benchmark that starts a `sopbot serve` (or a floor server) subprocess
needs: waiting until it answers /healthz, and failing fast when it exited instead."""

from __future__ import annotations

import subprocess
import time

import httpx


def wait_healthy(
    base: str, *, process: subprocess.Popen | None = None, timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"{base} did not start")
        time.sleep(0.1)
