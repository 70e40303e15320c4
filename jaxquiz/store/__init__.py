"""SQLite progress data: the review log, each question's FSRS card, drills, paused quizzes;
migrated on open."""

from jaxquiz.store.db import Store
from jaxquiz.store.migrations import MIGRATIONS, Migration, applied, migrate
from jaxquiz.store.models import (
    MASTERY_STABILITY_DAYS,
    CardState,
    DeckSummary,
    DrillRecord,
    PausedQuiz,
    Review,
)

__all__ = [
    "MASTERY_STABILITY_DAYS",
    "MIGRATIONS",
    "CardState",
    "DeckSummary",
    "DrillRecord",
    "Migration",
    "PausedQuiz",
    "Review",
    "Store",
    "applied",
    "migrate",
]
