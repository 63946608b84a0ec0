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
from collections.abc import Coroutine
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

    def start(self, turn: Coroutine[Any, Any, Any]) -> None:
        future = asyncio.run_coroutine_threadsafe(turn, self._loop.loop)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.warning("a Teams turn failed after its HTTP answer: %r", future.exception())

    def wait_idle(self, timeout: float = 60.0) -> bool:
        with self._lock:
            running = list(self._running)
        _done, not_done = concurrent.futures.wait(running, timeout=timeout)
        return not not_done
