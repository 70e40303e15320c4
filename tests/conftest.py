"""Fixtures shared by every test: a private data dir, and one warm engine per test process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from jaxquiz import paths
from jaxquiz.engine import Engine

# Each test process holds warm JAX workers (about 1 GiB each) and most of the suite's time is jax
# imports in worker processes: past a few test processes, more only add workers and memory.
MAX_TEST_PROCESSES = 4


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts): one test process per core, at most MAX_TEST_PROCESSES."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # the user's number, read by xdist itself
    return max(1, min(MAX_TEST_PROCESSES, len(os.sched_getaffinity(0))))


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
