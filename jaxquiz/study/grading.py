"""Grading the items of a session with the engine: truths prepared ahead, answers graded once.

Every method blocks (the engine does): the app calls them from thread workers. A truth being
prepared while the learner answers is waited for, never executed twice. The options of a
multiple-choice item are graded while it is prepared, so choosing one gives its verdict at once.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from concurrent.futures import Future
from dataclasses import replace

from jaxquiz.decks.answer_syntax import syntax_error
from jaxquiz.decks.models import ChoiceQuestion
from jaxquiz.engine import Exploration, Outcome, Prepared, Task, Verdict
from jaxquiz.engine.boundary import Engine
from jaxquiz.engine.tasks import grade_choice
from jaxquiz.errors import EngineError
from jaxquiz.study.session import Item

DONT_KNOW = "I don't know"


class Grader:
    """Prepares and grades session items on one engine; thread-safe."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._truths: dict[Item, Future[Prepared | None]] = {}
        self._option_verdicts: dict[Item, list[Verdict]] = {}  # filled before the truth is set

    def prepare(self, item: Item) -> Prepared | None:
        """Execute the item's code now (once), so that grading it only compares.

        Returns None when nothing is executed for the item or the engine is unusable (grading
        then reports why).
        """
        task = item.task
        if task is None:
            return None
        with self._lock:
            future = self._truths.get(item)
            owner = future is None
            if future is None:
                future = self._truths[item] = Future()
        if not owner:
            return future.result()
        try:
            prepared = self._prepare(item, task)
        except BaseException as error:
            future.set_exception(error)  # a grade waiting on this truth fails too, never hangs
            raise
        future.set_result(prepared)
        return prepared

    def _prepare(self, item: Item, task: Task) -> Prepared | None:
        try:
            prepared = self.engine.prepare(task)
        except EngineError:
            return None
        if item.options:
            try:
                self._option_verdicts[item] = [
                    self.engine.grade(task, text, prepared) for text in item.options
                ]
            except EngineError:
                pass  # each option is graded when chosen instead
        return prepared

    def outcome(self, item: Item) -> Outcome | None:
        """The item's code as executed (a card's live result); None when it has no code."""
        prepared = self.prepare(item)
        return None if prepared is None else prepared.outcome

    def grade(self, item: Item, answer: str) -> Verdict:
        """Grade an answer typed (or an option's text) for an item of an executing type.

        A fill or a puzzle whose code does not parse is sent back unread: a typo says nothing
        about what the learner knows.
        """
        task = item.task
        if task is None:
            raise ValueError(f"{item.type} questions are not graded by the engine")
        typo = syntax_error(item.shown, answer)
        if typo is not None:
            return Verdict(status="unreadable", correct=False, answer=answer, error=typo)
        prepared = self.prepare(item)
        try:
            return self.engine.grade(task, answer, prepared)
        except EngineError as error:
            return Verdict(status="crashed", correct=False, answer=answer, error=error.message)

    def choose(self, item: Item, picked: Collection[int]) -> Verdict:
        """Grade the options picked: a choice by its indices, any other type by the one text."""
        question = item.shown
        if isinstance(question, ChoiceQuestion):
            return grade_choice(question, picked)
        (index,) = picked
        self.prepare(item)
        graded = self._option_verdicts.get(item)
        return graded[index] if graded else self.grade(item, item.options[index])

    def give_up(self, item: Item) -> Verdict:
        """ "I don't know": a wrong answer that shows the truth, with nothing typed."""
        question = item.shown
        if isinstance(question, ChoiceQuestion):
            return replace(grade_choice(question, ()), answer="", understood=DONT_KNOW)
        prepared = self.prepare(item)
        truth = prepared.outcome if prepared is not None else Outcome()
        return Verdict(status="graded", correct=False, answer="", understood=DONT_KNOW, truth=truth)

    def forget(self, *items: Item) -> None:
        """Drop the prepared truths of items that are done with (all of them when none given)."""
        with self._lock:
            keys = list(items) if items else list(self._truths)
            futures = [self._truths.pop(k) for k in keys if k in self._truths]
            for key in keys:
                self._option_verdicts.pop(key, None)
        prepared = [f.result() for f in futures]
        done = [p for p in prepared if p is not None]
        if done:
            try:
                self.engine.forget(*done)
            except EngineError:
                pass

    def explore(self, item: Item, code: str, answer: str | None) -> Exploration:
        """Run edited code of an item in a fresh sandbox (the try-it panel)."""
        timeout = item.question.timeout
        try:
            return self.engine.explore(
                code, item.deck.deck.setup, answer or None, timeout, devices=item.question.devices
            )
        except EngineError as error:
            return Exploration(outcome=Outcome(status="crashed", error=error.message))
