"""The engine as its callers see it: the few blocking calls the audit, the export and the
grader make, as a protocol, so that a test's fake engine is as good a type as the real one.

`jaxquiz.engine.Engine` (one worker pool per device count) is the implementation.
"""

from __future__ import annotations

from typing import Protocol

from jaxquiz.engine.pool import Prepared
from jaxquiz.engine.protocol import Exploration, Task, Verdict


class Engine(Protocol):
    """Runs questions and grades answers; every call blocks, and raises EngineError only when
    the engine cannot run the request at all (a failed execution is a result)."""

    def prepare(self, task: Task) -> Prepared:
        """Execute the question now, so that grading it later only compares."""
        ...

    def grade(self, task: Task, answer: str, prepared: Prepared | None = None) -> Verdict:
        """Grade an answer as typed; runs the question first if it was not prepared."""
        ...

    def forget(self, *prepared: Prepared) -> None:
        """Let the worker drop truths it no longer needs."""
        ...

    def explore(
        self,
        code: str,
        setup: str | None = None,
        answer: str | None = None,
        timeout: float = 10.0,
        devices: int | None = None,
    ) -> Exploration:
        """Run code in a fresh sandbox; describe what it left behind."""
        ...
