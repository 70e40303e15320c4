"""The bar the bundled decks must meet (issue: complete coverage), checked on every run.

Execution itself is audited by `jaxquiz check decks/` in CI; this checks what can be read.
"""

from __future__ import annotations

import pytest

from jaxquiz.decks import EXECUTING_TYPES, discover
from jaxquiz.decks.models import FillQuestion

DECKS = discover(user=False).decks
QUESTIONS = [(d, q) for d in DECKS for q in d.deck.questions]


def test_the_bundle_loads_without_problems():
    assert discover(user=False).problems == []


def test_enough_decks_and_questions():
    assert len(DECKS) >= 13
    assert len(QUESTIONS) >= 320
    assert all(len(d.deck.questions) >= 20 for d in DECKS)


def test_most_questions_execute_and_a_third_are_parametrised():
    executing = sum(q.type in EXECUTING_TYPES for _, q in QUESTIONS)
    parametrised = sum(bool(q.params) for _, q in QUESTIONS)
    assert executing >= 0.6 * len(QUESTIONS)
    assert parametrised >= len(QUESTIONS) / 3


def test_every_type_is_used():
    used = {q.type for _, q in QUESTIONS}
    assert used == {"shape", "dtype", "value", "raises", "fill", "puzzle", "choice", "card"}


@pytest.mark.parametrize("loaded", DECKS, ids=lambda d: d.id)
def test_each_deck_opens_with_a_lesson_with_an_example(loaded):
    description = loaded.deck.description or ""
    assert description.count("\n\n") >= 1, "a lesson of a few paragraphs"
    assert "```" in description, "with a small example"


@pytest.mark.parametrize(("loaded", "question"), QUESTIONS, ids=lambda x: getattr(x, "id", ""))
def test_each_question_explains_and_has_a_difficulty(loaded, question):
    assert question.explain and question.explain.strip()
    assert question.difficulty in (1, 2, 3)
    if question.difficulty == 3:
        assert question.hint, "hard questions have a hint"
    if isinstance(question, FillQuestion):
        assert len(question.wrong) >= 2, "a fill lists at least two tempting wrong answers"


def test_no_two_questions_share_a_prompt_and_code():
    seen: dict[tuple[str, str], str] = {}
    for loaded, question in QUESTIONS:
        key = (question.prompt.strip(), (getattr(question, "code", None) or "").strip())
        assert key not in seen, f"{loaded.id}/{question.id} repeats {seen[key]}"
        seen[key] = f"{loaded.id}/{question.id}"
