"""XLA's compile cache on disk: where it lives, and that a worker uses the one it may write."""

from __future__ import annotations

import os
from pathlib import Path

from jaxquiz import paths
from jaxquiz.engine import Engine, Task

READ_CACHE_DIR = "print(jax.config.jax_compilation_cache_dir)"


def test_the_cache_lives_in_the_data_dir_unless_moved(data_dir, monkeypatch):
    monkeypatch.delenv(paths.COMPILE_CACHE_ENV, raising=False)
    monkeypatch.delenv(paths.CACHE_DIR_ENV, raising=False)
    assert paths.compile_cache_dir() == data_dir / "cache" / "xla"
    assert paths.deck_cache_dir() == data_dir / "cache" / "decks"
    # Set but empty: as if unset, as jax reads its own.
    monkeypatch.setenv(paths.COMPILE_CACHE_ENV, "")
    monkeypatch.setenv(paths.CACHE_DIR_ENV, "")
    assert paths.compile_cache_dir() == data_dir / "cache" / "xla"
    assert paths.deck_cache_dir() == data_dir / "cache" / "decks"
    monkeypatch.setenv(paths.CACHE_DIR_ENV, "~/jaxquiz-cache")  # both caches
    assert paths.compile_cache_dir() == Path.home() / "jaxquiz-cache" / "xla"
    assert paths.deck_cache_dir() == Path.home() / "jaxquiz-cache" / "decks"
    monkeypatch.setenv(paths.COMPILE_CACHE_ENV, "~/jax-cache")  # jax's own: the compile cache alone
    assert paths.compile_cache_dir() == Path.home() / "jax-cache"
    assert paths.deck_cache_dir() == Path.home() / "jaxquiz-cache" / "decks"


def test_a_worker_compiles_into_the_cache_it_was_given(tmp_path):
    cache = tmp_path / "xla"
    with Engine(spare=False, compile_cache=cache) as engine:
        told = engine.explore(READ_CACHE_DIR)
        verdict = engine.grade(Task("value", "out = jnp.arange(5) * 3 + 1"), "[1, 4, 7, 10, 13]")
    assert told.outcome.output.strip() == str(cache)
    assert verdict.correct, verdict
    assert any(cache.iterdir()), "nothing was written to the compile cache"


def test_a_worker_given_no_cache_uses_none_even_if_the_app_s_environment_names_one(shared_compile_cache):
    assert os.environ[paths.COMPILE_CACHE_ENV] == str(shared_compile_cache)  # the fork server's too
    with Engine(spare=False) as engine:
        told = engine.explore(READ_CACHE_DIR)
        verdict = engine.grade(Task("value", "out = jnp.arange(4) * 5 - 2"), "[-2, 3, 8, 13]")
    assert told.outcome.output.strip() == "None"
    assert verdict.correct, verdict
