"""Shared helpers of the store tests: a store in a real file, and reviews with sensible defaults."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
import pytest

from jaxquiz.store import Review, Store

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

MakeReview = Callable[..., Review]
MakeCard = Callable[..., str]


@pytest.fixture
def t0() -> datetime:
    """The fixed "now" of the store tests."""
    return T0


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "progress.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path) as opened:
        yield opened


@pytest.fixture
def make_review() -> MakeReview:
    def make(**overrides: Any) -> Review:
        fields: dict[str, Any] = {
            "at": T0,
            "deck": "basics",
            "question": "q1",
            "content_hash": "h1",
            "params": {"n": 3, "dtype": "float32"},
            "answer": "jnp.ones(3)",
            "correct": True,
            "verdict": {"ok": True, "shape": [3]},
            "response_ms": 4200,
            "rating": 3,
            "drill_id": None,
        }
        fields.update(overrides)
        return Review(**fields)

    return make


@pytest.fixture
def make_card() -> MakeCard:
    """fsrs.Card JSON with a given due date and stability, as a scheduler would produce."""
    return _card_json


def _card_json(due: datetime, stability: float | None = 5.0) -> str:
    return fsrs.Card(
        card_id=1,
        state=fsrs.State.Review,
        stability=stability,
        difficulty=5.0,
        due=due,
        last_review=due - timedelta(days=1),
    ).to_json()
