"""Work left by a run that must be done before the next run, but not before the reply.

The worker calls `tidy_within` after sending each reply, so the learner does not wait for it;
every run calls `tidy` first too, in case nobody did.
"""

from __future__ import annotations

import signal
import traceback
from collections.abc import Callable

_chores: list[Callable[[], None]] = []


class Overdue(BaseException):
    """Raised into a chore that takes too long (a BaseException: `except Exception` lets it by)."""


def later(chore: Callable[[], None]) -> None:
    """Do `chore` at the next `tidy`."""
    _chores.append(chore)


def tidy() -> None:
    """Do every chore left, in the order they were left."""
    while _chores:
        _chores.pop(0)()


def tidy_within(seconds: float) -> bool:
    """Tidy, interrupting a chore still running after `seconds`; whether all went well.

    Freeing what a run left may call its code (a `__del__`), which may hang or raise. Python
    ignores an exception raised inside `__del__`, so being interrupted is remembered apart.
    Failures are written to stderr: between runs, that is the worker's log.
    """
    overdue = finished = False

    def interrupt(signum: int, frame: object) -> None:
        nonlocal overdue
        if finished:  # fired on the way out: nothing left to interrupt
            return
        overdue = True
        raise Overdue(f"tidying took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds, seconds)  # again and again, until it gives in
    try:
        tidy()
        finished = True
    except BaseException:
        traceback.print_exc()
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return not overdue
