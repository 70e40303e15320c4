"""The deck format v1: models, YAML loading with line numbers, parameters and discovery.

Imports neither jax nor textual. The names below load on first use (PEP 562), so that importing
one light module of the package (what the first screen lists, `loaded`, `files`) does not build
the pydantic models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jaxquiz.lazy import loader

if TYPE_CHECKING:
    from jaxquiz.decks.discovery import discover
    from jaxquiz.decks.loaded import LoadedDeck, LoadResult
    from jaxquiz.decks.loader import DeckLoadError, load_deck_file, load_decks
    from jaxquiz.decks.models import BLANK, EXECUTING_TYPES, Deck, QuestionBase, content_hash
    from jaxquiz.decks.params import Draw, checked_draws, draw, instantiate
    from jaxquiz.decks.problems import LoadProblem

# Each public name, and the module that defines it.
_WHERE = {
    "BLANK": "models",
    "EXECUTING_TYPES": "models",
    "Deck": "models",
    "DeckLoadError": "loader",
    "Draw": "params",
    "LoadProblem": "problems",
    "LoadResult": "loaded",
    "LoadedDeck": "loaded",
    "QuestionBase": "models",
    "checked_draws": "params",
    "content_hash": "models",
    "discover": "discovery",
    "draw": "params",
    "instantiate": "params",
    "load_deck_file": "loader",
    "load_decks": "loader",
}

__all__ = [
    "BLANK",
    "EXECUTING_TYPES",
    "Deck",
    "DeckLoadError",
    "Draw",
    "LoadProblem",
    "LoadResult",
    "LoadedDeck",
    "QuestionBase",
    "checked_draws",
    "content_hash",
    "discover",
    "draw",
    "instantiate",
    "load_deck_file",
    "load_decks",
]


__getattr__ = loader(__name__, _WHERE)
