"""App-wide messages (past tense): the engine warmed up or failed, the decks were loaded."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from jaxquiz.decks import LoadResult


@dataclass
class EngineWarmed(Message):
    """The JAX worker has imported jax and takes requests."""

    device: str
    jax_version: str


@dataclass
class EngineFailed(Message):
    """The JAX worker could not start; grading reports the same error."""

    error: str


@dataclass
class DecksLoaded(Message):
    """The decks (and the problems found while loading them) are ready to show."""

    result: LoadResult
