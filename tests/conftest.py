"""Fixtures shared by every test: a private data dir, and one warm engine per test process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jaxquiz import paths
from jaxquiz.engine import Engine


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Progress, trust records and user decks of the test only, never the real user's."""
    folder = tmp_path / "data"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(folder))
    return folder


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """One real worker for the test process (no spare: the tests that use it do not time out or
    crash it; those that do start an engine of their own). Importing jax is the slow part."""
    with Engine(spare=False) as warm:
        warm.wait_ready()
        yield warm
