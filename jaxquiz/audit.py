"""`jaxquiz check`: prove every question of a deck right by executing it.

For every parameter draw checked: the code runs within its timeout (and raises what a `raises`
question expects), `expect` graded as typed is right, a fill's solution is right and each wrong
answer is rejected, and the options of a shape, dtype, value or raises question hold exactly one
right answer (a second right option would let a learner pass without the idea), each text once;
under `exception: any` a class named by `expect` must still be the one raised.
Each draw's executed truth is kept for `--json` and `--show-truth`; warnings (an answer right
only because of the tolerance near zero) do not fail a question.
"""

from __future__ import annotations

import os
import queue
import re
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from jaxquiz import paths
from jaxquiz.decks import LoadedDeck, checked_draws, instantiate
from jaxquiz.decks.answer_syntax import syntax_error
from jaxquiz.decks.loader import block_starts
from jaxquiz.decks.models import (
    CardQuestion,
    ChoiceQuestion,
    FillQuestion,
    PuzzleQuestion,
    QuestionBase,
    repeated_option,
)
from jaxquiz.decks.params import Draw
from jaxquiz.engine import Engine as Workers
from jaxquiz.engine import Outcome, Verdict
from jaxquiz.engine.answers import ANY_ERROR, UnreadableAnswer, parse_raises
from jaxquiz.engine.boundary import Engine
from jaxquiz.engine.protocol import Ready
from jaxquiz.engine.tasks import task_of
from jaxquiz.errors import EngineError


@dataclass
class QuestionReport:
    """The audit of one question over all its checked draws."""

    deck: LoadedDeck
    question: QuestionBase
    draws: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    truths: list[DrawTruth] = field(default_factory=list)  # one per draw that ran code

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def location(self) -> str:
        return f"{self.deck.path}:{self.deck.line_of(self.question.id)}"

    @property
    def name(self) -> str:
        return f"{self.deck.id}::{self.question.id}"

    def as_json(self) -> dict:
        return {
            "deck": self.deck.id,
            "question": self.question.id,
            "ok": self.ok,
            "message": "\n".join(self.failures),
            "warnings": list(self.warnings),
            "draws": [truth.as_json() for truth in self.truths],
        }


@dataclass(frozen=True)
class DrawTruth:
    """What running one draw of a question gave: the truth the audit graded against."""

    params: Draw
    outcome: Outcome

    def as_json(self) -> dict:
        outcome = self.outcome
        return {
            "params": dict(self.params),
            "status": outcome.status,
            "shape": list(outcome.shape) if outcome.shape is not None else None,
            "dtype": outcome.dtype,
            "preview": outcome.preview,
            "exception": outcome.exception,
            "error": outcome.error if outcome.raised or outcome.status != "ok" else None,
            "output": outcome.output,  # what it printed, to hold against a notebook's output
        }

    def summary(self) -> str:
        """One line: the draw and what it gave."""
        outcome = self.outcome
        what = outcome.summary()
        if outcome.status == "ok" and not outcome.raised and outcome.preview:
            lines = outcome.preview.splitlines()
            what += (": " if what else "") + lines[0] + (" ..." if len(lines) > 1 else "")
        return f"{_draw_label(self.params)}{what}"


def default_jobs() -> int:
    """Workers for an audit: one per core, at most 4 (each holds its own jax runtime)."""
    return max(1, min(os.cpu_count() or 1, 4))


def audit(
    decks: Iterable[LoadedDeck],
    jobs: int | None = None,
    on_done: Callable[[QuestionReport], None] | None = None,
    on_ready: Callable[[Ready], None] | None = None,
    engine: Workers | None = None,
) -> list[QuestionReport]:
    """Audit every question with `jobs` workers in parallel; reports in deck order.

    `on_ready` hears from each worker that started (its JAX version and device). With `engine`,
    the jobs share that warm engine instead of each starting its own (the tests hand one in).

    Raises EngineError when no worker could start, so that nothing passes unchecked. A question
    the engine fails on (an internal error) is reported failed, with the error.
    """
    reports = [QuestionReport(deck, q) for deck in decks for q in deck.deck.questions]
    if not reports:
        return reports  # no worker to start
    todo: queue.Queue[QuestionReport] = queue.Queue()
    for report in reports:
        todo.put(report)
    workers = max(1, min(jobs or default_jobs(), len(reports)))
    lock = threading.Lock()
    unable: list[EngineError] = []  # one per worker that could not start

    def open_engine() -> AbstractContextManager[Workers]:
        if engine is not None:
            return nullcontext(engine)  # the caller's: not closed here
        return Workers(spare=False, compile_cache=paths.compile_cache_dir())

    def work() -> None:
        with open_engine() as engine:
            try:
                report = todo.get_nowait()
            except queue.Empty:
                return
            try:
                # Start only the pool the first question needs (a devices deck needs no other).
                ready = engine.wait_ready(devices=report.question.devices)
            except EngineError as error:
                unable.append(error)
                todo.put(report)  # for a worker that could start
                return
            if on_ready:
                with lock:
                    on_ready(ready)
            while True:
                try:
                    audit_question(engine, report)
                except EngineError as error:
                    report.failures.append(f"the engine failed: {error.message}")
                if on_done:
                    with lock:
                        on_done(report)
                try:
                    report = todo.get_nowait()
                except queue.Empty:
                    return

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(unable) == workers:
        raise unable[0]
    return reports


def audit_question(engine: Engine, report: QuestionReport) -> None:
    _audit_draws(engine, report)
    if any(_CODE_LINE.search(failure) for failure in report.failures):
        starts = block_starts(report.deck.path, report.question.id)
        report.failures = [_with_file_lines(failure, starts, report.deck.path) for failure in report.failures]


# A line of the question's code or setup, by its own numbering: in a traceback, or a SyntaxError's.
_CODE_LINE = re.compile(
    r"(?m)^(?P<indent> +)(?P<kind>setup line|line) (?P<n>\d+)"
    r"|\(<(?P<file>question|setup)>, line (?P<m>\d+)\)"
)


def _with_file_lines(text: str, starts: dict[str, int], path: Path) -> str:
    """`text` with each line of the code or setup it names followed by its place in the file."""

    def place(match: re.Match[str]) -> str:
        setup = match["kind"] == "setup line" or match["file"] == "setup"
        start = starts.get("setup" if setup else "code")
        if start is None:
            return match[0]
        number = int(match["n"] or match["m"])
        where = f"{path}:{start + number - 1}"
        if match["file"]:
            return f"({'setup ' if setup else ''}line {number}, {where})"
        return f"{match[0]} ({where})"

    return _CODE_LINE.sub(place, text)


def _audit_draws(engine: Engine, report: QuestionReport) -> None:
    question = report.question
    draws = checked_draws(report.deck.id, question)
    for index, values in enumerate(draws):
        report.draws += 1
        concrete = instantiate(question, values)
        found = Found()
        for failure in _audit_draw(engine, concrete, report.deck.deck.setup, found):
            report.failures.append(f"{_draw_label(values)}{failure}")
        report.warnings.extend(f"{_draw_label(values)}{warning}" for warning in found.warnings)
        if found.truth is not None:
            report.truths.append(DrawTruth(values, found.truth))
        left = len(draws) - index - 1
        if found.truth is not None and found.truth.status == "timeout" and left:
            # Code that loops on one draw most likely loops on all: each would wait its timeout.
            report.failures.append(f"{left} more draw{'s' * (left != 1)} not run: this one timed out")
            return


@dataclass
class Found:
    """What auditing one draw found besides its failures."""

    truth: Outcome | None = None
    warnings: list[str] = field(default_factory=list)


def _draw_label(values: Draw) -> str:
    if not values:
        return ""
    return "[" + ", ".join(f"{k}={v}" for k, v in values.items()) + "] "


def _audit_draw(
    engine: Engine, question: QuestionBase, setup: str | None, found: Found | None = None
) -> list[str]:
    found = found if found is not None else Found()
    repeated = repeated_option(question.options or [])
    if repeated is not None:
        return [f"the option {repeated!r} appears twice: change the parameters or the option"]
    if isinstance(question, ChoiceQuestion):
        if len(set(question.correct)) >= len(question.options):
            return ["every option is marked correct: a choice needs at least one wrong option"]
        return []
    task = task_of(question, setup)
    if isinstance(question, CardQuestion):
        if not question.code:
            return []
        # As the app runs it: the live result, or what the code bound when it binds no `out`.
        card = engine.prepare(task)
        engine.forget(card)
        outcome = found.truth = card.outcome
        if outcome.status != "ok" or outcome.raised:
            return [f"the card's code fails: {outcome.error}"]
        return []
    prepared = engine.prepare(task)
    outcome = found.truth = prepared.outcome
    if outcome.status != "ok":
        return [outcome.error or f"the code {outcome.status}"]
    if question.devices and question.devices > 1 and not outcome.device.startswith(f"{question.devices} "):
        return [f"asked for {question.devices} devices, but it ran on {outcome.device}"]
    if outcome.raised and (outcome.exception or "").endswith(".QuestionError"):
        return [outcome.error or "the question is broken"]  # the worker's words on what to fix
    if outcome.raised and question.type != "raises":
        traceback = f"\n{outcome.traceback}" if outcome.traceback else ""
        return [f"the code raised {outcome.exception}: {outcome.error}{traceback}"]
    failures = []

    def grade(text: str) -> Verdict:
        return engine.grade(task, text, prepared)

    def right_only_near_zero(text: str, what: str) -> None:
        """Warn when `text` is right only because of `atol`: the truth is that close to zero
        (a flush-to-zero lesson, say) and the tolerance hides the difference."""
        if task.type not in ("value", "fill") or task.atol <= 0 or not grade(text).correct:
            return
        strict = engine.grade(replace(task, atol=0.0), text, prepared)
        if strict.status == "graded" and not strict.correct:
            found.warnings.append(
                f"{what} {text!r} is graded right only because of atol={task.atol:g} "
                f"(with atol 0: {strict.difference}); if that difference near zero is the "
                "lesson, set `tolerance: {atol: 0}`"
            )

    if isinstance(question, FillQuestion | PuzzleQuestion):  # a puzzle: whole functions
        verdict = grade(question.solution)
        if not verdict.correct:
            failures.append(f"the solution {question.solution!r} is not accepted: {_why(verdict)}")
        for wrong in question.wrong:
            typo = syntax_error(question, wrong)
            if typo is not None:
                found.warnings.append(
                    f"the wrong answer {wrong!r} does not parse ({typo}): a learner who types it is "
                    "sent back to fix it, not graded wrong; write the tempting answer so that it runs"
                )
                continue
            verdict = grade(wrong)
            if verdict.correct:
                failures.append(f"the wrong answer {wrong!r} is accepted: it gives the same result")
                right_only_near_zero(wrong, "the wrong answer")
            elif verdict.status == "unreadable":
                found.warnings.append(
                    f"the wrong answer {wrong!r} is sent back ({verdict.error}), not graded wrong: "
                    "write the tempting answer so that it runs"
                )
            elif verdict.status != "graded":
                failures.append(f"the wrong answer {wrong!r} did not finish: {_why(verdict)}")
    else:
        expect = question.expect  # type: ignore[attr-defined]
        verdict = grade(expect)
        if not verdict.correct:
            failures.append(f"expect {expect!r} is graded wrong: {_why(verdict)}")
        elif task.exception == "any" and _names_a_class(expect):
            # A learner may name any class, but the deck's own claim must still be the truth.
            exact = engine.grade(replace(task, exception="exact"), expect, prepared)
            if not exact.correct:
                failures.append(
                    f"expect {expect!r} is not the class raised: {_why(exact)}. "
                    "Fix: write the class it raises (or `error`)"
                )
    if question.options:
        verdicts = [grade(option) for option in question.options]
        failures.extend(_exactly_one_right(question.options, verdicts))
        failures.extend(
            f"option {option!r} cannot be read ({verdict.error or verdict.difference}): picking it "
            "grades nothing. Fix: write each option as a learner would type it"
            for option, verdict in zip(question.options, verdicts, strict=True)
            if verdict.status == "unreadable"
        )
    for option in question.options or []:
        if option != getattr(question, "expect", None):  # the author's own answer may need atol
            right_only_near_zero(option, "option")
    return failures


def _exactly_one_right(options: list[str], verdicts: list[Verdict]) -> list[str]:
    """Options are a fallback for typing: exactly one must be right, or one is passable blind."""
    right = [option for option, verdict in zip(options, verdicts, strict=True) if verdict.correct]
    if not right:
        return [
            "no option is right: "
            + "; ".join(f"{o!r}: {_why(v)}" for o, v in zip(options, verdicts, strict=True))
            + ". Fix: change the parameters or the option"
        ]
    if len(right) > 1:
        return [
            f"{len(right)} options are right ({', '.join(map(repr, right))}): exactly one must be. "
            "Fix: change the parameters or the option"
        ]
    return []


def _names_a_class(text: str) -> bool:
    try:
        return parse_raises(text) not in (None, ANY_ERROR)
    except UnreadableAnswer:
        return False


def _why(verdict: Verdict) -> str:
    if verdict.status == "graded":
        return verdict.difference or verdict.error or "different result"
    return f"{verdict.status}: {verdict.error or verdict.difference}"
