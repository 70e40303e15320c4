"""`jaxquiz check`: prove every question of a deck right by executing it.

For every parameter draw checked: the code runs within its timeout (and raises what a `raises`
question expects), `expect` graded as typed is right, a fill's solution is right and each wrong
answer is rejected, and multiple-choice options hold at least one right and one wrong answer.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from jaxquiz import paths
from jaxquiz.decks import LoadedDeck, checked_draws, instantiate
from jaxquiz.decks.models import CardQuestion, ChoiceQuestion, FillQuestion, PuzzleQuestion, QuestionBase
from jaxquiz.decks.params import Draw
from jaxquiz.engine import Engine, Task, Verdict
from jaxquiz.errors import EngineError


@dataclass
class QuestionReport:
    """The audit of one question over all its checked draws."""

    deck: LoadedDeck
    question: QuestionBase
    draws: int = 0
    failures: list[str] = field(default_factory=list)

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
        }


def default_jobs() -> int:
    """Workers for an audit: one per core, at most 4 (each holds its own jax runtime)."""
    return max(1, min(os.cpu_count() or 1, 4))


def audit(
    decks: Iterable[LoadedDeck],
    jobs: int | None = None,
    on_done: Callable[[QuestionReport], None] | None = None,
) -> list[QuestionReport]:
    """Audit every question with `jobs` workers in parallel; reports in deck order.

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

    def work() -> None:
        with Engine(spare=False, compile_cache=paths.compile_cache_dir()) as engine:
            try:
                engine.wait_ready()
            except EngineError as error:
                unable.append(error)
                return
            while True:
                try:
                    report = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    audit_question(engine, report)
                except EngineError as error:
                    report.failures.append(f"the engine failed: {error.message}")
                if on_done:
                    with lock:
                        on_done(report)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(unable) == workers:
        raise unable[0]
    return reports


def audit_question(engine: Engine, report: QuestionReport) -> None:
    question = report.question
    for values in checked_draws(report.deck.id, question):
        report.draws += 1
        concrete = instantiate(question, values)
        for failure in _audit_draw(engine, concrete, report.deck.deck.setup):
            report.failures.append(f"{_draw_label(values)}{failure}")


def _draw_label(values: Draw) -> str:
    if not values:
        return ""
    return "[" + ", ".join(f"{k}={v}" for k, v in values.items()) + "] "


def _audit_draw(engine: Engine, question: QuestionBase, setup: str | None) -> list[str]:
    if isinstance(question, ChoiceQuestion):
        if len(set(question.correct)) >= len(question.options):
            return ["every option is marked correct: a choice needs at least one wrong option"]
        return []
    task = Task.from_question(question, setup)
    if isinstance(question, CardQuestion):
        if not question.code:
            return []
        outcome = engine.explore(task.code, setup, task.answer, task.timeout).outcome
        if outcome.status != "ok" or outcome.raised:
            return [f"the card's code fails: {outcome.error}"]
        return []
    prepared = engine.prepare(task)
    outcome = prepared.outcome
    if outcome.status != "ok":
        return [f"the code {outcome.status}: {outcome.error}"]
    if outcome.raised and question.type != "raises":  # type: ignore[attr-defined]
        return [f"the code raised {outcome.exception}: {outcome.error}\n{outcome.traceback or ''}"]
    failures = []

    def grade(text: str) -> Verdict:
        return engine.grade(task, text, prepared)

    if isinstance(question, FillQuestion | PuzzleQuestion):  # a puzzle: whole functions
        verdict = grade(question.solution)
        if not verdict.correct:
            failures.append(f"the solution {question.solution!r} is not accepted: {_why(verdict)}")
        for wrong in question.wrong:
            verdict = grade(wrong)
            if verdict.correct:
                failures.append(f"the wrong answer {wrong!r} is accepted: it gives the same result")
            elif verdict.status not in ("graded", "unreadable"):
                failures.append(f"the wrong answer {wrong!r} did not finish: {_why(verdict)}")
    else:
        expect = question.expect  # type: ignore[attr-defined]
        verdict = grade(expect)
        if not verdict.correct:
            failures.append(f"expect {expect!r} is graded wrong: {_why(verdict)}")
    if question.options:
        verdicts = [grade(option) for option in question.options]
        if not any(v.correct for v in verdicts):
            failures.append(
                "no option is right: "
                + "; ".join(f"{o!r}: {_why(v)}" for o, v in zip(question.options, verdicts, strict=True))
            )
        if all(v.correct for v in verdicts):
            failures.append("every option is right: multiple choice needs at least one wrong option")
    return failures


def _why(verdict: Verdict) -> str:
    if verdict.status == "graded":
        return verdict.difference or verdict.error or "different result"
    return f"{verdict.status}: {verdict.error or verdict.difference}"
