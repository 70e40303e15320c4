"""Time limits on single executions inside the worker, kept by a thread of their own.

A function stuck inside XLA (a `while_loop` whose condition never turns false) holds the main
thread in C code, where neither a signal handler nor an exception reaches it. That code releases
the GIL, so this thread still runs: when an execution is past its limit, it is the one that
answers for the request (and the engine then replaces the worker, whose main thread is lost).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Watchdog:
    """Watches one execution at a time; started before any question code runs, so that the
    state guard counts its thread as the worker's own."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._armed: tuple[float, Callable[[], object]] | None = None  # deadline, what to do then
        threading.Thread(target=self._watch, name="jaxquiz-watchdog", daemon=True).start()

    @contextmanager
    def limit(self, seconds: float, overrun: Callable[[], object]) -> Iterator[None]:
        """Run the body within `seconds`; past them, `overrun()` is called from the watchdog's
        thread while the body is still running (it answers for the request; it need not return)."""
        with self._changed:
            self._armed = (time.monotonic() + seconds, overrun)
            self._changed.notify()
        try:
            yield
        finally:
            with self._changed:
                self._armed = None

    def _watch(self) -> None:
        while True:
            with self._changed:
                if self._armed is None:
                    self._changed.wait()
                    continue
                deadline, overrun = self._armed
                left = deadline - time.monotonic()
                if left > 0:
                    self._changed.wait(left)  # woken early when disarmed or armed again
                    continue
                self._armed = None
            overrun()
