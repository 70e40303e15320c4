"""Work left by a run that must be done before the next run, but not before the reply.

The worker calls `tidy` after sending each reply, so the learner does not wait for it; every
run calls it first too, in case nobody did.
"""

from __future__ import annotations

from collections.abc import Callable

_chores: list[Callable[[], None]] = []


def later(chore: Callable[[], None]) -> None:
    """Do `chore` at the next `tidy`."""
    _chores.append(chore)


def tidy() -> None:
    """Do every chore left, in the order they were left."""
    while _chores:
        _chores.pop(0)()
