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


def test_every_question_explains_and_has_a_difficulty():
    # One test naming every question below the bar: as one test each, the 640 questions cost the
    # suite more in bookkeeping than in checking.
    below = [
        f"{loaded.id}/{question.id}: {why}" for loaded, question in QUESTIONS for why in shortfalls(question)
    ]
    assert not below, "\n".join(below)


def shortfalls(question) -> list[str]:
    found = []
    if not (question.explain and question.explain.strip()):
        found.append("no explanation")
    if question.difficulty not in (1, 2, 3):
        found.append(f"difficulty {question.difficulty!r} is not 1, 2 or 3")
    if question.difficulty == 3 and not question.hint:
        found.append("hard questions have a hint")
    if isinstance(question, FillQuestion) and len(question.wrong) < 2:
        found.append("a fill lists at least two tempting wrong answers")
    return found


def test_no_two_questions_share_a_prompt_and_code():
    seen: dict[tuple[str, str], str] = {}
    for loaded, question in QUESTIONS:
        key = (question.prompt.strip(), (getattr(question, "code", None) or "").strip())
        assert key not in seen, f"{loaded.id}/{question.id} repeats {seen[key]}"
        seen[key] = f"{loaded.id}/{question.id}"
