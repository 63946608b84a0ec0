"""Ingestion throughput over HTTP against a running `sopbot serve`, as a ratio to the
floor: raw SQLAlchemy Core `executemany` of the same rows into the same kind of database.

Ours does more per row (validation, routing in business hours, owner history, audit
event, outbox row, JSON over HTTP), so the ratio says what that costs."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from bench.serving import wait_healthy
from core.recommendation import RESPOND_BY_HORIZON
from storage import migrate
from storage.db import Database
from storage.models import Recommendation
from tests.support.live import free_port
from tests.support.pg import scratch_database

ROWS = int(os.environ.get("SOPBOT_BENCH_ROWS", "5000"))
BATCH = 100
TOKEN = "bench-token"
TYPES = ["stockout_risk", "supplier_delay", "demand_revision", "capacity_warning", "expedite"]
SITES = ["DC-NORTH", "DC-SOUTH", "PLANT-2"]


def payloads(count: int, run: str) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        rows.append(
            {
                "external_id": f"{run}-{i}",
                "source": "bench",
                "type": TYPES[i % 5],
                "title": f"SKU-{i % 977} at {SITES[i % 3]}",
                "action": f"Move {i % 500 + 10} pcs",
                "sku": f"SKU-{i % 977}",
                "site": SITES[i % 3],
                "supplier": f"SUP-{i % 31}",
                "quantity": i % 500 + 10,
                "unit": "pcs",
                "confidence": 0.6 + (i % 40) / 100,
                "interval_low": 5,
                "interval_high": 700,
                "drivers": [
                    {"factor": "Open orders", "weight": 0.4},
                    {"factor": "Late PO", "weight": 0.2},
                ],
                "event_time": "2026-11-30T07:00:00+00:00",
                "recorded_time": "2026-11-30T07:30:00+00:00",
            }
        )
    return rows


def at_horizon(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same items, each with its own `respond_by` just inside the horizon (730 days
    after now, a minute apart): routing counts the business time to each one."""
    last = datetime.now(UTC) + RESPOND_BY_HORIZON - timedelta(hours=1)
    return [
        {**item, "respond_by": (last - timedelta(minutes=i)).isoformat()}
        for i, item in enumerate(items)
    ]


def floor_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    rows = []
    for item in items:
        row = {k: v for k, v in item.items() if k not in ("event_time", "recorded_time")}
        if "respond_by" in row:
            row["respond_by"] = datetime.fromisoformat(row["respond_by"])
        row.update(
            revision=1,
            content_hash="x" * 64,
            received_at=now,
            status="open",
            tier="direct",
            owner_id="ana",
            due_at=now,
            links=[],
            event_time=now,
            recorded_time=now,
        )
        rows.append(row)
    return rows


class Floor:
    """Core executemany of the same rows into a fresh database of the same kind."""

    def __init__(self, url: str) -> None:
        self.database = Database(url)
        migrate.upgrade(self.database)

    def insert(self, rows: list[dict[str, Any]]) -> float:
        start = time.perf_counter()
        with self.database.engine.begin() as connection:
            connection.execute(insert(Recommendation), rows)
        return time.perf_counter() - start


@contextmanager
def serving(url: str) -> Iterator[httpx.Client]:
    """`sopbot serve` on a loopback port, and a client for it once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "SOPBOT_DATABASE_URL": url,
        "SOPBOT_API_TOKEN": TOKEN,
        "SOPBOT_SCHEDULER": "0",
        "SOPBOT_LOCAL_CHAT": "0",
    }
    env.pop("SOPBOT_CONFIG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
        ) as client:
            wait_healthy(base)
            yield client
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(ours_url: str, floor_url: str, items: list[dict[str, Any]]) -> tuple[float, float]:
    """Rows per second of ours and of the floor, batch by batch in alternation, so a
    change in the machine's load (2 shared cores) falls on both alike."""
    floor = Floor(floor_url)
    rows = floor_rows(items)
    ours_seconds = floor_seconds = 0.0
    try:
        with serving(ours_url) as client:
            client.post("/api/v1/recommendations", json=payloads(BATCH, "warmup"))
            floor.insert(floor_rows(payloads(BATCH, "warmup")))
            for offset in range(0, len(items), BATCH):
                start = time.perf_counter()
                response = client.post(
                    "/api/v1/recommendations", json=items[offset : offset + BATCH]
                )
                ours_seconds += time.perf_counter() - start
                response.raise_for_status()
                floor_seconds += floor.insert(rows[offset : offset + BATCH])
    finally:
        floor.database.dispose()
    return len(items) / ours_seconds, len(items) / floor_seconds


def report(label: str, ours: float, floor: float, target: float | None) -> None:
    ratio = ours / floor
    verdict = ""
    if target is not None:
        verdict = f"  (target >= {target:.2f}: {'met' if ratio >= target else 'MISSED'})"
    print(
        f"{label:<40} ours {ours:8.0f} rows/s   floor {floor:8.0f} rows/s   "
        f"ratio {ratio:.2f}{verdict}",
        flush=True,
    )


def run() -> None:
    print(
        f"ingestion: {ROWS} recommendations in batches of {BATCH} over HTTP; floor = Core "
        f"executemany of the same rows, one transaction per batch, timed in alternation",
        flush=True,
    )
    items = payloads(ROWS, uuid.uuid4().hex[:6])
    with tempfile.TemporaryDirectory() as tmp:
        ours, floor = measure(
            f"sqlite:///{Path(tmp) / 'ours.db'}", f"sqlite:///{Path(tmp) / 'floor.db'}", items
        )
        report("sqlite", ours, floor, 0.2)
        horizon = at_horizon(payloads(ROWS, uuid.uuid4().hex[:6]))
        ours, floor = measure(
            f"sqlite:///{Path(tmp) / 'horizon.db'}",
            f"sqlite:///{Path(tmp) / 'floor-h.db'}",
            horizon,
        )
        report("sqlite, respond_by at the horizon", ours, floor, 0.2)
    admin_url = os.environ.get("SOPBOT_TEST_PG_URL")
    if admin_url:
        with (
            scratch_database(admin_url, "sopbot_bench") as url,
            scratch_database(admin_url, "sopbot_bench") as url2,
        ):
            ours, floor = measure(url, url2, items)
            report("postgresql", ours, floor, 0.2)
        with (
            scratch_database(admin_url, "sopbot_bench") as url,
            scratch_database(admin_url, "sopbot_bench") as url2,
        ):
            ours, floor = measure(url, url2, at_horizon(payloads(ROWS, uuid.uuid4().hex[:6])))
            report("postgresql, respond_by at the horizon", ours, floor, 0.2)
