"""Shared fixtures of the trust tests: a private data dir, and deck files written for real."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

WriteDeck = Callable[..., Path]

# A deck whose only question is a choice: `jaxquiz grade` answers it without starting JAX,
# so the CLI trust paths run in milliseconds and still go through the real commands.
CHOICE_DECK = """\
format: 1
deck: {deck_id}
title: A deck from someone else
questions:
  - id: pick
    type: choice
    prompt: Which transformation compiles?
    options: ["jax.jit", "jax.vmap"]
    correct: [0]
"""


@pytest.fixture
def write_deck(tmp_path: Path) -> WriteDeck:
    """Write a choice deck (or the given YAML) to `folder/name`; return the path."""

    def write(
        name: str = "deck.yaml", folder: Path | None = None, text: str | None = None, deck_id: str = "theirs"
    ) -> Path:
        path = (folder or tmp_path / "decks") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            textwrap.dedent(text) if text else CHOICE_DECK.format(deck_id=deck_id), encoding="utf-8"
        )
        return path

    return write
