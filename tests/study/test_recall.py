"""Recall first: a missed question comes back in the same session (FSRS learning steps), the last
answer can be taken back from the store and the card, picks and peeks weaken the proposed rating,
typos are sent back unread, and a choice with several right options wants exactly those.

Pure Python with a real SQLite store; the engine is not needed here (see tests/tui for the app).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jaxquiz.decks.loader import load_deck_text
from jaxquiz.engine import Outcome, Verdict
from jaxquiz.engine.tasks import grade_choice
from jaxquiz.store import Store
from jaxquiz.study.grading import Grader
from jaxquiz.study.scheduler import Rating, Scheduler
from jaxquiz.study.session import AGAIN_GAP, Attempt, Session, propose

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

DECK = """\
format: 1
deck: recall
title: Recall
questions:
"""
# Six value questions, then a fill and a choice with two right options.
DECK += "".join(
    f"""\
  - id: q{n}
    type: value
    prompt: Value?
    code: out = {n}
    expect: "{n}"
    options: ["{n}", "{n + 1}"]
"""
    for n in range(6)
)
DECK += """\
  - id: blank
    type: fill
    prompt: Fill it.
    code: out = jnp.ones(___)
    solution: "3"
    wrong: ["(3, 1)"]
  - id: pure
    type: choice
    prompt: Which are pure?
    options: [jnp.cos, print, jnp.sin]
    correct: [0, 2]
"""


@pytest.fixture
def deck():
    return load_deck_text(DECK, Path("recall.yaml"))


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "progress.sqlite3") as opened:
        yield opened


def verdict(correct: bool) -> Verdict:
    return Verdict(status="graded", correct=correct, answer="x", truth=Outcome(shape=()))


def reply(session: Session, store: Store, correct: bool, rating: Rating) -> None:
    item = session.current()
    assert item is not None
    session.answer(Attempt(item, "x", verdict(correct), 1000), rating, store, Scheduler(lambda: T0), T0)


def asked(session: Session) -> list[str]:
    return [e.question.id + ("*" if e.again else "") for e in session.entries]


def test_a_question_rated_again_comes_back_after_a_few_others_until_it_is_right(deck, store):
    session = Session.quiz(deck, random.Random(0))
    reply(session, store, False, Rating.Again)
    # FSRS puts it in a learning step (minutes away): asked again in this session
    assert asked(session)[: 2 + AGAIN_GAP] == ["q0", "q1", "q2", "q3", "q0*"]
    for _ in range(AGAIN_GAP):
        reply(session, store, True, Rating.Good)
    again = session.current()
    assert again is not None and again.again and again.question.id == "q0"
    reply(session, store, True, Rating.Good)  # right this time: it does not come back
    assert [e.question.id for e in session.entries].count("q0") == 2
    assert [r.correct for r in session.results if r.item.question.id == "q0"] == [False, True]


def test_a_missed_question_near_the_end_comes_back_last(deck, store):
    session = Session.quiz(deck, random.Random(0))
    session.position = len(session) - 1
    reply(session, store, False, Rating.Again)
    assert asked(session)[-2:] == ["pure", "pure*"]


def test_a_drill_does_not_ask_twice(deck, store):
    session = Session.quiz(deck, random.Random(0))
    session.mode = "drill"
    reply(session, store, False, Rating.Again)
    assert not any(e.again for e in session.entries)


def test_undo_takes_the_answer_out_of_the_store_and_the_card(deck, store):
    session = Session.quiz(deck, random.Random(0))
    first = session.current()
    reply(session, store, True, Rating.Good)
    card_after_first = store.card("recall", "q0")
    second = session.current()
    reply(session, store, False, Rating.Again)
    assert len(store.reviews()) == 2 and "q1" in [e.question.id for e in session.entries[2:]]
    assert session.can_take_back

    back = session.take_back(store)
    assert back is second  # the same draw is asked again
    assert [r.question for r in store.reviews()] == ["q0"]
    assert store.card("recall", "q1") is None  # never reviewed before: no card at all
    assert [e.question.id for e in session.entries].count("q1") == 1  # its copy is gone too
    assert len(session.results) == 1

    back = session.take_back(store)
    assert back is first and store.reviews() == [] and store.card("recall", "q0") is None
    assert not session.can_take_back

    reply(session, store, True, Rating.Good)
    reply(session, store, True, Rating.Good)
    assert store.card("recall", "q0") == card_after_first  # as if the undo never happened


def test_undo_puts_back_the_card_as_it_was_before(deck, store):
    session = Session.quiz(deck, random.Random(0))
    reply(session, store, True, Rating.Good)
    before = store.card("recall", "q0")
    again = Session.quiz(deck, random.Random(0))
    reply(again, store, False, Rating.Again)
    assert store.card("recall", "q0") != before
    again.take_back(store)
    assert store.card("recall", "q0") == before
    assert len(store.reviews()) == 1


def test_a_right_pick_among_the_options_is_hard_at_best_and_looking_good_at_best(deck):
    item = Session.quiz(deck, random.Random(0)).item(0)
    assert propose(item, verdict(True), 1000) == Rating.Easy
    assert propose(item, verdict(True), 1000, picked=True) == Rating.Hard
    assert propose(item, verdict(True), 1000, looked=True) == Rating.Good
    assert propose(item, verdict(False), 1000, picked=True) == Rating.Again


def test_a_fill_that_does_not_parse_is_sent_back_without_running(deck):
    item = Session.quiz(deck, random.Random(0)).item(6)
    grader = Grader(None)  # type: ignore[arg-type]  # a typo never reaches the engine
    sent_back = grader.grade(item, "(3,")
    assert sent_back.status == "unreadable" and not sent_back.correct
    assert "not valid Python" in (sent_back.error or "")


def test_a_choice_with_several_right_options_wants_exactly_those(deck):
    question = Session.quiz(deck, random.Random(0)).item(7).question
    assert grade_choice(question, [0, 2]).correct  # type: ignore[arg-type]
    partly = grade_choice(question, [0])  # type: ignore[arg-type]
    assert not partly.correct and partly.difference == "not picked: jnp.sin"
    extra = grade_choice(question, [0, 1, 2])  # type: ignore[arg-type]
    assert not extra.correct and extra.difference == "not right: print"
    assert not grade_choice(question, []).correct  # type: ignore[arg-type]
