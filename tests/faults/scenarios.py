"""The two crash scenarios, each run against a real `sopbot serve` subprocess with the
fake Slack Web API, returning the counts; the tests assert on them and
`python -m bench faults` prints them (with more items).

- `sigkill`: SIGKILL while an ingestion batch is in flight, restart; then SIGKILL
  while the outbox is delivering, restart.
- `database_restart`: the PostgreSQL server stopped and started again while batches
  are being ingested and the outbox is delivering; `sopbot serve` keeps running.

Nothing is done by hand after a fault: the client only retries what was not
acknowledged, and the service must reconnect and deliver by itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.slack_api import FakeSlackApi
from tests.faults.crashes import Feeder, Serve, count, held_copies, pending, wait_until
from tests.faults.storms import Counts

SEND_DELAY = 0.02  # seconds the fake Slack takes per message: delivery lasts a while


@dataclass
class Result:
    counts: Counts
    crashes: int  # SIGKILLs or database restarts
    during_ingestion: bool  # the first fault cut off an outstanding POST
    during_delivery: bool  # a fault came while messages were still undelivered
    all_delivered: bool  # every acknowledged item reached Slack without a manual step
    feeder: Feeder

    def line(self) -> str:
        return (
            f"{self.counts.line()}; {self.crashes} crash(es), POST cut off: "
            f"{self.during_ingestion}, during delivery: {self.during_delivery}, "
            f"retried batches already stored: {self.feeder.already}, "
            f"answers refused {self.feeder.refused} / not answered "
            f"{self.feeder.unreachable}"
        )


def _cut_off_a_post(feeder: Feeder, fault: Callable[[], None]) -> bool:
    """Let the paused feeder send its next batch and fault a moment after the POST went
    out (the batch is then being read, validated or stored); True if it was still
    outstanding at the fault. Where exactly it lands varies from run to run: before
    the commit (not acknowledged: the client sends it again) or after it (stored, the
    answer lost: the retry comes back 200, all duplicates)."""
    assert feeder.paused.wait(timeout=60), "the feeder did not reach its pause"
    feeder.resume.set()
    feeder.in_flight.wait(timeout=30)
    time.sleep(0.005)
    outstanding = feeder.in_flight.is_set()
    fault()
    return outstanding


def _settle(url: str, feeder: Feeder, slack: FakeSlackApi, timeout: float) -> bool:
    def delivered() -> bool:
        return set(feeder.acknowledged) <= set(held_copies(slack)) and pending(url) == 0

    return wait_until(delivered, timeout=timeout, step=0.25)


def sigkill(
    url: str, directory: Path, *, batches: int = 6, size: int = 25, timeout: float = 60.0
) -> Result:
    with FakeSlackApi() as slack:
        slack.slow_down("chat.postMessage", SEND_DELAY)
        serve = Serve(url=url, slack=slack, directory=directory).start()
        try:
            feeder = Feeder(serve.base, batches, size, pause_before=2).start()

            def kill_and_restart() -> None:
                serve.kill()
                serve.start()

            cut = _cut_off_a_post(feeder, kill_and_restart)
            feeder.join(timeout)
            half = len(feeder.acknowledged) // 2
            wait_until(lambda: len(held_copies(slack)) >= half, timeout=timeout)
            undelivered = pending(url) > 0
            kill_and_restart()
            settled = _settle(url, feeder, slack, timeout)
        finally:
            serve.stop()
        return Result(
            count(url, feeder, slack),
            crashes=serve.kills,
            during_ingestion=cut,
            during_delivery=undelivered,
            all_delivered=settled,
            feeder=feeder,
        )


def database_restart(
    url: str,
    directory: Path,
    restart: Callable[[], None],
    *,
    batches: int = 6,
    size: int = 25,
    timeout: float = 60.0,
) -> Result:
    """`restart()` stops the PostgreSQL server behind `url` and starts it again."""
    with FakeSlackApi() as slack:
        slack.slow_down("chat.postMessage", SEND_DELAY)
        serve = Serve(url=url, slack=slack, directory=directory).start()
        undelivered = False
        try:
            feeder = Feeder(serve.base, batches, size, pause_before=2).start()

            def fault() -> None:
                nonlocal undelivered
                undelivered = pending(url) > 0
                restart()

            # Deliveries under way and batches still coming: restart during the next POST.
            wait_until(lambda: len(held_copies(slack)) > 0, timeout=timeout)
            cut = _cut_off_a_post(feeder, fault)
            feeder.join(timeout)
            settled = _settle(url, feeder, slack, timeout)
        finally:
            serve.stop()
        return Result(
            count(url, feeder, slack),
            crashes=1,
            during_ingestion=cut,
            during_delivery=undelivered,
            all_delivered=settled,
            feeder=feeder,
        )
