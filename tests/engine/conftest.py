"""Fixtures of the engine tests: an engine whose workers may allocate only 512 MiB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jaxquiz.engine import Engine

SMALL_MEMORY = 512 * 2**20


@pytest.fixture(scope="session")
def small_engine(shared_compile_cache: Path) -> Iterator[Engine]:
    """One per test process, for the memory-cap tests: each of them runs it out of memory, and the
    pool starts a new worker (no spare: a worker that fits is not the point of these tests)."""
    with Engine(memory_limit=SMALL_MEMORY, spare=False, compile_cache=shared_compile_cache) as small:
        small.wait_ready()
        yield small
