"""App-wide messages (past tense): the engine warmed up or failed, the decks were loaded or changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from jaxquiz.decks import LoadResult
from jaxquiz.decks.watch import Changes
from jaxquiz.study.library import Library, PendingTrust


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
