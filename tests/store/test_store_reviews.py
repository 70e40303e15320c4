"""Reviews, cards, due questions, summaries, content changes and drills, in a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from jaxquiz.errors import StoreError
from jaxquiz.store import MASTERY_STABILITY_DAYS, CardState, DeckSummary, Review, Store
from jaxquiz.study.scheduler import Rating, Scheduler

MakeReview = Callable[..., Review]
MakeCard = Callable[..., str]


def test_reviews_round_trip(store: Store, make_review: MakeReview, t0: datetime) -> None:
    tokyo = timezone(timedelta(hours=9))
    first = make_review(at=t0.astimezone(tokyo), params={"shape": [2, 3], "name": "é"})
    second = make_review(at=t0 + timedelta(minutes=1), question="q2", correct=None, rating=4, answer="")
    ids = [store.record_review(first), store.record_review(second)]

    assert ids[0] < ids[1]
    assert store.reviews() == [first, second]
    read = store.reviews()[0]
    assert read.at.tzinfo == UTC  # stored and returned as UTC, same instant
    assert read.correct is True
    assert store.reviews()[1].correct is None


def test_reviews_survive_reopen_and_filter(db_path: Path, make_review: MakeReview, t0: datetime) -> None:
    early = make_review(at=t0, deck="a")
    late_a = make_review(at=t0 + timedelta(days=1), deck="a")
    late_b = make_review(at=t0 + timedelta(days=1), deck="b")
    with Store.open(db_path) as store:
        for review in (late_b, late_a, early):
            store.record_review(review)

    with Store.open(db_path) as store:
        assert store.reviews() == [early, late_b, late_a]  # by time, then insertion
        assert store.reviews(deck="a") == [early, late_a]
        assert store.reviews(since=t0 + timedelta(days=1)) == [late_b, late_a]
        assert store.reviews(deck="b", since=t0 + timedelta(days=2)) == []


def test_naive_datetimes_are_refused(store: Store, make_review: MakeReview) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_review(at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        store.due_questions(None, datetime(2025, 1, 1))
    with pytest.raises(ValueError, match=r"1\.\.4"):
        make_review(rating=5)


def test_record_review_sets_the_card(
    store: Store, make_review: MakeReview, t0: datetime, make_card: MakeCard
) -> None:
    assert store.card("basics", "q1") is None
    store.record_review(make_review())  # no card: logged, not scheduled
    assert store.card("basics", "q1") is None

    due = t0 + timedelta(days=3)
    card = make_card(due, stability=3.2)
    store.record_review(make_review(content_hash="h2"), card)

    assert store.card("basics", "q1") == CardState("basics", "q1", card, "h2", due, 3.2)
    assert len(store.reviews()) == 2


def test_review_and_card_are_one_transaction(
    store: Store, db_path: Path, make_review: MakeReview, t0: datetime, make_card: MakeCard
) -> None:
    # Make the card write fail after the review row was inserted, from outside our code.
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("CREATE TRIGGER refuse BEFORE INSERT ON cards BEGIN SELECT RAISE(ABORT, 'refused'); END")
    other.close()

    with pytest.raises(sqlite3.IntegrityError, match="refused"):
        store.record_review(make_review(), make_card(t0))
    assert store.reviews() == []
    # The store is still usable afterwards.
    store.record_review(make_review())
    assert len(store.reviews()) == 1


def test_bad_card_json_writes_nothing(store: Store, make_review: MakeReview) -> None:
    with pytest.raises(ValueError, match=r"fsrs\.Card JSON"):
        store.record_review(make_review(), '{"stability": 1.0}')
    assert store.reviews() == []


def test_due_questions_follow_fsrs_intervals(store: Store, make_review: MakeReview, t0: datetime) -> None:
    scheduler = Scheduler(lambda: t0)
    # New cards, fuzz off, default FSRS-6 weights: Again 1 min, Good 10 min, Easy 8 days.
    for deck, question, rating in [
        ("a", "good", Rating.Good),
        ("a", "easy", Rating.Easy),
        ("a", "again", Rating.Again),
        ("b", "good", Rating.Good),
    ]:
        card, _due = scheduler.review(None, rating)
        store.record_review(make_review(deck=deck, question=question, rating=rating), card)

    assert store.due_questions(None, t0) == []
    assert store.due_questions(None, t0 + timedelta(seconds=59)) == []
    assert store.due_questions(None, t0 + timedelta(minutes=1)) == [("a", "again")]
    at_10 = t0 + timedelta(minutes=10)
    assert store.due_questions(None, at_10) == [("a", "again"), ("a", "good"), ("b", "good")]
    assert store.due_questions(["b"], at_10) == [("b", "good")]
    assert store.due_questions([], at_10) == []
    assert store.due_questions(["a"], t0 + timedelta(days=8) - timedelta(microseconds=1)) == [
        ("a", "again"),
        ("a", "good"),
    ]
    assert ("a", "easy") in store.due_questions(["a"], t0 + timedelta(days=8))


def test_deck_summary_counts_and_mastery(
    store: Store, make_review: MakeReview, t0: datetime, make_card: MakeCard
) -> None:
    now = t0 + timedelta(days=10)
    past, future = now - timedelta(hours=1), now + timedelta(days=30)
    mature = MASTERY_STABILITY_DAYS
    for question, correct, rating, due, stability in [
        ("right_mature", True, 3, future, mature),  # mastered
        ("right_young", True, 4, future, mature - 0.1),  # not yet stable
        ("wrong_mature", False, 1, past, mature + 10),  # last answer wrong
        ("self_easy", None, 4, past, mature + 1),  # self-graded Easy: mastered
        ("self_hard", None, 2, future, mature + 1),  # self-graded Hard: not
        ("removed", True, 3, past, mature + 1),  # no longer in the deck: ignored
    ]:
        store.record_review(
            make_review(question=question, correct=correct, rating=rating),
            make_card(due, stability),
        )
    store.record_review(make_review(deck="other", question="unseen"), make_card(past))
    questions = ["right_mature", "right_young", "wrong_mature", "self_easy", "self_hard", "unseen"]

    summary = store.deck_summary("basics", questions, now)

    assert summary == DeckSummary(total=6, seen=5, due=2, mastered=2)
    assert summary.new == 1
    assert summary.mastery == pytest.approx(2 / 6)
    assert store.deck_summary("empty", [], now).mastery == 0.0


def test_mastery_uses_the_latest_review(
    store: Store, make_review: MakeReview, t0: datetime, make_card: MakeCard
) -> None:
    stable = make_card(t0 + timedelta(days=40), MASTERY_STABILITY_DAYS + 5)
    store.record_review(make_review(correct=True), stable)
    assert store.deck_summary("basics", ["q1"], t0).mastered == 1
    store.record_review(make_review(correct=False, rating=1), stable)
    assert store.deck_summary("basics", ["q1"], t0).mastered == 0


def test_changed_questions(store: Store, make_review: MakeReview, t0: datetime, make_card: MakeCard) -> None:
    for question, content_hash in [("q1", "h1"), ("q2", "h2"), ("q3", "h3")]:
        store.record_review(make_review(question=question, content_hash=content_hash), make_card(t0))
    store.record_review(make_review(deck="other", question="q1", content_hash="x"), make_card(t0))

    current = {"q1": "h1", "q2": "h2-edited", "q4": "h4"}  # q3 removed, q4 new
    assert store.changed_questions("basics", current) == {"q2"}
    # Reviewing the edited question records the new hash.
    store.record_review(make_review(question="q2", content_hash="h2-edited"), make_card(t0))
    assert store.changed_questions("basics", current) == set()


def test_drills(store: Store, db_path: Path, make_review: MakeReview, t0: datetime) -> None:
    drill = store.start_drill({"deck": "basics", "count": 10}, t0)
    store.record_review(make_review(drill_id=drill))
    store.finish_drill(drill, t0 + timedelta(minutes=5), {"score": 9})

    assert store.reviews()[0].drill_id == drill
    row = sqlite3.connect(db_path).execute("SELECT * FROM drills").fetchone()
    assert row == (
        drill,
        "2025-03-01T12:00:00.000000+00:00",
        "2025-03-01T12:05:00.000000+00:00",
        '{"count": 10, "deck": "basics"}',
        '{"score": 9}',
    )
    with pytest.raises(ValueError, match="no drill"):
        store.finish_drill(drill + 1, t0, {})
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are enforced
        store.record_review(make_review(drill_id=drill + 1))


def test_in_memory_store(make_review: MakeReview, t0: datetime, make_card: MakeCard) -> None:
    with Store.open(":memory:") as store:
        store.record_review(make_review(), make_card(t0))
        assert store.path == ":memory:"
        assert store.due_questions(None, t0) == [("basics", "q1")]


def test_take_back_puts_the_card_back_and_refuses_once_a_later_review_exists(
    store: Store, make_review: MakeReview, t0: datetime, make_card: MakeCard
) -> None:
    first = store.record_review(make_review(at=t0), make_card(t0 + timedelta(days=1)))
    before = store.card("basics", "q1")
    second = store.record_review(make_review(at=t0 + timedelta(hours=1)), make_card(t0 + timedelta(days=4)))
    third = store.record_review(make_review(at=t0 + timedelta(hours=2)), make_card(t0 + timedelta(days=9)))
    # An undo kept across a pause whose question was answered again since: it would erase `third`.
    with pytest.raises(StoreError, match="answered again since") as info:
        store.take_back(second, before)
    assert "nothing to undo" in info.value.message
    assert len(store.reviews()) == 3

    after_second = store.card("basics", "q1")
    store.take_back(third, after_second)
    store.take_back(second, before)
    assert store.card("basics", "q1") == before and len(store.reviews()) == 1
    store.take_back(first, None)
    assert store.card("basics", "q1") is None and store.reviews() == []
    with pytest.raises(StoreError, match="no longer in the log"):
        store.take_back(first, None)


def test_a_paused_quiz_is_kept_per_deck_replaced_and_dropped(db_path: Path, t0: datetime) -> None:
    with Store.open(db_path) as store:
        assert store.paused_quiz("basics") is None
        store.save_paused_quiz("basics", {"position": 1, "entries": ["a", "b"]}, t0)
        store.save_paused_quiz("basics", {"position": 2, "entries": ["a", "b"]}, t0 + timedelta(minutes=1))
        store.save_paused_quiz("other", {"position": 0}, t0)
    with Store.open(db_path) as store:  # kept across a restart
        kept = store.paused_quiz("basics")
        assert kept is not None
        assert (kept.deck, kept.saved_at, kept.state) == (
            "basics",
            t0 + timedelta(minutes=1),
            {"position": 2, "entries": ["a", "b"]},
        )
        store.drop_paused_quiz("basics")
        store.drop_paused_quiz("basics")  # dropping twice is no error (start over, then finish)
        assert store.paused_quiz("basics") is None
        assert store.paused_quiz("other") is not None
