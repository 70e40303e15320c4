"""A deck quiz left before its end is kept in the store and rebuilt on a new connection (a restart):
the same questions in the same order, the same draws, the answers, and undo reaching back before
the pause. A deck edited in between resumes with what it has now. Drills take back their answers.

Pure Python with a real SQLite file; the engine is not needed here (see tests/tui for the app).
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jaxquiz.decks.loader import load_deck_text
from jaxquiz.engine import Outcome, Verdict
from jaxquiz.errors import StoreError
from jaxquiz.store import Store
from jaxquiz.study import paused
from jaxquiz.study.drill_run import DrillRun
from jaxquiz.study.drills import DrillSettings
from jaxquiz.study.scheduler import Rating, Scheduler
from jaxquiz.study.session import Attempt, Session

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def question(qid: str, value: int, *, params: bool = False) -> str:
    if params:
        return f"""\
  - id: {qid}
    type: value
    prompt: Value of $N?
    params: {{N: [1, 2, 3, 4, 5, 6, 7, 8]}}
    code: out = $N
    expect: "$N"
"""
    return f"""\
  - id: {qid}
    type: value
    prompt: Value?
    code: out = {value}
    expect: "{value}"
"""


HEAD = "format: 1\ndeck: paused\ntitle: Paused\nquestions:\n"
DECK = HEAD + "".join(question(f"q{n}", n, params=n == 2) for n in range(6))


def deck_of(text: str):
    return load_deck_text(text, Path("paused.yaml"))


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "progress.sqlite3"


def verdict(correct: bool) -> Verdict:
    return Verdict(status="graded", correct=correct, answer="x", truth=Outcome(shape=()))


def reply(session: Session, store: Store, correct: bool, rating: Rating) -> None:
    item = session.current()
    assert item is not None
    session.answer(Attempt(item, "x", verdict(correct), 1000), rating, store, Scheduler(lambda: T0), T0)


def quiz(text: str = DECK, seed: int = 0) -> Session:
    return Session.quiz(deck_of(text), random.Random(seed), shuffled=True)


def asked(session: Session) -> list[str]:
    return [e.question.id + ("*" if e.again else "") for e in session.entries]


def test_a_quiz_left_midway_resumes_on_a_new_connection_as_it_was(db):
    with Store.open(db) as store:
        session = quiz()
        reply(session, store, True, Rating.Good)
        reply(session, store, False, Rating.Again)  # queued again a few questions later
        session.peek()  # the question after the current one is drawn too (prepared ahead)
        order, position = asked(session), session.position
        draws = {i: item.params for i, item in session.drawn.items()}
        paused.save(session, store, T0)

    with Store.open(db) as store:  # the app closed and opened again
        left = paused.load(quiz(seed=99), store)  # another seed: nothing comes from the new draw
        assert left is not None and left.session is not None
        resumed = left.session
        assert asked(resumed) == order and resumed.position == position == 2
        assert {i: item.params for i, item in resumed.drawn.items()} == draws
        assert [(r.item.question.id, r.correct, r.rating) for r in resumed.results] == [
            (order[0], True, Rating.Good),
            (order[1], False, Rating.Again),
        ]
        assert left.describe() == "You left this quiz at question 3 of 7 (1 right so far)."
        assert resumed.title == "Quiz · Paused (shuffled)"

        # Undo reaches back past the restart: the review, the card and the queued copy go, and
        # the answer comes back to the field.
        assert [t.answer for t in resumed.undo] == ["x", "x"]
        missed = order[1]
        back = resumed.take_back(store)
        assert back.question.id == missed and resumed.position == 1
        assert asked(resumed).count(missed) == 1 and len(resumed) == 6
        assert [r.question for r in store.reviews()] == [order[0]]
        assert store.card("paused", missed) is None


def test_a_quiz_paused_before_answers_were_kept_for_undo_resumes_with_undo(db):
    with Store.open(db) as store:
        session = quiz()
        reply(session, store, True, Rating.Good)
        state = paused.state_of(session)
        for taken in state["undo"]:
            del taken["answer"]  # as an earlier version saved it
        assert session.resume_key
        store.save_paused_quiz(session.resume_key, state, T0)
        left = paused.load(quiz(), store)
        assert left is not None and left.session is not None
        assert [t.answer for t in left.session.undo] == [""]
        assert left.session.take_back(store).question.id == session.entries[0].question.id


def test_the_place_is_forgotten_when_the_quiz_ends_or_starts_over(db):
    with Store.open(db) as store:
        session = quiz()
        reply(session, store, True, Rating.Good)
        paused.save(session, store, T0)
        assert store.paused_quiz("paused") is not None
        paused.forget(session, store)  # start over
        assert paused.load(quiz(), store) is None

        while not session.finished:
            reply(session, store, True, Rating.Good)
        paused.save(session, store, T0)
        assert store.paused_quiz("paused") is None

        study = Session.study([deck_of(DECK)], store, T0 + timedelta(days=400), random.Random(0))
        paused.save(study, store, T0)  # a study session has no place to keep
        assert store.paused_quiz("paused") is None


def test_a_deck_edited_in_between_resumes_with_what_it_has_now(db):
    with Store.open(db) as store:
        session = Session.quiz(deck_of(DECK), random.Random(0))  # in order: q0 .. q5
        reply(session, store, True, Rating.Good)  # q0
        reply(session, store, True, Rating.Good)  # q1
        session.current()  # q2 drawn, on screen
        paused.save(session, store, T0)

    # q1 (answered) and q4 (not yet) removed, q3 edited, q2 gets other parameters, q9 is new.
    edited = HEAD + "".join(
        [
            question("q0", 0),
            question("q2", 0, params=True).replace("[1, 2, 3, 4, 5, 6, 7, 8]", "[10, 20]"),
            question("q3", 33),
            question("q5", 5),
            question("q9", 9),
        ]
    )
    with Store.open(db) as store:
        left = paused.load(Session.quiz(deck_of(edited), random.Random(1)), store)
        assert left is not None and left.session is not None
        resumed = left.session
        assert asked(resumed) == ["q0", "q2", "q3", "q5", "q9"]
        assert resumed.position == 1 and [r.item.question.id for r in resumed.results] == ["q0"]
        assert resumed.current().params["N"] in (10, 20)  # type: ignore[union-attr]  # redrawn
        assert resumed.item(2).shown.code == "out = 33"  # type: ignore[union-attr]  # as it reads now
        assert not resumed.can_take_back  # undo belongs to the deck as it was
        assert (left.removed, left.edited, left.added) == (2, 2, 1)
        assert left.describe() == (
            "You left this quiz at question 2 of 5 (1 right so far). The deck changed since:"
            " 2 questions removed, 2 questions edited, 1 question new, asked at the end."
        )


def test_a_quiz_with_nothing_left_to_ask_or_unreadable_starts_over_and_says_why(db):
    with Store.open(db) as store:
        session = Session.quiz(deck_of(DECK), random.Random(0))
        reply(session, store, True, Rating.Good)  # q0
        paused.save(session, store, T0)
        only_q0 = deck_of(HEAD + question("q0", 0))
        left = paused.load(Session.quiz(only_q0, random.Random(0)), store)
        assert left is not None and left.session is None and "no longer in the deck" in left.why
        assert store.paused_quiz("paused") is None  # forgotten

        for state in ({"version": 999}, {"version": paused.STATE_VERSION, "entries": "garbage"}, None):
            store.save_paused_quiz("paused", state or {}, T0)
            if state is None:  # not JSON at all
                with sqlite3.connect(db) as raw:
                    raw.execute("UPDATE paused_quizzes SET state = '{not json'")
            left = paused.load(Session.quiz(deck_of(DECK), random.Random(0)), store)
            assert left is not None and left.session is None and "starting over" in left.why
            assert store.paused_quiz("paused") is None


# -- undo in drills ------------------------------------------------------------------------------


def drill(store: Store, **settings) -> DrillRun:
    clock = [T0]
    scheduler = Scheduler(lambda: clock[0])
    run = DrillRun.start([deck_of(DECK)], DrillSettings(**settings), store, scheduler, random.Random(0))
    assert run is not None
    return run


def answer(run: DrillRun, correct: bool) -> None:
    item = run.current()
    assert item is not None
    run.record(item, "x", verdict(correct), 2000)


def test_undo_in_a_drill_takes_the_answer_out_of_the_score_and_the_store(db):
    with Store.open(db) as store:
        run = drill(store, count=4)
        assert not run.can_take_back
        answer(run, True)
        first_card = store.card("paused", run.answered[0].item.question.id)
        answer(run, False)
        missed = run.answered[1].item
        assert run.can_take_back and run.drill.position == 2 and len(store.reviews()) == 2

        back = run.take_back()
        assert back is missed and run.current() is missed  # the same draw, asked again
        assert (run.drill.position, run.correct(), len(run.answered)) == (1, 1, 1)
        assert [r.question for r in store.reviews()] == [run.answered[0].item.question.id]
        assert store.card("paused", missed.question.id) is None
        assert store.card("paused", run.answered[0].item.question.id) == first_card

        answer(run, True)
        assert [a.correct for a in run.answered] == [True, True]
        assert [r.drill_id for r in store.reviews()] == [run.drill_id] * 2
        assert run.finish().correct == 2


def test_no_undo_in_an_interview_after_a_skip_or_once_the_drill_is_over(db):
    with Store.open(db) as store:
        interview = drill(store, count=3, interview=True)
        answer(interview, False)
        assert not interview.can_take_back

        run = drill(store, count=5)
        answer(run, False)
        item = run.current()
        assert item is not None
        broken = Verdict(status="question-error", correct=False, answer="x", truth=Outcome())
        run.record(item, "x", broken, 1000)
        assert not run.can_take_back  # the skipped question left the drill: undo stops there
        answer(run, True)
        assert run.can_take_back
        run.take_back()
        assert not run.can_take_back

        answer(run, True)
        answer(run, True)
        answer(run, True)  # the count (one fewer for the skip) is reached: the drill is over
        assert run.drill.total == 4
        assert run.over and not run.can_take_back


def test_a_store_that_refuses_an_undo_changes_nothing(db):
    with Store.open(db) as store:
        session = Session.quiz(deck_of(DECK), random.Random(0))
        reply(session, store, True, Rating.Good)
        later = Session.quiz(deck_of(DECK), random.Random(0))
        reply(later, store, False, Rating.Again)  # q0 answered again elsewhere since
        with pytest.raises(StoreError):
            session.take_back(store)
        assert session.can_take_back and session.position == 1 and len(session.results) == 1
