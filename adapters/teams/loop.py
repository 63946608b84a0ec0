"""A private asyncio loop on a background thread.

The `Chat` port is synchronous (the outbox worker calls it from its own thread) while
botbuilder is async; FastAPI's loop must never wait on a Teams call. So every
botbuilder coroutine runs here, and callers either block on the result (outbox) or
await it from their own loop (the HTTP route)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class LoopThread:
    def __init__(self, name: str = "teams-loop") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop, started on first use (tests and `serve` need no extra call)."""
        with self._lock:
            if self._loop is None or not self._loop.is_running():
                self._start()
            assert self._loop is not None
            return self._loop

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name=self._name, daemon=True)
        self._thread.start()
        ready.wait(timeout=10)
        self._loop = loop

    def in_loop_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float | None = 60) -> T:
        """Run `coro` on the private loop and block until it is done (never from the
        loop's own thread: that would wait for itself). On timeout the coroutine is
        cancelled: left running, a send the caller gave up on (and the outbox will
        retry) could still retry and post on its own, a second copy of the message."""
        if self.in_loop_thread():
            coro.close()
            raise RuntimeError("LoopThread.run called from its own loop thread")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    async def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await `coro` running on the private loop, from another event loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def stop(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=10)


class TurnsAfterAnswer:
    """Turns started on the loop after their HTTP answer was sent: a failure is logged
    (the activity is not marked handled, so the same click again is handled), and
    `wait_idle` lets a shutdown or a test wait for the ones still running."""

    def __init__(self, loop: LoopThread) -> None:
        self._loop = loop
        self._running: set[concurrent.futures.Future[Any]] = set()
        self._lock = threading.Lock()
        self._expected = 0  # turns answered and not started yet (being journaled)
        self._started = threading.Condition(self._lock)

    def expect(self) -> None:
        """A turn will be started soon (`start(..., expected=True)`): `wait_idle` waits
        for it too."""
        with self._lock:
            self._expected += 1

    def start(
        self,
        turn: Coroutine[Any, Any, Any],
        *,
        then: Callable[[bool], None] | None = None,
        expected: bool = False,
    ) -> None:
        """Run `turn`; `then(succeeded)` once it has ended (the journal's bookkeeping)."""
        future = asyncio.run_coroutine_threadsafe(turn, self._loop.loop)
        with self._lock:
            self._running.add(future)
            if expected:
                self._expected -= 1
                self._started.notify_all()
        if then is not None:
            future.add_done_callback(lambda f: then(not f.cancelled() and f.exception() is None))
        future.add_done_callback(self._done)

    def _done(self, future: concurrent.futures.Future[Any]) -> None:
        """The last callback of a turn (after its `then`): it is over."""
        with self._lock:
            self._running.discard(future)
            self._started.notify_all()
        if not future.cancelled() and future.exception() is not None:
            log.warning("a Teams turn failed after its HTTP answer: %r", future.exception())

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Until no turn is expected or running (their `then` included), or `timeout`."""
        with self._lock:
            return self._started.wait_for(
                lambda: self._expected <= 0 and not self._running, timeout
            )
