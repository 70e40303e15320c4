"""XLA's compile cache on disk: where it lives, that a worker uses the one it may write, and that it
is kept within its size."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from jaxquiz import paths
from jaxquiz.engine import Engine, Task, compile_cache

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


def entry(folder: Path, name: str, size: int, age_s: float, atime: bool = False) -> Path:
    """A cache entry of `size` bytes written `age_s` seconds ago (with jax's access-time file)."""
    path = folder / f"{name}-cache"
    path.write_bytes(b"x" * size)
    written = time.time() - age_s
    os.utime(path, (written, written))
    if atime:
        (folder / f"{name}-atime").write_bytes(b"\0" * 8)
    return path


def test_prune_removes_the_entries_written_longest_ago_until_the_limit_and_nothing_else(tmp_path):
    oldest = entry(tmp_path, "jit_f-1", 400, age_s=300, atime=True)
    entry(tmp_path, "jit_f-2", 400, age_s=200)
    newer = entry(tmp_path, "jit_g-3", 400, age_s=100)
    newest = entry(tmp_path, "jit_g-4", 400, age_s=0)
    (tmp_path / "notes.txt").write_bytes(b"y" * 5000)  # not jax's: never touched, nor counted
    (tmp_path / ".lockfile").touch()
    assert compile_cache.prune(tmp_path, limit=1000) == 800
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lockfile", newer.name, newest.name, "notes.txt"]
    assert not oldest.with_name("jit_f-1-atime").exists()  # its access time went with it
    assert compile_cache.prune(tmp_path, limit=1000) == 0  # within the limit: nothing more
    assert compile_cache.prune(tmp_path / "none-yet") == 0


def test_an_engine_s_first_start_keeps_its_cache_within_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(compile_cache, "LIMIT_BYTES", 1000)
    old = entry(tmp_path, "jit_f-1", 800, age_s=100)
    new = entry(tmp_path, "jit_f-2", 800, age_s=0)
    fake = (sys.executable, str(Path(__file__).with_name("fake_worker.py")))  # no JAX needed
    with Engine(compile_cache=tmp_path, worker_command=fake, spare=False) as engine:
        engine.start()
        deadline = time.monotonic() + 10
        while old.exists() and time.monotonic() < deadline:  # pruned in a thread of its own
            time.sleep(0.01)
    assert not old.exists() and new.exists()
