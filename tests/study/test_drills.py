"""Drills: question picking, the injected clock ending a timed drill, and the summary's numbers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jaxquiz.decks import load_deck_file
from jaxquiz.study.drills import (
    Drill,
    DrillAnswer,
    DrillSettings,
    personal_best,
    pick_questions,
    summarize,
)

DECK = """
format: 1
deck: {id}
title: Test deck {id}
tags: [{id}-tag]
questions:
"""
QUESTION = """
  - id: q{n}
    type: shape
    prompt: shape?
    code: out = jnp.ones({n})
    expect: "{n}"
    difficulty: {difficulty}
    tags: [{tag}]
"""
CARD = """
  - id: card
    type: card
    prompt: front
    back: back
"""


def write_deck(tmp_path: Path, deck_id: str, difficulties: list[int]) -> Path:
    text = DECK.format(id=deck_id)
    for n, difficulty in enumerate(difficulties, start=1):
        text += QUESTION.format(n=n, difficulty=difficulty, tag="hard" if difficulty == 3 else "easy")
    text += CARD
    path = tmp_path / f"{deck_id}.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def decks(tmp_path):
    return [
        load_deck_file(write_deck(tmp_path, "alpha", [1, 1, 1, 3])),
        load_deck_file(write_deck(tmp_path, "beta", [1, 2, 3])),
    ]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_pick_filters_by_deck_and_tag_and_leaves_cards_out(decks):
    rng = random.Random(1)
    items = pick_questions(decks, DrillSettings(count=50, decks=("beta",)), rng)
    assert sorted(i.question.id for i in items) == ["q1", "q2", "q3"]
    hard = pick_questions(decks, DrillSettings(count=50, tags=("hard",)), rng)
    assert sorted((i.deck.id, i.question.id) for i in hard) == [("alpha", "q4"), ("beta", "q3")]
    by_deck_tag = pick_questions(decks, DrillSettings(count=50, tags=("alpha-tag",)), rng)
    assert {i.deck.id for i in by_deck_tag} == {"alpha"} and len(by_deck_tag) == 4


def test_pick_never_repeats_and_respects_the_count(decks):
    items = pick_questions(decks, DrillSettings(count=5), random.Random(3))
    assert len(items) == 5
    assert len({(i.deck.id, i.question.id) for i in items}) == 5


def test_interview_mode_weights_hard_questions_up(decks):
    firsts = [
        pick_questions(decks, DrillSettings(count=1, interview=True), random.Random(seed))[0]
        for seed in range(400)
    ]
    hard_share = sum(i.question.difficulty == 3 for i in firsts) / len(firsts)
    # 2 of 7 questions are hard; weighted 4:1 (and 2:1 for the medium one) they are drawn 8/15 of the time.
    assert 0.43 < hard_share < 0.63
    plain = [pick_questions(decks, DrillSettings(count=1), random.Random(s))[0] for s in range(400)]
    assert sum(i.question.difficulty == 3 for i in plain) / 400 < 0.4


def test_a_timed_drill_ends_on_time_with_an_injected_clock(decks):
    clock = Clock()
    drill = Drill(
        DrillSettings(minutes=1), pick_questions(decks, DrillSettings(minutes=1), random.Random(0)), clock
    )
    assert drill.remaining_s() == 60
    clock.advance(59.5)
    assert not drill.is_over()
    clock.advance(0.5)
    assert drill.is_over()
    assert drill.current() is None


def test_summary_numbers_match_what_was_answered(decks):
    clock = Clock()
    settings = DrillSettings(count=4, decks=("alpha",))
    drill = Drill(settings, pick_questions(decks, settings, random.Random(0)), clock)
    outcomes = [(True, 2000), (False, 9000), (True, 4000), (True, 3000)]
    for item, (correct, ms) in zip(drill.items, outcomes, strict=True):
        clock.advance(ms / 1000)
        drill.record(DrillAnswer(item.deck.id, item.question.id, item.tags, correct, ms))
    summary = summarize(drill, previous_best=2)
    assert (summary.answered, summary.correct) == (4, 3)
    assert summary.accuracy == 0.75
    assert summary.elapsed_s == 18
    assert summary.per_minute == pytest.approx(4 / 0.3)
    assert summary.median_ms == 3500
    assert summary.slowest_ms == 9000
    assert [(g.name, g.answered, g.correct) for g in summary.by_deck] == [("alpha", 4, 3)]
    assert summary.missed == [("alpha", drill.items[1].question.id)]
    assert summary.completed and summary.new_best


def test_an_interrupted_drill_is_not_complete_and_sets_no_best(decks):
    clock = Clock()
    settings = DrillSettings(count=4)
    drill = Drill(settings, pick_questions(decks, settings, random.Random(0)), clock)
    item = drill.items[0]
    drill.record(DrillAnswer(item.deck.id, item.question.id, item.tags, True, 1000))
    drill.stop()
    summary = summarize(drill, previous_best=None)
    assert drill.is_over()
    assert not summary.completed and not summary.new_best
    assert summary.answered == 1


def test_a_drill_with_an_answer_taken_back_completes_but_sets_no_best(decks):
    settings = DrillSettings(count=2)
    drill = Drill(settings, pick_questions(decks, settings, random.Random(0)), Clock())
    first, second = drill.items
    drill.record(DrillAnswer(first.deck.id, first.question.id, first.tags, False, 1000))
    drill.take_back()
    assert drill.current() is first  # asked again
    for item in (first, second):
        drill.record(DrillAnswer(item.deck.id, item.question.id, item.tags, True, 1000))
    summary = summarize(drill, previous_best=None)
    assert summary.completed and summary.correct == 2 and summary.taken_back == 1
    assert not summary.new_best
    assert personal_best([summary.as_json()], settings.key()) is None  # nor is it a best later


def test_personal_best_only_counts_completed_drills_with_the_same_settings():
    key = DrillSettings(count=5).key()
    other = DrillSettings(count=5, interview=True).key()
    summaries = [
        {"settings_key": key, "correct": 3, "completed": True},
        {"settings_key": key, "correct": 5, "completed": False},
        {"settings_key": other, "correct": 5, "completed": True},
        {"settings_key": key, "correct": 4, "completed": True},
        {"settings_key": key, "correct": 5, "completed": True, "taken_back": 1},
    ]
    assert personal_best(summaries, key) == 4
    assert personal_best([], key) is None


def test_settings_key_ignores_deck_order_and_round_trips_through_json():
    a = DrillSettings(count=5, decks=("b", "a"))
    assert a.key() == DrillSettings(count=5, decks=("a", "b")).key()
    assert DrillSettings.from_json(a.as_json()) == a
    with pytest.raises(ValueError):
        DrillSettings(count=0)


def test_a_timed_drill_noticed_late_stops_at_its_limit(decks):
    clock = Clock()
    settings = DrillSettings(minutes=1)
    drill = Drill(settings, pick_questions(decks, settings, random.Random(0)), clock)
    clock.advance(75)
    drill.stop()
    assert drill.elapsed_s() == 60
    assert summarize(drill, None).completed
