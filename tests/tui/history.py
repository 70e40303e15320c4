"""Made-up progress written straight into a store: reviews scheduled like real ones, and finished
drills. Shared by the stats snapshot tests (through the `history` fixture) and make_screenshots.py."""

from __future__ import annotations

from datetime import datetime

from jaxquiz.decks import LoadedDeck, QuestionBase, content_hash
from jaxquiz.store import Review, Store
from jaxquiz.study.drills import DrillSettings
from jaxquiz.study.scheduler import Rating, Scheduler


def review(
    store: Store,
    loaded: LoadedDeck,
    question: QuestionBase,
    at: datetime,
    rating: Rating,
    card: str | None,
    *,
    correct: bool | None,
    response_ms: int,
) -> tuple[str, datetime]:
    """Rate `question` at `at`: reschedule its FSRS `card` and record the review; the new card and
    when it is due."""
    card, due = Scheduler(lambda: at).review(card, rating, at)
    store.record_review(
        Review(
            at=at,
            deck=loaded.id,
            question=question.id,
            content_hash=content_hash(loaded.deck, question),
            params={},
            answer="",
            correct=correct,
            verdict={"status": "graded"},
            response_ms=response_ms,
            rating=int(rating),
        ),
        card,
    )
    return card, due


def finished_drill(
    store: Store,
    settings: DrillSettings,
    started: datetime,
    finished: datetime,
    *,
    correct: int,
    answered: int,
) -> None:
    """A drill with `settings` completed with this score (it competes for the personal best)."""
    drill = store.start_drill(settings.as_json(), started)
    summary = {"settings_key": settings.key(), "correct": correct, "answered": answered, "completed": True}
    store.finish_drill(drill, finished, summary)
