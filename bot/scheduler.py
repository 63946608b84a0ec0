"""APScheduler as a local timer only: it runs short jobs; the database holds every fact,
so restarts lose nothing and replicas never share a job store."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)


class Ticker:
    def __init__(self) -> None:
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            timezone=UTC,
        )

    def every(self, name: str, seconds: float, job: Callable[[], object]) -> None:
        def guarded() -> None:
            try:
                job()
            except Exception:  # a failing tick must not kill the timer
                log.exception("job %s failed", name)

        self._scheduler.add_job(
            guarded,
            "interval",
            seconds=seconds,
            id=name,
            name=name,
            next_run_time=datetime.now(UTC),
        )

    def run_now(self, name: str) -> None:
        """Pull a job's next run to now (e.g. deliver a decision's update at once)."""
        job = self._scheduler.get_job(name)
        if job is not None and self._scheduler.running:
            job.modify(next_run_time=datetime.now(UTC))

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
