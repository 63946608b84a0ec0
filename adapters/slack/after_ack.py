"""The work a Slack request asks for, run after its ack on a bounded pool of our own.

Bolt runs listeners on its own pool (ten threads) and answers Slack only once a
listener has called `ack()`. When listeners also record the decision, update the
message and republish the Home tab, a burst of clicks fills that pool and later clicks
are not even started within Bolt's ack wait: Slack shows the planner an error. So
every listener acks at once and hands its work here; the pool is sized for the
database (a burst waits in the queue, it never turns into a refused click), and modals
have a lane of their own, because `views.open` must use the trigger_id within three
seconds of the click however long the queue of decisions is.

Acks come first in time as well: the work is CPU in the same interpreter (rendering,
the ORM, JSON), and on two cores it slows every request still being answered. So a
job waits while Slack requests are being answered, at most `YIELD_TO_ACKS` after its
own click: a burst is answered first and its work follows it, and under a steady
stream no job is later than that. Modals do not wait.

A click's work is also durable when a journal is given (adapters.slack.journal): it is
written to the database after the ack and before the work, and cleared when the work
is done, so a click acked by a process that then dies is done by the next one."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from adapters.slack.journal import Durable, Journal

log = logging.getLogger(__name__)

WORKERS = 2  # the work is mostly CPU under one GIL: more threads slow the acks, not the work
MODAL_WORKERS = 2
YIELD_TO_ACKS = 1.0  # seconds a job may wait for the requests in flight to be answered


class AfterAck:
    def __init__(
        self,
        *,
        workers: int = WORKERS,
        modal_workers: int = MODAL_WORKERS,
        journal: Journal | None = None,
    ) -> None:
        self.journal = journal
        self._work = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-work")
        self._modals = ThreadPoolExecutor(
            max_workers=modal_workers, thread_name_prefix="slack-modal"
        )
        self._unfinished = 0
        self._answering = 0
        self._changed = threading.Condition()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around the request path of one Slack request (until its answer is ready)."""
        with self._changed:
            self._answering += 1
        try:
            yield
        finally:
            with self._changed:
                self._answering -= 1
                if not self._answering:
                    self._changed.notify_all()

    def yield_to_acks(self, *, since: float) -> None:
        """Wait until no request is being answered, or `YIELD_TO_ACKS` after `since`
        (a monotonic instant: when the job was queued)."""
        deadline = since + YIELD_TO_ACKS
        with self._changed:
            while self._answering and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)

    def run(self, work: Callable[[], None], *, durable: Durable | None = None) -> None:
        """Queue `work` (already acked): a failure is logged, the clicker was answered.
        With `durable` (and a journal), the click is written to the journal first and
        cleared once `work` has finished without an error."""
        queued = time.monotonic()
        journal = self.journal
        if durable is None or journal is None:
            self._submit(self._work, work, queued=queued)
            return
        with self._changed:
            self._unfinished += 1  # from now: wait_idle covers the write as well

        def start() -> None:
            self._work.submit(self._logged, self.then_done(work, durable.key), queued)

        journal.write_durable(durable, start)

    def then_done(self, work: Callable[[], None], key: str) -> Callable[[], None]:
        """`work`, then its journal row cleared (left for a takeover when work fails,
        and no longer counted as this process's work in flight)."""

        def run() -> None:
            try:
                work()
            except BaseException:
                if self.journal is not None:
                    self.journal.release(key)
                raise
            if self.journal is not None:
                self.journal.done(key)

        return run

    def redo(self, work: Callable[[], None], key: str) -> None:
        """Queue work taken over from a process gone (its journal row is ours now)."""
        self._submit(self._work, self.then_done(work, key), queued=time.monotonic())

    def run_modal(self, work: Callable[[], None]) -> Future[None]:
        """Queue work that opens a modal, ahead of the queue of decisions."""
        return self._submit(self._modals, work, queued=None)

    def _submit(
        self, pool: ThreadPoolExecutor, work: Callable[[], None], *, queued: float | None
    ) -> Future[None]:
        with self._changed:
            self._unfinished += 1
        return pool.submit(self._logged, work, queued)

    def _logged(self, work: Callable[[], None], queued: float | None) -> None:
        try:
            if queued is not None:
                self.yield_to_acks(since=queued)
            work()
        except Exception:
            log.exception("Slack work after the ack failed")
        finally:
            with self._changed:
                self._unfinished -= 1
                self._changed.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until all the work queued so far is done (tests)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._unfinished == 0, timeout)

    def stop(self) -> None:
        """Finish what was acked before the process goes (a click answered 200 must
        still be recorded)."""
        if self.journal is not None:
            self.journal.stop()  # what was acked is written and queued first
        self._modals.shutdown(wait=True)
        self._work.shutdown(wait=True)
