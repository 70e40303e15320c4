"""The deck format v1: models, YAML loading with line numbers, parameters and discovery.

Imports neither jax nor textual.
"""

from jaxquiz.decks.discovery import discover
from jaxquiz.decks.loader import DeckLoadError, LoadedDeck, LoadResult, load_deck_file, load_decks
from jaxquiz.decks.models import BLANK, EXECUTING_TYPES, Deck, QuestionBase, content_hash
from jaxquiz.decks.params import Draw, checked_draws, draw, instantiate
from jaxquiz.decks.problems import LoadProblem

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
