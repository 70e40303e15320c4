"""Deck questions as the engine sees them: a choice's verdict needs no worker."""

from jaxquiz.decks.models import ChoiceQuestion
from jaxquiz.engine.tasks import grade_choice

CHOICE = ChoiceQuestion.model_validate(
    {"id": "q", "type": "choice", "prompt": "p", "options": ["jit", "vmap", "pmap"], "correct": [1]}
)


def test_the_right_option_is_graded_right_and_names_itself():
    verdict = grade_choice(CHOICE, [1])
    assert verdict.status == "graded" and verdict.correct
    assert verdict.answer == verdict.understood == "vmap"
    assert verdict.truth.preview == "vmap" and verdict.difference == ""


def test_a_wrong_option_says_the_right_one():
    verdict = grade_choice(CHOICE, [2])
    assert not verdict.correct and verdict.answer == "pmap"
    assert verdict.difference == "not picked: vmap; not right: pmap"
