"""The values the store takes and returns, and how their timestamps are written as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# A question is "mastered" when it was last answered right and FSRS expects it to be remembered for
# at least this many days (stability: the days until recall probability falls to 90%). 21 days is
# the interval at which Anki calls a card "mature", a convention learners already know.
MASTERY_STABILITY_DAYS = 21.0


@dataclass(frozen=True)
class Review:
    """One answered question, as stored in the review log."""

    at: datetime  # timezone-aware; stored as UTC
    deck: str
    question: str
    content_hash: str  # of the question as it was shown, to notice later edits
    params: dict[str, Any]  # the parameter values drawn for this instance
    answer: str
    correct: bool | None  # None: a self-graded card, judged only by the rating
    verdict: dict[str, Any]  # JSON summary of the grading
    response_ms: int
    rating: int  # 1 Again .. 4 Easy
    drill_id: int | None = None

    def __post_init__(self) -> None:
        check_aware(self.at, "Review.at")
        if not 1 <= self.rating <= 4:
            raise ValueError(f"Review.rating must be 1..4 (Again..Easy), got {self.rating}")
        if self.response_ms < 0:
            raise ValueError(f"Review.response_ms must be >= 0, got {self.response_ms}")

    @property
    def recalled(self) -> bool:
        """Whether this review counts as remembered: correct, or for self-graded, Good or Easy."""
        if self.correct is None:
            return self.rating >= 3
        return self.correct


@dataclass(frozen=True)
class CardState:
    """The stored FSRS state of one question."""

    deck: str
    question: str
    card_json: str  # fsrs.Card JSON, as the scheduler returned it
    content_hash: str  # of the question at its last review
    due: datetime
    stability: float | None  # days; None before FSRS has an estimate


@dataclass(frozen=True)
class DeckSummary:
    """Progress on one deck's current questions (questions no longer in the deck are ignored)."""

    total: int  # questions in the deck now
    seen: int  # reviewed at least once
    due: int  # seen and due now; unseen questions are new, not due
    mastered: int  # last review recalled and stability >= MASTERY_STABILITY_DAYS

    @property
    def new(self) -> int:
        """Questions never reviewed."""
        return self.total - self.seen

    @property
    def mastery(self) -> float:
        """Share of the deck's questions that are mastered, 0..1 (0 for an empty deck)."""
        return self.mastered / self.total if self.total else 0.0


@dataclass(frozen=True)
class DrillRecord:
    """A stored drill: its settings and, once finished, its summary."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    settings: dict[str, Any]
    summary: dict[str, Any] | None


@dataclass(frozen=True)
class PausedQuiz:
    """A deck quiz left before its end: what the study layer saved to resume it (its own JSON)."""

    deck: str
    saved_at: datetime
    state: dict[str, Any]


def check_aware(moment: datetime, what: str) -> None:
    """Reject naive datetimes: a local wall-clock time would silently shift due dates."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (UTC), got naive {moment!r}")


def to_text(moment: datetime, what: str = "timestamp") -> str:
    """UTC ISO 8601 with microseconds: fixed width, so comparing the text compares the times."""
    check_aware(moment, what)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    """The inverse of `to_text` (also reads fsrs' own ISO timestamps), always in UTC."""
    moment = datetime.fromisoformat(text)
    check_aware(moment, "stored timestamp")
    return moment.astimezone(UTC)
