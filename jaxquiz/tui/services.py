"""What the screens work with: the engine, the store, the clock and the scheduler, built once."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from jaxquiz.engine import Engine
from jaxquiz.store import Store
from jaxquiz.study.grading import Grader
from jaxquiz.study.scheduler import Scheduler

Clock = Callable[[], datetime]


@dataclass
class Services:
    """Handed to every screen; tests build it with a frozen clock and a fixed seed."""

    engine: Engine
    store: Store
    clock: Clock
    rng: random.Random = field(default_factory=random.Random)
    scheduler: Scheduler = field(init=False)
    grader: Grader = field(init=False)

    def __post_init__(self) -> None:
        self.scheduler = Scheduler(self.clock)
        self.grader = Grader(self.engine)

    def now(self) -> datetime:
        return self.scheduler.now()
