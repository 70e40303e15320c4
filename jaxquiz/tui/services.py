"""What the screens work with: the engine, the store, the clock and the scheduler, built once."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from jaxquiz.study.scheduler import Scheduler

if TYPE_CHECKING:
    from jaxquiz.engine import Engine
    from jaxquiz.store import Store
    from jaxquiz.study.grading import Grader

Clock = Callable[[], datetime]


@dataclass
class Services:
    """Handed to every screen; tests build it with a frozen clock and a fixed seed."""

    engine: Engine
    store: Store
    clock: Clock
    rng: random.Random = field(default_factory=random.Random)
    scheduler: Scheduler = field(init=False)
    _grader: Grader | None = field(init=False, default=None, repr=False)
    _grader_lock: threading.Lock = field(init=False, default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.scheduler = Scheduler(self.clock)

    @property
    def grader(self) -> Grader:
        """Built on first use (grading brings in the deck models, which the deck list does without);
        one for the app, whichever thread asks first."""
        with self._grader_lock:
            if self._grader is None:
                from jaxquiz.study.grading import Grader

                self._grader = Grader(self.engine)
            return self._grader

    def now(self) -> datetime:
        return self.scheduler.now()
