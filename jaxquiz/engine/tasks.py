"""The engine's task for a deck question, and the verdict on a choice (graded without running
anything): where the deck models meet the protocol.

The worker never imports this module, so pydantic stays out of the worker process.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from jaxquiz.decks.models import (
    ChoiceQuestion,
    FillQuestion,
    PuzzleQuestion,
    QuestionBase,
    RaisesQuestion,
    ValueQuestion,
)
from jaxquiz.engine.protocol import Outcome, Task, Verdict
from jaxquiz.engine.puzzle_spec import PuzzleSpec


def task_of(question: QuestionBase, setup: str | None = None) -> Task:
    """The task of an instantiated question (see `jaxquiz.decks.instantiate`)."""
    extra: dict[str, Any] = {}
    if isinstance(question, ValueQuestion | FillQuestion | PuzzleQuestion):
        extra.update(rtol=question.tolerance.rtol, atol=question.tolerance.atol)
    if isinstance(question, FillQuestion):
        extra.update(solution=question.solution, compare=question.compare, input=question.input)
    if isinstance(question, RaisesQuestion):
        extra.update(exception=question.exception)
    answer: str | None = question.answer
    if isinstance(question, PuzzleQuestion):
        extra.update(solution=question.solution, puzzle=PuzzleSpec.from_question(question))
        answer = None  # the learner's function is called on drawn inputs: nothing after the code
    # `answer` defaults to `out` for every type that runs code; a raises question or a card
    # whose code binds no `out` is about the code itself (see sandbox.execute, `lenient`).
    return Task(
        type=question.type,
        code=getattr(question, "code", None) or "",
        answer=answer,
        setup=setup,
        timeout=question.timeout,
        devices=question.devices,
        **extra,
    )


def grade_choice(question: ChoiceQuestion, picked: Collection[int]) -> Verdict:
    """A choice is right when the options picked are exactly its `correct` ones (one or several)."""
    chosen = sorted(set(picked))
    right = [question.options[i] for i in question.correct]
    correct = set(chosen) == set(question.correct)
    said = " + ".join(question.options[i] for i in chosen)
    difference = ""
    if not correct:
        missing = [question.options[i] for i in question.correct if i not in chosen]
        extra = [question.options[i] for i in chosen if i not in question.correct]
        parts = []
        if missing:
            parts.append("not picked: " + " / ".join(missing))
        if extra:
            parts.append("not right: " + " / ".join(extra))
        difference = "; ".join(parts)
    return Verdict(
        status="graded",
        correct=correct,
        answer=said,
        understood=said,
        truth=Outcome(type_name="choice", preview="\n".join(right)),
        difference=difference,
    )
