"""A loaded deck, the result of loading many, and the outline the home screen lists a deck by.

No pydantic here (the models are only named in annotations): the app's first screen imports this
module, and lists decks from outlines kept in the deck cache before any deck model is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from jaxquiz.decks.problems import LoadProblem

if TYPE_CHECKING:
    from jaxquiz.decks.models import Deck, QuestionBase


class ListedDeck(Protocol):
    """What a deck list shows of a deck: a loaded deck, or its outline before it is loaded."""

    @property
    def id(self) -> str: ...
    @property
    def path(self) -> Path: ...
    @property
    def origin(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def tags(self) -> Sequence[str]: ...
    @property
    def question_ids(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class LoadedDeck:
    """A valid deck, where it came from, and the line of each question (for reports)."""

    deck: Deck
    path: Path
    origin: str  # "bundled", "user" or "path"
    question_lines: dict[str, int] = field(default_factory=dict)
    digest: str = ""  # SHA-256 of the bytes parsed (the trust gate judges exactly those)

    @property
    def id(self) -> str:
        return self.deck.deck

    @property
    def title(self) -> str:
        return self.deck.title

    @property
    def description(self) -> str | None:
        return self.deck.description

    @property
    def tags(self) -> Sequence[str]:
        return self.deck.tags

    @property
    def question_ids(self) -> list[str]:
        return [q.id for q in self.deck.questions]

    def line_of(self, question_id: str) -> int:
        return self.question_lines.get(question_id, 1)

    def tags_of(self, question: QuestionBase) -> tuple[str, ...]:
        """The deck's tags and the question's own, each once."""
        return tuple(dict.fromkeys([*self.deck.tags, *question.tags]))


@dataclass
class LoadResult:
    decks: list[LoadedDeck] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)


@dataclass(frozen=True)
class DeckOutline:
    """What the deck list shows of a deck, kept beside its parsed form in the deck cache."""

    id: str
    path: Path
    origin: str
    title: str
    description: str | None
    tags: tuple[str, ...]
    question_ids: tuple[str, ...]
    digest: str = ""  # SHA-256 of the file's bytes the outline was read for

    @classmethod
    def of(cls, loaded: LoadedDeck) -> DeckOutline:
        return cls(
            loaded.id,
            loaded.path,
            loaded.origin,
            loaded.title,
            loaded.description,
            tuple(loaded.tags),
            tuple(loaded.question_ids),
            loaded.digest,
        )

    def to_json(self) -> dict[str, Any]:
        """The part kept in the cache (where the file is and its hash are known when it is read)."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "tags": list(self.tags),
            "questions": list(self.question_ids),
        }

    @classmethod
    def from_json(cls, data: object, path: Path, origin: str, digest: str) -> DeckOutline | None:
        """The outline as kept by `to_json`, or None when `data` is not of that form."""
        # Checked by hand, not by a model: building the pydantic models is what the listing avoids.
        if not isinstance(data, dict) or set(data) != {"id", "title", "description", "tags", "questions"}:
            return None
        deck_id, title, description = data["id"], data["title"], data["description"]
        tags, questions = data["tags"], data["questions"]
        if not (isinstance(deck_id, str) and deck_id and isinstance(title, str)):
            return None
        if not (description is None or isinstance(description, str)):
            return None
        if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            return None
        if not (isinstance(questions, list) and questions and all(isinstance(q, str) for q in questions)):
            return None
        return cls(deck_id, path, origin, title, description, tuple(tags), tuple(questions), digest)
