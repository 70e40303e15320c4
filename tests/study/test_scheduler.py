"""The scheduler is pure: fixed clocks give known FSRS intervals; ratings follow the table."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from jaxquiz.study.scheduler import FAST_S, SLOW_S, Rating, Scheduler, propose_rating

T0 = datetime(2025, 1, 1, 9, 30, tzinfo=UTC)


def fixed(moment: datetime = T0) -> Scheduler:
    return Scheduler(lambda: moment)


def test_rating_values_and_labels() -> None:
    assert [(int(r), r.label) for r in Rating] == [
        (1, "Again"),
        (2, "Hard"),
        (3, "Good"),
        (4, "Easy"),
    ]


@pytest.mark.parametrize(
    ("correct", "response_s", "difficulty", "expected"),
    [
        (False, 1.0, 1, Rating.Again),
        (False, 500.0, 3, Rating.Again),
        (True, 0.0, 1, Rating.Easy),
        (True, FAST_S, 1, Rating.Easy),  # the fast threshold is inclusive
        (True, FAST_S + 0.1, 1, Rating.Good),
        (True, SLOW_S, 1, Rating.Good),
        (True, SLOW_S + 0.1, 1, Rating.Hard),
        (True, FAST_S * 3, 3, Rating.Easy),  # thresholds scale with difficulty
        (True, FAST_S * 3 + 0.1, 3, Rating.Good),
        (True, SLOW_S * 3, 3, Rating.Good),
        (True, SLOW_S * 3 + 0.1, 3, Rating.Hard),
        (True, FAST_S, 0, Rating.Easy),  # difficulty below 1 counts as 1
        (True, FAST_S + 0.1, 0, Rating.Good),
        (None, 1.0, 1, Rating.Good),  # self-graded: neutral proposal
        (None, 1000.0, 1, Rating.Good),
    ],
)
def test_propose_rating(correct: bool | None, response_s: float, difficulty: int, expected: Rating) -> None:
    assert propose_rating(correct, response_s, difficulty) is expected
    assert fixed().propose_rating(correct, response_s, difficulty) is expected


def test_negative_response_time_is_a_bug() -> None:
    with pytest.raises(ValueError, match="response_s"):
        propose_rating(True, -1.0, 1)


@pytest.mark.parametrize(
    ("rating", "interval"),
    [
        (Rating.Again, timedelta(minutes=1)),  # first learning step
        (Rating.Hard, timedelta(minutes=5, seconds=30)),  # between the 1 and 10 minute steps
        (Rating.Good, timedelta(minutes=10)),  # second learning step
        (Rating.Easy, timedelta(days=8)),  # straight to review: initial stability 8.2956 days
    ],
)
def test_first_review_intervals(rating: Rating, interval: timedelta) -> None:
    card, due = fixed().review(None, rating)
    assert due == T0 + interval
    assert json.loads(card)["due"] == (T0 + interval).isoformat()


def test_a_card_graduates_with_known_intervals() -> None:
    scheduler = fixed()
    card, due1 = scheduler.review(None, Rating.Good)
    card, due2 = scheduler.review(card, Rating.Good, now=due1)
    card, due3 = scheduler.review(card, Rating.Good, now=due2)
    assert due1 - T0 == timedelta(minutes=10)
    assert due2 - due1 == timedelta(days=2)
    assert due3 - due2 == timedelta(days=11)
    assert json.loads(card)["stability"] == pytest.approx(10.971, abs=1e-3)


def test_lapse_goes_to_relearning() -> None:
    scheduler = fixed()
    card, due = scheduler.review(None, Rating.Easy)
    _card, after_lapse = scheduler.review(card, Rating.Again, now=due)
    assert after_lapse - due == timedelta(minutes=10)  # the relearning step


def test_review_is_deterministic_and_uses_the_clock() -> None:
    assert fixed().review(None, Rating.Good) == fixed().review(None, Rating.Good)
    later = T0 + timedelta(days=3)
    assert fixed(later).review(None, Rating.Again)[1] == later + timedelta(minutes=1)


def test_times_are_utc_and_naive_ones_refused() -> None:
    paris = timezone(timedelta(hours=1))
    _card, due = fixed().review(None, Rating.Again, now=T0.astimezone(paris))
    assert due == T0 + timedelta(minutes=1)
    assert due.tzinfo == UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        fixed().review(None, Rating.Good, now=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        Scheduler(lambda: datetime(2025, 1, 1)).review(None, Rating.Good)
