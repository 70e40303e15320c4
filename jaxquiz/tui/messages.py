"""App-wide messages (past tense): the engine warmed up or failed, the decks were loaded or changed,
and what happened in a session or drill, for the flow to act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

# Only named in fields: importing them here would load the deck models with the first screen.
if TYPE_CHECKING:
    from jaxquiz.decks import LoadResult
    from jaxquiz.decks.watch import Changes
    from jaxquiz.study.library import Library, PendingTrust
    from jaxquiz.study.scheduler import Rating
    from jaxquiz.study.session import Attempt


class EngineWarmed(Message):
    """The JAX worker has imported jax and takes requests."""


@dataclass
class EngineFailed(Message):
    """The JAX worker could not start; grading reports the same error."""

    error: str


@dataclass
class DecksLoaded(Message):
    """The decks (and the problems found while loading them) are ready to show."""

    result: LoadResult
    library: Library | None = None  # set when the app tracks trust and edits on disk
    pending: list[PendingTrust] = field(default_factory=list)  # decks to ask about


@dataclass
class DeckFilesChanged(Message):
    """Deck files were edited, added or removed on disk since the last look."""

    changes: Changes


# -- the study flow: screens say what happened, `tui.flow` decides what comes next ---------------


@dataclass
class AttemptGraded(Message):
    """A question was answered and graded (a card: rated by the learner, `rating` set)."""

    attempt: Attempt
    rating: Rating | None = None


class TakeBackAsked(Message):
    """The learner wants the last recorded answer taken back (undo)."""


class LeaveAsked(Message):
    """The learner pressed escape in a quiz, a study session or a drill."""


class TimeUp(Message):
    """A drill's clock ran out."""


class SessionClosed(Message):
    """The learner is done with a summary: back to the decks."""
