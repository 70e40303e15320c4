"""Sessions: which questions, in which order, drawn how; ratings proposed; reviews recorded; grading
prepared once. Pure Python with a real store and a fake engine (the engine has its own tests)."""

from __future__ import annotations

import random
import threading
from concurrent.futures import Future
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jaxquiz.decks import content_hash
from jaxquiz.decks.loader import load_deck_text
from jaxquiz.engine import Outcome, Prepared, Verdict
from jaxquiz.errors import EngineError
from jaxquiz.store import Store
from jaxquiz.study import grading
from jaxquiz.study.grading import Grader
from jaxquiz.study.scheduler import Rating, Scheduler
from jaxquiz.study.session import (
    Session,
    fill_blank,
    propose,
    record_answer,
    records,
    verdict_summary,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WAIT_S = 10.0  # only ever waited out when the behaviour under test is broken

DECK = """\
format: 1
deck: basics
title: Basics
description: A lesson.
questions:
  - id: shape
    type: shape
    params: {N: {range: [1, 50]}}
    prompt: Shape of `out`?
    code: out = jnp.ones(($N, 2))
    expect: ($N, 2)
  - id: dtype
    type: dtype
    prompt: Dtype?
    code: out = jnp.ones(2)
    expect: float32
    options: [float32, int32]
  - id: pick
    type: choice
    prompt: Which one maps?
    options: [jit, vmap]
    correct: [1]
  - id: card
    type: card
    prompt: Front
    back: Back
  - id: body
    type: fill
    input: block
    prompt: Body?
    code: |
      def f(x):
          ___
      out = f(1)
    solution: return x
    wrong: [return 0]
"""

OTHER = """\
format: 1
deck: other
title: Other
questions:
  - id: one
    type: value
    prompt: Value?
    code: out = 1
    expect: "1"
"""


@pytest.fixture
def deck():
    return load_deck_text(DECK, Path("basics.yaml"))


@pytest.fixture
def other():
    return load_deck_text(OTHER, Path("other.yaml"))


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "progress.sqlite3") as opened:
        yield opened


def ids(session: Session) -> list[str]:
    return [e.question.id for e in session.entries]


def graded(correct: bool, status: str = "graded") -> Verdict:
    return Verdict(status=status, correct=correct, answer="x", understood="x", truth=Outcome(shape=(2,)))


def answer(store, item, rating=Rating.Good, at=T0, verdict=None) -> datetime:
    return record_answer(
        store,
        Scheduler(lambda: at),
        item,
        answer="x",
        verdict=verdict or graded(True),
        response_ms=1500,
        rating=rating,
        at=at,
    )


# -- the queue ----------------------------------------------------------------------------------


def test_a_quiz_asks_every_question_in_order(deck):
    session = Session.quiz(deck, random.Random(0))
    assert ids(session) == ["shape", "dtype", "pick", "card", "body"]
    assert session.title == "Quiz · Basics"


def test_a_shuffled_quiz_is_a_permutation_fixed_by_the_seed(deck):
    first = ids(Session.quiz(deck, random.Random(3), shuffled=True))
    assert sorted(first) == sorted(ids(Session.quiz(deck, random.Random(0))))
    assert first == ids(Session.quiz(deck, random.Random(3), shuffled=True))
    assert any(ids(Session.quiz(deck, random.Random(s), shuffled=True)) != first for s in range(5))


def test_items_are_drawn_once_with_the_session_generator(deck):
    session = Session.quiz(deck, random.Random(1))
    item = session.current()
    assert item is session.current()
    n = item.params["N"]
    assert item.code == f"out = jnp.ones(({n}, 2))"
    assert item.task.code == item.code
    again = Session.quiz(deck, random.Random(1)).current()
    assert again.params == item.params


def test_peek_draws_the_next_item_which_advance_then_returns(deck):
    session = Session.quiz(deck, random.Random(0))
    upcoming = session.peek()
    assert session.advance() is upcoming
    for _ in range(3):
        session.advance()
    assert session.peek() is None
    assert session.advance() is None and session.finished


def test_input_kinds_follow_the_question(deck):
    session = Session.quiz(deck, random.Random(0))
    kinds = [session.item(i).input_kind() for i in range(len(session))]
    assert kinds == ["line", "line", "options", "card", "block"]  # recall first: options on request
    shown = [session.item(i).input_kind(options_shown=True) for i in range(len(session))]
    assert shown == ["line", "options", "options", "card", "block"]
    assert session.item(2).task is None  # a choice is not executed
    assert session.item(3).task is None  # nor a card without code


def test_the_lesson_comes_before_the_first_question_of_a_new_deck(deck, store):
    session = Session.quiz(deck, random.Random(0), store=store, now=T0)
    assert session.item(0).lesson and not session.item(1).lesson
    answer(store, session.item(0))
    assert not Session.quiz(deck, random.Random(0), store=store, now=T0).item(0).lesson


def test_an_edited_question_is_noticed(deck, store):
    item = Session.quiz(deck, random.Random(0)).item(1)
    answer(store, item)
    edited = load_deck_text(DECK.replace("prompt: Dtype?", "prompt: Which dtype?"), Path("basics.yaml"))
    assert content_hash(edited.deck, edited.deck.question("dtype")) != item.content_hash
    session = Session.quiz(edited, random.Random(0), store=store, now=T0)
    assert session.item(1).changed and not session.item(0).changed


def test_study_asks_due_questions_first_then_a_few_new_ones(deck, other, store):
    quiz = Session.quiz(deck, random.Random(0))
    answer(store, quiz.item(3), Rating.Again, at=T0)  # card: due again soon
    answer(store, quiz.item(1), Rating.Again, at=T0 + timedelta(minutes=5))
    answer(store, quiz.item(0), Rating.Easy, at=T0)  # not due tomorrow
    later = T0 + timedelta(days=1)
    session = Session.study([deck, other], store, later, random.Random(0), new_limit=2)
    assert [(e.deck.id, e.question.id) for e in session.entries] == [
        ("basics", "card"),  # most overdue first
        ("basics", "dtype"),
        ("basics", "pick"),  # then new ones, up to the limit
        ("basics", "body"),
    ]
    only_other = Session.study([other], store, later, random.Random(0))
    assert ids(only_other) == ["one"]


def test_study_skips_cards_of_questions_no_longer_in_the_deck(deck, store):
    answer(store, Session.quiz(deck, random.Random(0)).item(0), Rating.Again)
    smaller = load_deck_text(
        DECK.split("  - id: dtype")[0].replace("id: shape", "id: renamed"), Path("b.yaml")
    )
    session = Session.study([smaller], store, T0 + timedelta(days=1), random.Random(0))
    assert ids(session) == ["renamed"]


# -- answers ------------------------------------------------------------------------------------


def test_fill_blank_indents_a_block_to_the_blank(deck):
    body = Session.quiz(deck, random.Random(0)).item(4)
    assert body.code_with("y = x\nreturn y") == "def f(x):\n    y = x\n    return y\nout = f(1)\n"
    assert fill_blank("f(___)", "0, None", block=False) == "f(0, None)"


@pytest.mark.parametrize(
    ("verdict", "ms", "hinted", "expected"),
    [
        (graded(False), 1000, False, Rating.Again),
        (graded(True), 1000, False, Rating.Easy),
        (graded(True), 1000, True, Rating.Good),  # the hint did part of the work
        (graded(True), 30_000, False, Rating.Good),
        (graded(True), 120_000, True, Rating.Hard),
        (None, 1000, False, Rating.Good),  # a card: the learner decides
    ],
)
def test_the_proposed_rating(deck, verdict, ms, hinted, expected):
    item = Session.quiz(deck, random.Random(0)).item(0)
    assert propose(item, verdict, ms, looked=hinted) == expected


def test_a_broken_question_is_not_recorded():
    assert not records(graded(False, "question-error"))
    assert records(graded(False, "timeout")) and records(None)


def test_recording_writes_the_review_and_the_card_together(deck, store):
    item = Session.quiz(deck, random.Random(0)).item(0)
    due = answer(store, item, Rating.Good)
    [review] = store.reviews()
    assert (review.deck, review.question, review.params) == ("basics", "shape", item.params)
    assert review.content_hash == item.content_hash
    assert (review.correct, review.rating, review.response_ms) == (True, 3, 1500)
    assert review.verdict == {
        "status": "graded",
        "correct": True,
        "understood": "x",
        "truth": "shape (2,)",
        "device": "",
    }
    card = store.card("basics", "shape")
    assert card.due == due > T0
    # the next review continues the same FSRS card
    later = answer(store, item, Rating.Good, at=due)
    assert later - due > due - T0


def test_a_self_graded_card_is_recorded_without_correctness(deck, store):
    card = Session.quiz(deck, random.Random(0)).item(3)
    record_answer(
        store, Scheduler(lambda: T0), card, answer="", verdict=None, response_ms=0, rating=Rating.Hard, at=T0
    )
    [review] = store.reviews()
    assert review.correct is None and review.verdict == {"status": "self-graded"}
    assert verdict_summary(None) == {"status": "self-graded"}


# -- grading ------------------------------------------------------------------------------------


class FakeEngine:
    """Counts calls. A test can hold `prepare` in the middle of executing, as a real first execution
    is for a while: clear `go_on`, wait for `preparing`, set `go_on` to let it finish."""

    def __init__(self, fail: bool = False) -> None:
        self.prepared: list[str] = []
        self.graded: list[tuple[str, Prepared | None]] = []
        self.forgotten: list[Prepared] = []
        self.fail = fail
        self.preparing = threading.Event()
        self.go_on = threading.Event()
        self.go_on.set()

    def prepare(self, task):
        self.preparing.set()
        if not self.go_on.wait(WAIT_S):
            raise AssertionError("a preparation was held and never let go")
        self.prepared.append(task.code)
        return Prepared(f"token-{len(self.prepared)}", task, Outcome(shape=(2,)))

    def grade(self, task, answer, prepared=None):
        if self.fail:
            raise EngineError("the JAX worker could not start")
        self.graded.append((answer, prepared))
        return replace(graded(True), answer=answer)

    def forget(self, *prepared):
        self.forgotten.extend(prepared)

    def explore(self, code, setup=None, answer=None, timeout=10.0, devices=None):
        raise EngineError("worker gone")


def test_a_truth_is_prepared_once_even_when_grading_races_the_preparation(deck, monkeypatch):
    # The race is made to happen, not hoped for: the preparation is held inside the engine until
    # the grading thread is seen waiting for that same truth, and only then let go. A grader that
    # prepared again instead would never wait (and would count two preparations).
    engine = FakeEngine()
    engine.go_on.clear()
    waiting = threading.Event()

    class WatchedFuture(Future):
        def result(self, timeout=None):
            waiting.set()
            return super().result(timeout)

    monkeypatch.setattr(grading, "Future", WatchedFuture)
    grader = Grader(engine)  # type: ignore[arg-type]
    item = Session.quiz(deck, random.Random(0)).item(0)
    ahead = threading.Thread(target=grader.prepare, args=(item,))
    ahead.start()
    assert engine.preparing.wait(WAIT_S)
    verdicts: list[Verdict] = []
    behind = threading.Thread(target=lambda: verdicts.append(grader.grade(item, "(1, 2)")))
    behind.start()
    waited = waiting.wait(WAIT_S)
    engine.go_on.set()
    ahead.join(WAIT_S)
    behind.join(WAIT_S)
    assert waited, "grading did not wait for the truth being prepared"
    assert len(engine.prepared) == 1
    [verdict] = verdicts
    assert verdict.answer == "(1, 2)"
    [(typed, prepared)] = engine.graded
    assert typed == "(1, 2)" and prepared is not None and prepared.token == "token-1"
    grader.forget(item)
    assert engine.forgotten == [prepared]


def test_options_of_an_executing_question_are_graded_as_typed_while_it_is_prepared(deck):
    engine = FakeEngine()
    grader = Grader(engine)  # type: ignore[arg-type]
    item = Session.quiz(deck, random.Random(0)).item(1)
    grader.prepare(item)
    assert [typed for typed, _ in engine.graded] == item.options
    assert all(prepared is not None and prepared.token == "token-1" for _, prepared in engine.graded)
    chosen = grader.choose(item, [1])
    assert chosen.answer == item.options[1]
    assert len(engine.graded) == len(item.options)  # choosing looked the verdict up


def test_an_option_is_graded_when_chosen_if_grading_ahead_failed(deck):
    engine = FakeEngine()
    grader = Grader(engine)  # type: ignore[arg-type]
    item = Session.quiz(deck, random.Random(0)).item(1)
    engine.fail = True
    grader.prepare(item)
    engine.fail = False
    assert grader.choose(item, [1]).answer == item.options[1]


def test_a_choice_is_graded_by_its_index_without_the_engine(deck):
    engine = FakeEngine()
    grader = Grader(engine)  # type: ignore[arg-type]
    item = Session.quiz(deck, random.Random(0)).item(2)
    right, wrong = grader.choose(item, [1]), grader.choose(item, [0])
    assert right.correct and right.answer == "vmap"
    assert not wrong.correct and "vmap" in wrong.difference
    assert engine.prepared == [] and engine.graded == []


def test_an_engine_that_cannot_start_gives_a_verdict_not_an_exception(deck):
    grader = Grader(FakeEngine(fail=True))  # type: ignore[arg-type]
    item = Session.quiz(deck, random.Random(0)).item(0)
    verdict = grader.grade(item, "(1, 2)")
    assert verdict.status == "crashed" and "could not start" in verdict.error
    exploration = grader.explore(item, "out = 1", "out")
    assert exploration.outcome.status == "crashed"
