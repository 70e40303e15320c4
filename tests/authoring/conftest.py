"""Shared fixtures of the authoring tests: a private data dir and one warm engine per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jaxquiz import paths
from jaxquiz.engine import Engine


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Trust records of the test only, never the real user's."""
    folder = tmp_path / "data"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(folder))
    return folder


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    with Engine(spare=False) as warm:
        warm.wait_ready()
        yield warm
