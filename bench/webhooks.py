"""Webhook throughput: decisions delivered as signed Standard Webhooks POSTs to a local
receiver, as a ratio to a floor measured in the same run.

Ours: `SOPBOT_BENCH_WEBHOOK_DECISIONS` (default 10000) recommendations ingested and
decided (an override each) on a SQLite file, then one run of the events job as `serve`
runs it (sequencer, then the deliverer with its durable cursor); timed from the first
decision event reaching the receiver to the last. Latency: 200 decisions made while the
job runs every 50 ms in a thread; the decision's `decided_at` to its receipt, p50, p99.

Floor: the same bodies, signed the same way, POSTed in a bare loop with the same
`httpx.Client` to the same receiver, one at a time.

Target: ours >= 0.5 of the floor. Not measured here: `serve` as a separate process
(the job is the same code the `events` timer runs)."""

from __future__ import annotations

import base64
import os
import statistics
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from core.clock import SystemClock
from core.config import load_config
from core.domain import Action
from core.event_settings import Webhook
from storage import migrate
from storage.db import Database
from tests.support.data import make_rec
from tests.support.live import free_port
from workflows.decisions import service as decisions
from workflows.decisions.service import DecisionRequest
from workflows.events import EventsJob, WebhookDeliverer, subscriptions
from workflows.events.signing import signed_headers
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch
from workflows.service import build_services

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = int(os.environ.get("SOPBOT_BENCH_WEBHOOK_DECISIONS", "10000"))
SECRET = "whsec_" + base64.b64encode(b"bench-secret-bench-secret-bench!").decode()
TARGET = 0.5
LATENCY_SAMPLE = 200


class Sink:
    """Receives, answers 204, remembers when each decision event arrived."""

    def __init__(self) -> None:
        self.port = free_port()
        self.arrivals: list[tuple[float, bytes]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sink.arrivals.append((time.time(), body))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


def run() -> None:
    sink = Sink()
    hook = Webhook(
        name="bench",
        url=sink.url,
        events=["decision.recorded"],
        secret_env="SOPBOT_WEBHOOK_SECRET_BENCH",
        allow_insecure_http=True,
    )
    config = load_config(ROOT / "core" / "data" / "demo.yml").model_copy(
        update={"webhooks": [hook]}
    )
    with tempfile.TemporaryDirectory() as tmp, httpx.Client() as client:
        database = Database(f"sqlite:///{tmp}/bench.db")
        migrate.upgrade(database)
        services = build_services(database=database, config=config, clock=SystemClock())
        subs = subscriptions([hook], {"SOPBOT_WEBHOOK_SECRET_BENCH": SECRET})
        context = {
            "database": database,
            "config": config,
            "calendars": services.calendars,
            "clock": services.clock,
        }
        deliverer = WebhookDeliverer(**context, subscriptions=subs, client=client)
        deliverer.ensure_cursors()
        job = EventsJob(**context, deliverer=deliverer)
        items = validate_batch(config=config, raw_items=[make_rec() for _ in range(DECISIONS)])
        ids = [r.id for r in ingest(services, items=items)]
        job.run_once()  # the received events go out before the clock starts
        sink.arrivals.clear()
        # Latency: the first LATENCY_SAMPLE decisions while the timer runs beside them.
        done = threading.Event()

        def events_timer() -> None:
            while not done.is_set():
                job.run_once()
                time.sleep(0.05)  # serve's timer; a decision kicks it at once there

        timer = threading.Thread(target=events_timer)
        timer.start()
        sample = ids[:LATENCY_SAMPLE]
        for rec_id in sample:
            decisions.decide(services, rec_id)
        while len(sink.arrivals) < len(sample):
            time.sleep(0.05)
        done.set()
        timer.join()
        latencies = [
            received - datetime.fromisoformat(_decided_at(body)).timestamp()
            for received, body in sink.arrivals
        ]
        # Throughput: the rest decided first, then one events job stamps and delivers.
        for rec_id in ids[LATENCY_SAMPLE:]:
            decisions.decide(services, rec_id)
        sink.arrivals.clear()
        job.run_once()
        arrivals = list(sink.arrivals)
        ours = (len(arrivals) - 1) / (arrivals[-1][0] - arrivals[0][0])
        bodies = [body for _at, body in arrivals]
        floors = []
        for _ in range(3):
            started = time.perf_counter()
            for i, body in enumerate(bodies):
                headers = signed_headers(
                    subs[0].keys, msg_id=f"evt_{i}", timestamp=int(time.time()), body=body
                )
                client.post(sink.url, content=body, headers=headers, timeout=10).raise_for_status()
            floors.append(len(bodies) / (time.perf_counter() - started))
        floor = statistics.median(floors)
        database.dispose()
    sink.server.shutdown()
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    ratio = ours / floor
    print(
        f"webhooks: {len(arrivals)} decisions delivered after the fact, {ours:.0f}/s; "
        f"bare signed POST loop {floor:.0f}/s; ratio {ratio:.2f} (target >= {TARGET}); "
        f"decision to receipt ({len(latencies)} decided live) "
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms",
        flush=True,
    )


def decide(services: Any, rec_id: int) -> None:
    decisions.decide(
        services,
        DecisionRequest(
            rec_id, "ana", Action.OVERRIDE, "api", reason_code="COST_TRADEOFF", value=1
        ),
    )


def _decided_at(body: bytes) -> str:
    marker = b'"decided_at":"'
    start = body.index(marker) + len(marker)
    return body[start : body.index(b'"', start)].decode()
