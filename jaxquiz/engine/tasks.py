"""The engine's task for a deck question, and the verdict on a choice (graded without running
anything): where the deck models meet the protocol.

The worker never imports this module, so pydantic stays out of the worker process.
"""

from __future__ import annotations

from typing import Any

from jaxquiz.decks.models import ChoiceQuestion, FillQuestion, QuestionBase, RaisesQuestion, ValueQuestion
from jaxquiz.engine.protocol import Outcome, Task, Verdict


def task_of(question: QuestionBase, setup: str | None = None) -> Task:
    """The task of an instantiated question (see `jaxquiz.decks.instantiate`)."""
    extra: dict[str, Any] = {}
    if isinstance(question, ValueQuestion | FillQuestion):
        extra.update(rtol=question.tolerance.rtol, atol=question.tolerance.atol)
    if isinstance(question, FillQuestion):
        extra.update(solution=question.solution, compare=question.compare, input=question.input)
    if isinstance(question, RaisesQuestion):
        extra.update(exception=question.exception)
    # `answer` defaults to `out` for every type that runs code; a raises question or a card
    # whose code binds no `out` is about the code itself (see sandbox.execute, `lenient`).
    return Task(
        type=question.type,  # type: ignore[attr-defined]
        code=getattr(question, "code", None) or "",
        answer=question.answer,
        setup=setup,
        timeout=question.timeout,
        devices=question.devices,
        **extra,
    )


def choice_verdict(question: ChoiceQuestion, index: int) -> Verdict:
    """The verdict on choosing the option at `index` of a choice question."""
    text = question.options[index]
    right = [question.options[i] for i in question.correct]
    correct = index in question.correct
    return Verdict(
        status="graded",
        correct=correct,
        answer=text,
        understood=text,
        truth=Outcome(type_name="choice", preview="\n".join(right)),
        difference="" if correct else f"the right answer: {' / '.join(right)}",
    )
