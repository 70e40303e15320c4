"""The worker's request handlers: prepare a truth, grade an answer, explore code."""

from __future__ import annotations

import os
import resource
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, assert_never

import jax
import jax.numpy as jnp

from jaxquiz.blanks import fill_blank
from jaxquiz.engine.answers import UnreadableAnswer
from jaxquiz.engine.protocol import (
    Exploration,
    Explore,
    Forget,
    Grade,
    NotPrepared,
    Outcome,
    Prepare,
    Result,
    Task,
    Timings,
    Verdict,
)
from jaxquiz.engine.worker import compare, describe, puzzle, sandbox
from jaxquiz.engine.worker.compare import Comparison, QuestionError
from jaxquiz.engine.worker.watchdog import Watchdog

PREPARED_KEPT = 64
OVERRUN = "an execution ran past its time limit (its thread may still be running)"


@dataclass(frozen=True)
class Truth:
    """A question executed ahead of its answer: the run, its description, and the task."""

    run: sandbox.Run
    outcome: Outcome
    task: Task


@dataclass(frozen=True)
class Reply:
    """A result, and whether this worker should be replaced after sending it."""

    result: Result
    recycle: str | None = None


def is_out_of_memory(error: BaseException | None) -> bool:
    if isinstance(error, MemoryError):
        return True
    return isinstance(error, jax.errors.JaxRuntimeError) and "RESOURCE_EXHAUSTED" in str(error)


class Service:
    def __init__(
        self, memory_limit: int | None, answer_now: Callable[[Result, str, object], object] | None = None
    ) -> None:
        self.device = describe.device_name()
        self.memory_limit = memory_limit
        # token -> the truth's run, its description (describing an array is not free) and task
        self.prepared: OrderedDict[str, Truth] = OrderedDict()
        # Answering a request still in progress from another thread (with why this worker must
        # be replaced, and which request it was); None in-process: puzzles then run without
        # per-execution limits.
        self.answer_now = answer_now
        self.watchdog = Watchdog() if answer_now is not None else None
        self.request: Any = None

    def handle(self, request: Any) -> Reply:
        self.request = request
        if isinstance(request, Prepare):
            truth = self._truth(request.token, request.task)
            return Reply(truth.outcome, self._recycle(truth.run))
        if isinstance(request, Grade):
            return self._grade(request)
        if isinstance(request, Explore):
            return self._explore(request)
        if isinstance(request, Forget):
            for token in request.tokens:
                self.prepared.pop(token, None)
            return Reply(None)
        raise TypeError(f"unknown request {type(request).__name__}")

    # -- helpers ----------------------------------------------------------------------------

    def _truth(self, token: str, task: Task) -> Truth:
        truth = self.prepared.get(token)
        if truth is None and task.type == "puzzle":
            # run.value: the reference and its results on every draw
            run = puzzle.prepare(task, self._limit(task, self._reference_overran))
            run.namespace = {}
            outcome = self._outcome(run) if run.exception else Outcome(device=self.device)
            truth = self.prepared[token] = Truth(run, outcome, task)
            while len(self.prepared) > PREPARED_KEPT:
                self.prepared.popitem(last=False)
        if truth is None:
            code = (
                fill_blank(task.code, task.solution or "", block=task.input == "block")
                if (task.type == "fill")
                else task.code
            )
            run = sandbox.execute(code, task.setup, task.answer, lenient=task.type in ("raises", "card"))
            outcome = self._outcome(run)
            if task.type == "value" and run.exception is None:
                run.value = compare.on_host(run.value)  # off the verdict's path
            if task.type == "card" and _left_out_unbound(run, task.answer):
                outcome = replace(outcome, type_name="what the code bound", preview=_bound_names(run))
            run.namespace = {}  # the result is kept; the rest of the namespace is not needed
            truth = self.prepared[token] = Truth(run, outcome, task)
            while len(self.prepared) > PREPARED_KEPT:
                self.prepared.popitem(last=False)
        self.prepared.move_to_end(token)
        return truth

    def _limit(self, task: Task, result_of: Callable[[str], Result]) -> puzzle.Limit | None:
        """Each execution of a puzzle within the task's timeout: past it, the request is answered
        with `result_of(what did not finish)` while the execution still runs."""
        if self.answer_now is None or self.watchdog is None:
            return None
        answer_now, request = self.answer_now, self.request
        return puzzle.Limit(
            task.timeout, self.watchdog, lambda text: answer_now(result_of(text), OVERRUN, request)
        )

    def _reference_overran(self, text: str) -> Result:
        """The reference ran past its limit: the question's own code timed out."""
        outcome = Outcome(status="timeout", error=f"timed out: {text}", device=self.device)
        if isinstance(self.request, Grade):  # a grade that had to run the reference first
            return Verdict(
                status="timeout",
                correct=False,
                answer=self.request.answer,
                truth=outcome,
                error=outcome.error,
            )
        return outcome

    def _outcome(self, run: sandbox.Run, *, with_preview: bool = True) -> Outcome:
        outcome = describe.outcome_of(run, self.device, with_preview=with_preview)
        if is_out_of_memory(run.exception):
            limit = f" (the limit is {self.memory_limit / 2**30:.1f} GiB)" if self.memory_limit else ""
            return Outcome(
                status="out-of-memory",
                error=f"out of memory: the code tried to allocate more than the worker may use{limit}",
                output=outcome.output,
                device=self.device,
            )
        if isinstance(run.exception, SystemExit):
            return Outcome(
                exception="SystemExit",
                error=f"the code called exit({describe.preview(run.exception.code)})",
                traceback=run.traceback,
                output=outcome.output,
                device=self.device,
            )
        return outcome

    def _recycle(self, *runs: sandbox.Run) -> str | None:
        for run in runs:
            if run.tainted:
                return run.tainted
            if is_out_of_memory(run.exception):
                return "it ran out of memory"
        if self.memory_limit and _resident_above(self.memory_limit * 0.6):
            return "its memory use grew past 60% of the limit"
        return None

    # -- grading ----------------------------------------------------------------------------

    def _grade(self, request: Grade) -> Reply:
        start = time.perf_counter()
        task = request.task
        if task is None:  # the task prepared under this token
            kept = self.prepared.get(request.token)
            if kept is None:
                return Reply(NotPrepared())
            task = kept.task
        was_prepared = request.token in self.prepared
        prepared = self._truth(request.token, task)
        truth_run, truth = prepared.run, prepared.outcome
        runs = [truth_run]
        execute_ms = 0.0 if was_prepared else truth_run.elapsed_ms
        # Sent without its task, the grade is of a question the app prepared: the app holds the
        # truth, which is left out of the reply.
        shown = truth if request.task is not None else Outcome()
        make = partial(Verdict, answer=request.answer, truth=shown)
        if truth.status != "ok":
            verdict = make(status=truth.status, correct=False, error=truth.error)
        elif truth.raised and task.type != "raises":
            verdict = make(
                status="question-error",
                correct=False,
                error=f"the question's own code raised {truth.exception}: {truth.error}",
                traceback=truth.traceback,
            )
        else:
            try:
                if task.type == "puzzle":
                    overran = partial(_timed_out, make)
                    graded = puzzle.grade(task, truth_run.value, request.answer, self._limit(task, overran))
                    runs += graded.runs
                    execute_ms += sum(run.elapsed_ms for run in graded.runs)
                    verdict = self._puzzle_verdict(truth_run.value, graded, make)
                elif task.type == "fill":
                    learner_run = sandbox.execute(
                        fill_blank(task.code, request.answer, block=task.input == "block"),
                        task.setup,
                        task.answer,
                    )
                    runs.append(learner_run)
                    execute_ms += learner_run.elapsed_ms
                    verdict = self._fill_verdict(task, truth_run, learner_run, make, request.answer)
                else:
                    comparison = self._compare(task, truth_run, request.answer)
                    verdict = make(
                        status="graded",
                        correct=comparison.correct,
                        understood=comparison.understood,
                        difference=comparison.difference,
                        note=comparison.note,
                    )
            except UnreadableAnswer as error:
                verdict = make(status="unreadable", correct=False, error=str(error))
            except QuestionError as error:
                verdict = make(status="question-error", correct=False, error=str(error))
        total_ms = (time.perf_counter() - start) * 1000
        timings = Timings(execute_ms=execute_ms, compare_ms=max(total_ms - execute_ms, 0.0))
        return Reply(replace(verdict, timings=timings), self._recycle(*runs))

    def _compare(self, task: Task, run: sandbox.Run, text: str) -> Comparison:
        match task.type:
            case "raises":
                return compare.compare_raises(run.exception, text, task.exception)
            case "shape":
                return compare.compare_shape(run.value, text)
            case "dtype":
                return compare.compare_dtype(run.value, text)
            case "value":
                return compare.compare_value(run.value, text, task.rtol, task.atol)
            case "fill" | "puzzle" | "choice" | "card":
                # fill and puzzle run the learner's code (above); choice and card are not executed
                raise QuestionError(f"a {task.type} question is not graded by comparing a typed answer")
            case _:
                assert_never(task.type)

    def _fill_verdict(
        self,
        task: Task,
        truth_run: sandbox.Run,
        learner_run: sandbox.Run,
        make: Callable[..., Verdict],
        answer: str,
    ) -> Verdict:
        learner = self._outcome(learner_run, with_preview=False)  # its value is compared, not shown
        make = partial(make, understood=answer.strip(), output=learner.output)
        if learner.status != "ok":
            return make(status=learner.status, correct=False, error=learner.error)
        prefix = _prefix_forgotten(learner_run.exception, truth_run.exception)
        if prefix is not None:  # a slip of the namespace, not of the idea: typed again
            return make(status="unreadable", correct=False, error=prefix)
        if learner.raised:
            return make(
                status="graded",
                correct=False,
                difference=f"with your answer the code raises {learner.exception}",
                error=learner.error,
                traceback=learner.traceback,
            )
        if task.compare == "shape":
            comparison = compare.compare_shapes_of(truth_run.value, learner_run.value)
        else:
            comparison = compare.compare_results(
                truth_run.value, learner_run.value, task.rtol, task.atol, sides=compare.FILLED
            )
        note = ""
        if comparison.correct and task.compare != "shape":
            note = compare.dtype_note(truth_run.value, learner_run.value)
        return make(status="graded", correct=comparison.correct, difference=comparison.difference, note=note)

    def _puzzle_verdict(
        self, reference: puzzle.Reference, graded: puzzle.Graded, make: Callable[..., Verdict]
    ) -> Verdict:
        make = partial(make, status="graded", output=graded.output, note=graded.note)
        if graded.error is not None:  # the answer never got to a draw
            return make(correct=False, error=graded.error, traceback=graded.traceback)
        failure = graded.failure
        if failure is None:
            return make(correct=True)
        error = failure.error
        return make(
            correct=False,
            difference=puzzle.describe_failure(reference, failure),
            error=None if error is None else f"{type(error).__name__}: {sandbox.first_lines(str(error))}",
            traceback=None if error is None else sandbox.own_traceback(error),
        )

    # -- explore ----------------------------------------------------------------------------

    def _explore(self, request: Explore) -> Reply:
        run = sandbox.execute(request.code, request.setup, request.answer or None, lenient=True)
        outcome = self._outcome(run)
        answered = request.answer and not _left_out_unbound(run, request.answer)
        answer = outcome if answered and not run.exception else None
        result = Exploration(
            bindings=describe.bindings(run.namespace),
            answer=answer,
            outcome=outcome,
            timings=Timings(execute_ms=run.elapsed_ms),
        )
        return Reply(result, self._recycle(run))


def _prefix_forgotten(raised: BaseException | None, truth_raised: BaseException | None) -> str | None:
    """Why a fill's answer is sent back when it names one of the prelude's functions or dtypes
    without its module (`int32` for `jnp.int32`); None for any other outcome."""
    if type(raised) is not NameError or truth_raised is not None:
        return None
    name = getattr(raised, "name", None)
    for module, alias in ((jnp, "jnp"), (jax.lax, "lax"), (jax.random, "jr"), (jax, "jax")):
        if isinstance(name, str) and not name.startswith("_") and hasattr(module, name):
            return f"name {name!r} is not defined: did you mean {alias}.{name}?"
    return None


def _timed_out(make: Callable[..., Verdict], text: str) -> Verdict:
    """The learner's function ran past its limit on one input: a timeout verdict that says where."""
    return make(status="timeout", correct=False, error=f"timed out: {text}")


def _left_out_unbound(run: sandbox.Run, answer: str | None) -> bool:
    """Whether a lenient run skipped its answer `out` because the code bound none."""
    return run.exception is None and (answer or "").strip() == "out" and "out" not in run.namespace


def _bound_names(run: sandbox.Run) -> str:
    """A card's result when its code binds no `out`: every array and value it left, by name."""
    lines = []
    for binding in describe.bindings(run.namespace):
        kind = f"{binding.dtype}{list(binding.shape)}" if binding.shape is not None else binding.kind
        lines.append(f"{binding.name}: {kind} = {binding.preview}")
    return "\n".join(lines) or "(no arrays or values)"


def _resident_above(limit: float) -> bool:
    # The peak (one cheap syscall, KiB on Linux) bounds the current use: /proc is read only when
    # the peak has passed the limit.
    if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 <= limit:
        return False
    return _resident_bytes() > limit


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
