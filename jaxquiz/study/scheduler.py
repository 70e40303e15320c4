"""When to ask a question again: a pure wrapper of FSRS (the `fsrs` package) with an injected clock.

Cards travel as fsrs' own JSON so the store can keep them without importing fsrs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import fsrs

# Answer-time thresholds per difficulty level, in seconds. A question of difficulty d (1 = easiest)
# answered right within FAST_S * d is rated Easy, after more than SLOW_S * d Hard, else Good. Typing
# a JAX expression takes longer than recalling a word, hence the generous base times; scaling by
# difficulty keeps a long derivation from always counting as "hard".
FAST_S = 10.0
SLOW_S = 60.0


class Rating(IntEnum):
    """How well a question was recalled: FSRS' four grades, with the words shown to the user."""

    Again = 1
    Hard = 2
    Good = 3
    Easy = 4

    @property
    def label(self) -> str:
        """The word for this rating on a button or in a summary."""
        return _LABELS[self]


_LABELS = {
    Rating.Again: "Again",
    Rating.Hard: "Hard",
    Rating.Good: "Good",
    Rating.Easy: "Easy",
}


def propose_rating(correct: bool | None, response_s: float, difficulty: int) -> Rating:
    """The rating to suggest after an answer; the user may change it before it is recorded.

    | answer          | time                        | rating |
    |-----------------|-----------------------------|--------|
    | wrong           | any                         | Again  |
    | right           | <= FAST_S * difficulty      | Easy   |
    | right           | >  SLOW_S * difficulty      | Hard   |
    | right           | in between                  | Good   |
    | self-graded     | any                         | Good   |

    Self-graded cards (`correct=None`) have no verdict to go on, so the proposal is the neutral
    Good and the user picks. `difficulty` below 1 counts as 1.
    """
    if response_s < 0:
        raise ValueError(f"response_s must be >= 0, got {response_s}")
    if correct is None:
        return Rating.Good
    if not correct:
        return Rating.Again
    level = max(1, difficulty)
    if response_s <= FAST_S * level:
        return Rating.Easy
    if response_s > SLOW_S * level:
        return Rating.Hard
    return Rating.Good


class Scheduler:
    """FSRS scheduling with time taken from `clock` (returning timezone-aware UTC datetimes).

    Fuzzing (random jitter on intervals) is off by default so that the same history always gives
    the same due dates: reproducible tests, and no randomness hidden in a "pure" scheduler.
    """

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        desired_retention: float = 0.9,
        fuzz: bool = False,
    ) -> None:
        self._clock = clock
        self._desired_retention = desired_retention
        self._fuzz = fuzz

    @functools.cached_property
    def _fsrs(self) -> fsrs.Scheduler:
        # fsrs is imported at the first review, not when the app starts: the home screen needs none.
        import fsrs

        return fsrs.Scheduler(desired_retention=self._desired_retention, enable_fuzzing=self._fuzz)

    # Also reachable from a scheduler, for callers that hold one rather than import the module.
    propose_rating = staticmethod(propose_rating)

    def now(self) -> datetime:
        """The injected clock's time, checked to be timezone-aware and converted to UTC."""
        return _utc(self._clock(), "clock()")

    def review(
        self, card_json: str | None, rating: Rating | int, now: datetime | None = None
    ) -> tuple[str, datetime]:
        """Apply `rating` at `now` (default: the clock) to a card; return (new card JSON, due).

        `card_json=None` is a question never reviewed: it starts as a new FSRS card.
        """
        import fsrs

        moment = self.now() if now is None else _utc(now, "now")
        if card_json is None:
            # card_id and due given explicitly: fsrs' defaults read the wall clock (and sleep 1 ms).
            card = fsrs.Card(card_id=int(moment.timestamp() * 1000), due=moment)
        else:
            card = fsrs.Card.from_json(card_json)
        new_card, _log = self._fsrs.review_card(card, fsrs.Rating(int(rating)), moment)
        return new_card.to_json(), new_card.due


def _utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (UTC), got naive {moment!r}")
    return moment.astimezone(UTC)
