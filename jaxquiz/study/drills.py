"""Timed drills for interview practice: picking questions, the clock, and the summary.

Pure logic: the TUI shows a drill, the store keeps it. The clock is injected, so a timed drill can
be tested to end on time without waiting.
"""

from __future__ import annotations

import json
import random
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jaxquiz.decks import LoadedDeck, QuestionBase
from jaxquiz.study.session import AnswerMode

# Interview mode draws harder questions more often: weight by difficulty (none given: medium).
INTERVIEW_WEIGHTS = {1: 1.0, 2: 2.0, 3: 4.0}
DEFAULT_COUNT = 10
# Questions drawn for a drill with a time limit and no count: more than anyone answers in time.
TIMED_DRILL_LIMIT = 200


@dataclass(frozen=True)
class DrillSettings:
    """What a drill covers and when it ends (a time limit, a question count, or both)."""

    minutes: float | None = None
    count: int | None = None
    decks: tuple[str, ...] = ()  # empty: every deck
    tags: tuple[str, ...] = ()  # empty: any tag
    interview: bool = False
    mode: AnswerMode = "recall"  # `choice`: options shown at once (an interview is always typed)

    def __post_init__(self) -> None:
        if self.minutes is not None and self.minutes <= 0:
            raise ValueError("a drill's minutes must be positive")
        if self.count is not None and self.count < 1:
            raise ValueError("a drill needs at least one question")

    @property
    def effective_count(self) -> int | None:
        """The question count; a drill with neither limit gets the default count."""
        if self.count is None and self.minutes is None:
            return DEFAULT_COUNT
        return self.count

    @classmethod
    def from_json(cls, data: dict) -> DrillSettings:
        """Settings as stored with a drill (lists back to tuples)."""
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**fields)

    def as_json(self) -> dict:
        return asdict(self)

    def key(self) -> str:
        """Drills with equal keys compete for the same personal best."""
        data = asdict(self)
        data["decks"], data["tags"] = sorted(self.decks), sorted(self.tags)
        return json.dumps(data, sort_keys=True)

    def describe(self) -> str:
        parts = []
        if self.minutes is not None:
            parts.append(f"{self.minutes:g} min")
        if self.effective_count is not None:
            parts.append(f"{self.effective_count} questions")
        parts.append(", ".join(self.decks) if self.decks else "all decks")
        if self.tags:
            parts.append("tags " + ", ".join(self.tags))
        if self.interview:
            parts.append("interview")
        elif self.mode == "choice":
            parts.append("options shown")
        return " · ".join(parts)

    @property
    def answer_mode(self) -> AnswerMode:
        """How questions are answered: an interview is always typed."""
        return "recall" if self.interview else self.mode


@dataclass(frozen=True)
class DrillItem:
    """A question a drill may ask, with the deck it is in."""

    deck: LoadedDeck
    question: QuestionBase

    @property
    def tags(self) -> tuple[str, ...]:
        """The deck's tags and the question's own, each once."""
        return self.deck.tags_of(self.question)


def matching(decks: Sequence[LoadedDeck], settings: DrillSettings) -> list[DrillItem]:
    """Every question a drill with these settings may ask: of its decks, with one of its tags,
    cards left out (self-graded cards do not fit a timed drill)."""
    pool = [
        DrillItem(deck, question)
        for deck in decks
        if not settings.decks or deck.id in settings.decks
        for question in deck.deck.questions
        if question.type != "card"
    ]
    if settings.tags:
        wanted = set(settings.tags)
        pool = [item for item in pool if wanted & set(item.tags)]
    return pool


def pick_questions(
    decks: Sequence[LoadedDeck],
    settings: DrillSettings,
    rng: random.Random,
    limit: int = TIMED_DRILL_LIMIT,
) -> list[DrillItem]:
    """The drill's questions in order: the `matching` ones drawn without repetition, weighted by
    difficulty in interview mode."""
    pool = matching(decks, settings)
    size = min(len(pool), settings.effective_count or limit)
    if not settings.interview:
        return rng.sample(pool, size)
    chosen: list[DrillItem] = []
    remaining = list(pool)
    while remaining and len(chosen) < size:
        weights = [INTERVIEW_WEIGHTS[item.question.level] for item in remaining]
        index = rng.choices(range(len(remaining)), weights=weights)[0]
        chosen.append(remaining.pop(index))
    return chosen


@dataclass(frozen=True)
class DrillAnswer:
    """One answer of a drill, as its summary counts it."""

    deck: str
    question: str
    tags: tuple[str, ...]
    correct: bool
    response_ms: int
    answer: str = ""


@dataclass
class Drill:
    """A running drill: its questions, the answers so far, and the clock."""

    settings: DrillSettings
    items: list[DrillItem]
    clock: Callable[[], datetime]
    started_at: datetime = field(init=False)
    answers: list[DrillAnswer] = field(default_factory=list)
    stopped_at: datetime | None = None
    taken_back: int = 0  # answers undone: a drill with a second try at one sets no best

    def __post_init__(self) -> None:
        self.started_at = self.clock()

    def elapsed_s(self) -> float:
        end = self.stopped_at or self.clock()
        return max((end - self.started_at).total_seconds(), 0.0)

    def remaining_s(self) -> float | None:
        """Seconds left for a timed drill; None without a time limit."""
        if self.settings.minutes is None:
            return None
        return max(self.settings.minutes * 60 - self.elapsed_s(), 0.0)

    @property
    def position(self) -> int:
        return len(self.answers)

    @property
    def total(self) -> int:
        return len(self.items)

    def completed(self) -> bool:
        """Every question answered or the time up: the drill ran its course (not ended early)."""
        remaining = self.remaining_s()
        return self.position >= self.total or (remaining is not None and remaining <= 0)

    def is_over(self) -> bool:
        return self.stopped_at is not None or self.completed()

    def current(self) -> DrillItem | None:
        return None if self.is_over() else self.items[self.position]

    def record(self, answer: DrillAnswer) -> None:
        self.answers.append(answer)

    def take_back(self) -> None:
        """Forget the last answer (it is asked again), and remember that an answer was undone."""
        self.answers.pop()
        self.taken_back += 1

    def stop(self) -> None:
        """End the drill now (time up, count reached, or the learner quit).

        A timed drill stops at its limit at the latest, even when noticed later (the learner was
        reading the help when time ran out): its pace is measured over the time it had.
        """
        if self.stopped_at is None:
            now = self.clock()
            if self.settings.minutes is not None:
                now = min(now, self.started_at + timedelta(minutes=self.settings.minutes))
            self.stopped_at = now


@dataclass(frozen=True)
class GroupScore:
    """A drill's score over the answers of one deck or one tag."""

    name: str
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class DrillSummary:
    """How a drill went; stored with it as JSON (`as_json`)."""

    settings_key: str
    answered: int
    correct: int
    accuracy: float
    elapsed_s: float
    per_minute: float
    median_ms: float
    slowest_ms: int
    by_deck: list[GroupScore]
    by_tag: list[GroupScore]
    missed: list[tuple[str, str]]  # (deck, question)
    previous_best: int | None
    new_best: bool
    completed: bool  # False when interrupted before its end
    taken_back: int = 0  # answers undone: the drill then neither sets nor counts as a best

    def as_json(self) -> dict:
        return asdict(self)


def summarize(drill: Drill, previous_best: int | None) -> DrillSummary:
    """Score, pace, response times, accuracy per deck and tag, misses and the personal best."""
    answers = drill.answers
    correct = sum(a.correct for a in answers)
    elapsed = drill.elapsed_s()
    times = [a.response_ms for a in answers]
    completed = drill.completed()
    return DrillSummary(
        settings_key=drill.settings.key(),
        answered=len(answers),
        correct=correct,
        accuracy=correct / len(answers) if answers else 0.0,
        elapsed_s=elapsed,
        per_minute=len(answers) / (elapsed / 60) if elapsed > 0 else 0.0,
        median_ms=statistics.median(times) if times else 0.0,
        slowest_ms=max(times, default=0),
        by_deck=_group(answers, lambda a: [a.deck]),
        by_tag=_group(answers, lambda a: list(a.tags)),
        missed=[(a.deck, a.question) for a in answers if not a.correct],
        previous_best=previous_best,
        new_best=completed
        and not drill.taken_back
        and correct > 0
        and (previous_best is None or correct > previous_best),
        completed=completed,
        taken_back=drill.taken_back,
    )


def _group(answers: Sequence[DrillAnswer], keys: Callable[[DrillAnswer], list[str]]) -> list[GroupScore]:
    answered: dict[str, int] = defaultdict(int)
    right: dict[str, int] = defaultdict(int)
    for answer in answers:
        for key in keys(answer):
            answered[key] += 1
            right[key] += answer.correct
    return [GroupScore(name, answered[name], right[name]) for name in sorted(answered)]


def personal_best(summaries: Sequence[dict], settings_key: str) -> int | None:
    """The best score among finished, completed drills with the same settings, and no answer
    taken back."""
    scores = [
        s["correct"]
        for s in summaries
        if s and s.get("settings_key") == settings_key and s.get("completed") and not s.get("taken_back")
    ]
    return max(scores, default=None)
