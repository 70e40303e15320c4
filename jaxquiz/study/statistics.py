"""Progress statistics from the review log: activity, accuracy, retention, forecast, streak.

Pure functions over stored reviews and drills; `compute` gathers them for the stats screen and
`jaxquiz stats`. Days are UTC calendar days.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from jaxquiz.decks import LoadedDeck
from jaxquiz.store import DrillRecord, Review, Store
from jaxquiz.study.drills import DrillSettings

ACTIVITY_DAYS = 91  # about three months of reviews per day
FORECAST_DAYS = 14


@dataclass(frozen=True)
class Accuracy:
    """Reviews of one deck or tag, and how many of them were recalled."""

    name: str
    reviews: int
    recalled: int

    @property
    def share(self) -> float:
        return self.recalled / self.reviews if self.reviews else 0.0


@dataclass(frozen=True)
class DrillPoint:
    """A finished drill's score, for plotting drills with the same settings together."""

    at: str  # ISO date
    settings: str  # human description
    correct: int
    answered: int


@dataclass
class Stats:
    """Every figure of the stats screen and `jaxquiz stats` (`compute` fills it)."""

    total_reviews: int = 0
    streak_days: int = 0
    reviews_per_day: list[tuple[str, int]] = field(default_factory=list)
    accuracy_by_deck: list[Accuracy] = field(default_factory=list)
    accuracy_by_tag: list[Accuracy] = field(default_factory=list)
    retention_by_week: list[tuple[str, float]] = field(default_factory=list)
    due_forecast: list[tuple[str, int]] = field(default_factory=list)
    due_now: int = 0  # questions of the loaded decks due now: the number the home screen shows
    drills: list[DrillPoint] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.total_reviews == 0 and not self.drills

    def as_json(self) -> dict:
        data = asdict(self)
        for key in ("accuracy_by_deck", "accuracy_by_tag"):
            for row, acc in zip(data[key], getattr(self, key), strict=True):
                row["share"] = round(acc.share, 4)
        return data


def reviews_per_day(
    reviews: Sequence[Review], today: date, days: int = ACTIVITY_DAYS
) -> list[tuple[str, int]]:
    """Review counts for each of the last `days` days, oldest first, zeros included."""
    counts = Counter(r.at.date() for r in reviews)
    first = today - timedelta(days=days - 1)
    return [((first + timedelta(i)).isoformat(), counts[first + timedelta(i)]) for i in range(days)]


def accuracy_by(
    reviews: Sequence[Review], keys: Mapping[tuple[str, str], Sequence[str]] | None = None
) -> list[Accuracy]:
    """Share recalled per deck (keys=None) or per tag (keys: (deck, question) -> tags)."""
    total: dict[str, int] = defaultdict(int)
    recalled: dict[str, int] = defaultdict(int)
    for review in reviews:
        names = [review.deck] if keys is None else keys.get((review.deck, review.question), ())
        for name in names:
            total[name] += 1
            recalled[name] += review.recalled
    return [Accuracy(name, total[name], recalled[name]) for name in sorted(total)]


def retention_by_week(reviews: Sequence[Review]) -> list[tuple[str, float]]:
    """Share of reviews passed per ISO week (its Monday), oldest first."""
    total: dict[date, int] = defaultdict(int)
    passed: dict[date, int] = defaultdict(int)
    for review in reviews:
        day = review.at.date()
        monday = day - timedelta(days=day.weekday())
        total[monday] += 1
        passed[monday] += review.recalled
    return [(week.isoformat(), passed[week] / total[week]) for week in sorted(total)]


def due_forecast(
    due_dates: Sequence[datetime], today: date, days: int = FORECAST_DAYS
) -> list[tuple[str, int]]:
    """Cards coming due on each of the next `days` days; overdue cards count for today."""
    counts = Counter(max(due.date(), today) for due in due_dates)
    return [((today + timedelta(i)).isoformat(), counts[today + timedelta(i)]) for i in range(days)]


def streak(reviews: Sequence[Review], today: date) -> int:
    """Consecutive days with a review, ending today (or yesterday, if none yet today)."""
    days = {r.at.date() for r in reviews}
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def drill_points(drills: Sequence[DrillRecord]) -> list[DrillPoint]:
    """The finished drills' scores, each labelled with its settings (raw JSON if unreadable)."""
    points = []
    for drill in drills:
        if not drill.summary:
            continue
        try:
            label = DrillSettings.from_json(drill.settings).describe()
        except (TypeError, ValueError):
            label = json.dumps(drill.settings, sort_keys=True)
        points.append(
            DrillPoint(
                drill.started_at.date().isoformat(),
                label,
                int(drill.summary.get("correct", 0)),
                int(drill.summary.get("answered", 0)),
            )
        )
    return points


def question_tags(decks: Sequence[LoadedDeck]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(deck, question) -> its tags, as `compute` takes them."""
    return {(loaded.id, q.id): loaded.tags_of(q) for loaded in decks for q in loaded.deck.questions}


def due_now(store: Store, questions: Collection[tuple[str, str]], now: datetime) -> int:
    """Questions due at `now` among `questions` (deck, id): those of the decks loaded, as the home
    screen counts them (a card of a question removed from its deck is not due for anyone)."""
    return sum(1 for key in store.due_questions(None, now) if key in questions)


def compute(store: Store, tags: Mapping[tuple[str, str], Sequence[str]], now: datetime) -> Stats:
    """Every figure of the stats screen; `tags` maps (deck, question) to its tags."""
    reviews = store.reviews()
    today = now.date()
    return Stats(
        total_reviews=len(reviews),
        streak_days=streak(reviews, today),
        reviews_per_day=reviews_per_day(reviews, today),
        accuracy_by_deck=accuracy_by(reviews),
        accuracy_by_tag=accuracy_by(reviews, tags),
        retention_by_week=retention_by_week(reviews),
        due_forecast=due_forecast(store.due_dates(), today),
        due_now=due_now(store, tags, now),
        drills=drill_points(store.drills()),
    )


EMPTY_MESSAGE = "No reviews yet. Start with `jaxquiz`, pick a deck and answer a few questions."


def format_tables(stats: Stats) -> str:
    """The figures as plain text tables for the shell."""
    if stats.empty:
        return EMPTY_MESSAGE
    active = [(day, n) for day, n in stats.reviews_per_day if n]
    lines = [
        f"reviews: {stats.total_reviews}   streak: {stats.streak_days} day(s)   "
        f"active days (last {len(stats.reviews_per_day)}): {len(active)}   due now: {stats.due_now}",
        "",
    ]

    def table(title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
        lines.append(title)
        if not rows:
            lines.extend(["  (none yet)", ""])
            return
        widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
        for row in (header, *rows):
            lines.append("  " + "  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())
        lines.append("")

    def accuracy_rows(items: list[Accuracy]) -> list[tuple]:
        return [(a.name, a.reviews, a.recalled, f"{a.share:.0%}") for a in items]

    table("reviews per day (days with reviews)", ("day", "reviews"), active[-14:])
    table("accuracy by deck", ("deck", "reviews", "right", "accuracy"), accuracy_rows(stats.accuracy_by_deck))
    table("accuracy by tag", ("tag", "reviews", "right", "accuracy"), accuracy_rows(stats.accuracy_by_tag))
    table(
        "retention by week",
        ("week of", "passed"),
        [(week, f"{share:.0%}") for week, share in stats.retention_by_week],
    )
    table("due in the next days", ("day", "due"), [(day, n) for day, n in stats.due_forecast if n])
    table(
        "drills",
        ("day", "settings", "score"),
        [(d.at, d.settings, f"{d.correct}/{d.answered}") for d in stats.drills],
    )
    return "\n".join(lines).rstrip()
