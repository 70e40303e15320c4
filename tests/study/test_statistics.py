"""Statistics computed from a real database filled with known reviews give the known numbers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jaxquiz.decks.loader import load_deck_text
from jaxquiz.store import Review, Store
from jaxquiz.study import statistics
from jaxquiz.study.drills import DrillSettings

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)  # a Wednesday


def review(days_ago: float, deck: str, question: str, correct: bool | None, rating: int = 3) -> Review:
    return Review(
        at=NOW - timedelta(days=days_ago),
        deck=deck,
        question=question,
        content_hash="h",
        params={},
        answer="x",
        correct=correct,
        verdict={},
        response_ms=1000,
        rating=rating,
    )


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "progress.sqlite3") as store:
        yield store


def card_due(in_days: float) -> str:
    """An fsrs card JSON due `in_days` from NOW."""
    due = (NOW + timedelta(days=in_days)).isoformat()
    card = {"card_id": 1, "state": 2, "step": None, "stability": 3.0, "difficulty": 5.0}
    return json.dumps({**card, "due": due, "last_review": NOW.isoformat()})


def test_empty_database_gives_empty_stats(store):
    stats = statistics.compute(store, {}, NOW)
    assert stats.empty
    assert stats.streak_days == 0
    assert len(stats.reviews_per_day) == statistics.ACTIVITY_DAYS
    assert all(count == 0 for _, count in stats.reviews_per_day)
    assert stats.accuracy_by_deck == []


def test_known_reviews_give_known_numbers(store):
    rows = [
        (0, "vmap", "a", True),
        (0, "vmap", "b", False),
        (1, "vmap", "a", True),
        (2, "prng", "k", True),
        (4, "prng", "k", False),  # a gap on day 3 ends the streak
        (9, "prng", "card", None),  # self-graded Good: recalled
    ]
    for days_ago, deck, question, correct in rows:
        store.record_review(review(days_ago, deck, question, correct))
    tags = {("vmap", "a"): ["axes"], ("vmap", "b"): ["axes", "pytrees"], ("prng", "k"): ["keys"]}
    stats = statistics.compute(store, tags, NOW)
    assert stats.total_reviews == 6
    assert stats.streak_days == 3
    per_day = dict(stats.reviews_per_day)
    assert per_day["2026-03-11"] == 2 and per_day["2026-03-10"] == 1 and per_day["2026-03-08"] == 0
    by_deck = {a.name: (a.reviews, a.recalled) for a in stats.accuracy_by_deck}
    assert by_deck == {"prng": (3, 2), "vmap": (3, 2)}
    by_tag = {a.name: (a.reviews, a.recalled) for a in stats.accuracy_by_tag}
    assert by_tag == {"axes": (3, 2), "pytrees": (1, 0), "keys": (2, 1)}
    # weeks start on Monday: 2026-03-09 holds days 0-2, 2026-03-02 holds days 4 and 9
    assert stats.retention_by_week == [("2026-03-02", 0.5), ("2026-03-09", 0.75)]


def test_streak_counts_from_yesterday_when_nothing_was_done_today(store):
    for days_ago in (1, 2):
        store.record_review(review(days_ago, "d", "q", True))
    assert statistics.compute(store, {}, NOW).streak_days == 2


def test_due_forecast_counts_overdue_cards_today(store):
    for n, (question, due_in) in enumerate([("a", -3), ("b", 0.1), ("c", 2.2), ("d", 30)]):
        store.record_review(review(5 + n, "deck", question, True), card_due(due_in))
    forecast = dict(statistics.compute(store, {}, NOW).due_forecast)
    assert forecast["2026-03-11"] == 2  # overdue a + b due later today
    assert forecast["2026-03-13"] == 1
    assert sum(forecast.values()) == 3  # d is beyond the 14-day window


def test_drill_scores_over_time(store):
    settings = DrillSettings(count=5, decks=("vmap",))
    drill = store.start_drill(settings.as_json(), NOW - timedelta(days=1))
    store.finish_drill(drill, NOW, {"correct": 4, "answered": 5, "settings_key": settings.key()})
    store.start_drill(settings.as_json(), NOW)  # unfinished: not plotted
    points = statistics.compute(store, {}, NOW).drills
    assert [(p.at, p.correct, p.answered) for p in points] == [("2026-03-10", 4, 5)]
    assert points[0].settings == "5 questions · vmap"


def test_a_tag_on_both_the_deck_and_the_question_counts_once_per_review(store):
    deck = load_deck_text(
        "format: 1\ndeck: d\ntitle: D\ntags: [einsum, shapes]\nquestions:\n"
        "  - id: q\n    type: shape\n    prompt: P\n    code: out = jnp.ones(2)\n    expect: '2'\n"
        "    tags: [einsum, broadcasting]\n",
        Path("d.yaml"),
    )
    store.record_review(review(0, "d", "q", False))
    tags = statistics.question_tags([deck])
    assert tags == {("d", "q"): ("einsum", "shapes", "broadcasting")}
    by_tag = {a.name: a.reviews for a in statistics.compute(store, tags, NOW).accuracy_by_tag}
    assert by_tag == {"einsum": 1, "shapes": 1, "broadcasting": 1}
