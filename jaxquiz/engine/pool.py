"""The engine: a warm worker and a warm spare, so that no verdict waits on `import jax`.

A timeout or crash kills the worker; the spare takes over at once and a new spare warms in the
background. Every public method blocks: the TUI calls them from a thread worker.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jaxquiz.engine import compile_cache
from jaxquiz.engine.process import WORKER_COMMAND, WorkerFailed, WorkerProcess
from jaxquiz.engine.protocol import (
    EXIT_UNTIDY,
    Answer,
    Exploration,
    Explore,
    Forget,
    Grade,
    InternalFailure,
    NotPrepared,
    Outcome,
    Prepare,
    Ready,
    Task,
    Verdict,
)
from jaxquiz.errors import EngineError

MEMORY_LIMIT_ENV = "JAXQUIZ_MEMORY_LIMIT_MB"
START_TIMEOUT = 180.0  # importing jax on a slow, busy machine
STOPPED = "stopped: the run was stopped before it finished"
GRACE = 0.5  # seconds on top of a question's timeout for encoding and the round trip


def default_memory_limit() -> int:
    """Bytes one worker may allocate: JAXQUIZ_MEMORY_LIMIT_MB, else a quarter of the RAM (0: none)."""
    override = os.environ.get(MEMORY_LIMIT_ENV)
    if override is not None:
        return int(float(override) * 2**20)
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4
    except (ValueError, OSError):
        return 0


@dataclass(frozen=True)
class Prepared:
    """A question executed ahead of the answer: grade with its token."""

    token: str
    task: Task
    outcome: Outcome


class Engine:
    """Runs questions in a sandboxed worker process; thread-safe, one request at a time."""

    def __init__(
        self,
        *,
        memory_limit: int | None = None,
        spare: bool = True,
        compile_cache: Path | None = None,
        devices: int | None = None,
        worker_command: Sequence[str] = WORKER_COMMAND,
    ) -> None:
        self.worker_command = worker_command  # tests start a fake worker (no JAX) instead
        self.devices = devices  # None: the machine's default devices; else that many (jaxquiz.engine.devices)
        self.memory_limit = default_memory_limit() if memory_limit is None else memory_limit
        self.compile_cache = compile_cache
        self._want_spare = spare
        self._lock = threading.Lock()
        self._current: WorkerProcess | None = None
        self._spare: WorkerProcess | None = None
        self._failed: dict[str, Outcome] = {}  # truths that timed out or crashed, by token
        self._closed = False
        self.replacements = 0
        self._pruning: threading.Thread | None = None  # the compile cache's, started once
        # Try-it runs go to a worker of their own, started on first use: one that loops never
        # keeps a verdict waiting, and stopping it kills that worker only.
        self._explore_lock = threading.Lock()
        self._explorer: WorkerProcess | None = None
        self._explore_stopped = False

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> Engine:
        """Start the worker without waiting for it to import jax; the spare starts once the
        worker is ready (two imports of jax at once would delay the first verdict on 2 cores)."""
        if self._closed:
            raise EngineError("the engine was closed", fix="create a new Engine")
        if self._current is None:
            self._prune_compile_cache()
            self._current = self._new_worker()
        if self._want_spare and self._spare is None and self._current.ready is not None:
            self._spare = self._new_worker()
        return self

    def _prune_compile_cache(self) -> None:
        """Keep the compile cache within its size, once per engine; in a thread of its own, as
        scanning thousands of files is not for the thread that draws the app."""
        if self.compile_cache is None or self._pruning is not None:
            return
        self._pruning = threading.Thread(
            target=compile_cache.prune, args=(self.compile_cache,), name="prune-compile-cache", daemon=True
        )
        self._pruning.start()

    def _new_worker(self) -> WorkerProcess:
        return WorkerProcess(self.memory_limit, self.compile_cache, self.devices, self.worker_command)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> Ready:
        """Block until the current worker can take requests; its device and jax version."""
        with self._lock:
            return self._worker(timeout).ready  # type: ignore[return-value]

    @property
    def is_ready(self) -> bool:
        return self._current is not None and self._current.ready is not None

    def close(self) -> None:
        """Stop both workers; a request still waiting gets a failure, and nothing restarts."""
        self._closed = True
        for worker in (self._current, self._spare, self._explorer):
            if worker is not None:
                worker.stop()
        self._current = self._spare = self._explorer = None

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests -----------------------------------------------------------------------------

    def prepare(self, task: Task) -> Prepared:
        """Execute the question now, so that grading it later only compares."""
        token = uuid.uuid4().hex
        outcome = self._call(Prepare(token, task), task.timeout, _puzzle_runs(task, learner=False), task)
        if outcome.status != "ok":
            self._failed[token] = outcome
        return Prepared(token, task, outcome)

    def grade(self, task: Task, answer: str, prepared: Prepared | None = None) -> Verdict:
        """Grade an answer as typed; runs the question first if it was not prepared.

        With `prepared`, a run that times out, crashes or runs out of memory is known to be the
        learner's (their fill, or the expression they typed), and the verdict keeps the truth.
        When the question's own code failed while being prepared, the question is at fault:
        the verdict is a question-error. Without `prepared`, one request runs both, and a
        failure cannot be told apart: it is reported with the truth unknown.
        """
        token = prepared.token if prepared else uuid.uuid4().hex
        failed = self._failed.get(token)
        if failed is not None:  # never wait on a timeout twice
            return Verdict(
                status="question-error",
                correct=False,
                answer=answer,
                truth=failed,
                error=f"the question's own code did not run to the end ({failed.error})",
            )
        # The executions the answer makes (a puzzle runs a function many times, each within the
        # timeout), and those the question's own code makes first when the worker does not hold
        # its truth (not prepared, or prepared by a worker since replaced).
        runs = _puzzle_runs(task, learner=True)
        unprepared = int(task.type == "fill")
        if task.puzzle is not None:
            unprepared = _puzzle_runs(task, learner=False)
        start = time.perf_counter()
        # The worker that prepared the question holds its task: the request leaves it out (and
        # the verdict its truth), so that what both sides read before a verdict stays small.
        held = prepared is not None and (prepared.task is task or prepared.task == task)
        verdict = self._call(
            Grade(token, None if held else task, answer),
            task.timeout,
            runs + (0 if held else unprepared),
            task,
        )
        if isinstance(verdict, NotPrepared):  # that worker was replaced since
            verdict = self._call(Grade(token, task, answer), task.timeout, runs + unprepared, task)
        truth_missing = held or verdict.truth.status != "ok"  # left out, or the learner's run failed
        if prepared is not None and prepared.outcome.status == "ok" and truth_missing:
            verdict = replace(verdict, truth=prepared.outcome)
        total_ms = (time.perf_counter() - start) * 1000
        return replace(verdict, timings=replace(verdict.timings, total_ms=total_ms))

    def forget(self, *prepared: Prepared) -> None:
        """Let the worker drop truths it no longer needs."""
        tokens = tuple(p.token for p in prepared)
        for token in tokens:
            self._failed.pop(token, None)
        if self._current is not None and self._current.ready is not None:
            self._call(Forget(tokens), 5.0)

    def explore(
        self, code: str, setup: str | None = None, answer: str | None = None, timeout: float = 10.0
    ) -> Exploration:
        """Run code in a fresh sandbox, on the try-it worker; describe what it left behind.

        `stop_explore()`, from another thread, ends the run at once.
        """
        request = Explore(code, setup, answer, timeout)
        with self._explore_lock:
            self._explore_stopped = False
            try:
                worker = self._explore_worker()
                reply = worker.request(request, timeout + GRACE)
            except WorkerFailed as failure:
                self._drop_explorer()
                if self._explore_stopped:
                    return Exploration(outcome=Outcome(status="timeout", error=STOPPED))
                return _failed_result(request, failure.status, _failure_text(failure, timeout))
            if isinstance(reply, InternalFailure):
                raise EngineError(f"internal error in the worker:\n{reply.traceback}")
            if reply.recycle or worker.suspect:
                self._drop_explorer()
            return reply.result  # type: ignore[return-value]  # checked against REPLY_TYPES

    @property
    def exploring(self) -> bool:
        """Whether a try-it run is in progress."""
        return self._explore_lock.locked()

    def stop_explore(self) -> bool:
        """Stop the try-it run in progress, if any (its worker is killed; grading is untouched)."""
        worker = self._explorer
        if worker is None or not self._explore_lock.locked():
            return False
        self._explore_stopped = True
        worker.kill_group()  # the waiting explore() sees the worker gone and tidies up
        return True

    def warm_explorer(self) -> None:
        """Start the try-it worker now, so that the first run does not wait for `import jax`."""
        with self._explore_lock:
            if self._explorer is None and not self._closed:
                self._explorer = self._new_worker()

    def _explore_worker(self) -> WorkerProcess:
        if self._closed:
            raise EngineError("the engine was closed", fix="create a new Engine")
        if (
            self._explorer is not None
            and self._explorer.ready is not None
            and not self._explorer.fit_for_use()
        ):
            self._drop_explorer()
        if self._explorer is None:
            self._explorer = self._new_worker()
        self._explorer.wait_ready(START_TIMEOUT)
        return self._explorer

    def _drop_explorer(self) -> None:
        if self._explorer is not None:
            self._explorer.kill()
        self._explorer = None

    # -- machinery ----------------------------------------------------------------------------

    def _worker(self, timeout: float = START_TIMEOUT) -> WorkerProcess:
        self.start()
        assert self._current is not None
        if self._current.ready is not None and not self._current.fit_for_use():
            self._replace()  # died while idle, or holds a message nobody asked for
        if self._current.ready is None and not self._current.alive():
            self._replace()  # died before it was ever used (a spare killed while warming)
        try:
            self._current.wait_ready(timeout)
        except WorkerFailed as failure:
            self._replace()
            raise EngineError(
                f"the JAX worker could not start: {failure.description}",
                fix="check that jax imports in this Python (python -c 'import jax'), and that "
                f"{MEMORY_LIMIT_ENV}, if set, leaves room for it (it is in MiB)",
            ) from None
        self.start()  # the worker is ready: its spare may warm now
        return self._current

    def _call(self, request: Any, timeout: float, runs: int = 1, task: Task | None = None) -> Any:
        """Send a request whose code may run `runs` times: it gets `timeout` seconds for each."""
        with self._lock:
            try:
                reply = self._request(request, timeout * runs + GRACE)
            except WorkerFailed as failure:
                self._replace()
                return _failed_result(request, failure.status, _failure_text(failure, timeout, runs, task))
            if isinstance(reply, InternalFailure):
                raise EngineError(f"internal error in the worker:\n{reply.traceback}")
            if reply.recycle or (self._current is not None and self._current.suspect):
                self._replace()
            return reply.result

    def _request(self, request: Any, budget: float) -> Answer | InternalFailure:
        """Send to the current worker. One that exited because tidying up after its last reply
        failed never read the request: the spare gets it instead."""
        worker = self._worker()
        try:
            return worker.request(request, budget)
        except WorkerFailed:
            if worker.exit_status() != EXIT_UNTIDY:
                raise
        self._replace()
        return self._worker().request(request, budget)

    def _replace(self) -> None:
        """Kill the current worker; the spare takes over and a new spare starts warming."""
        if self._current is not None:
            self._current.kill()
        if self._closed:
            return
        self.replacements += 1
        spare, self._spare = self._spare, None
        if spare is not None and not spare.alive():
            spare.kill()  # a dead spare is never handed a question
            spare = None
        self._current = spare
        self.start()
        if self._want_spare and self._spare is None:
            # After a failure the next may follow: a spare warms now, whatever the state of the
            # worker that took over.
            self._spare = self._new_worker()


def _puzzle_runs(task: Task, *, learner: bool) -> int:
    """A puzzle's `timeout` is for each execution of a function (one draw under one check): the
    worker's watchdog answers when one runs past it, and the request as a whole gets it once
    per execution it may make (so that a worker that stops answering is still given up on)."""
    if task.puzzle is None:
        return 1
    from jaxquiz.engine import puzzle_plan  # the draws it counts are not needed to start the app

    return puzzle_plan.executions(task.puzzle, learner=learner)


def _failure_text(failure: WorkerFailed, timeout: float, runs: int = 1, task: Task | None = None) -> str:
    if failure.status == "timeout" and task is not None and task.puzzle is not None:
        # The worker's watchdog answers for one execution past its limit; this is the last
        # resort, when the worker stopped answering altogether.
        return (
            f"timed out: the worker gave no answer within {timeout * runs + GRACE:g} s "
            f"({runs} executions of at most {timeout:g} s each), so it was stopped"
        )
    if failure.status == "timeout":
        return f"timed out: the code did not finish within {timeout:g} s, so it was stopped"
    if failure.status == "out-of-memory":
        return failure.description
    return f"crashed: {failure.description}"


def _failed_result(request: Any, status: str, text: str) -> Any:
    outcome = Outcome(status=status, error=text)  # type: ignore[arg-type]
    if isinstance(request, Prepare):
        return outcome
    if isinstance(request, Grade):
        return Verdict(status=status, correct=False, answer=request.answer, truth=outcome, error=text)  # type: ignore[arg-type]
    if isinstance(request, Explore):
        return Exploration(outcome=outcome)
    return None
