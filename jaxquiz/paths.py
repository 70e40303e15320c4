"""Where jaxquiz keeps user data: one data dir, platformdirs' by default.

`JAXQUIZ_DATA_DIR` overrides it (tests, synced folders). `JAXQUIZ_CACHE_DIR` moves what jaxquiz can
make again (parsed decks, compiled programs), and jax's own `JAX_COMPILATION_CACHE_DIR` moves XLA's
compile cache alone. Nothing touches the disk at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

DATA_DIR_ENV = "JAXQUIZ_DATA_DIR"
CACHE_DIR_ENV = "JAXQUIZ_CACHE_DIR"
COMPILE_CACHE_ENV = "JAX_COMPILATION_CACHE_DIR"
APP_NAME = "jaxquiz"


def data_dir() -> Path:
    """The folder that holds all user data (created on first use by the caller)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return user_data_path(APP_NAME, appauthor=False)


def database_path() -> Path:
    """The SQLite progress database."""
    return data_dir() / "progress.sqlite3"


def user_decks_dir() -> Path:
    """The user's own deck folder, discovered like the bundled decks."""
    return data_dir() / "decks"


def trust_path() -> Path:
    """Records of the deck files and folders the user agreed to run."""
    return data_dir() / "trust.json"


def cache_dir() -> Path:
    """What jaxquiz can make again, and keeps to start faster: in the data dir unless moved."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return data_dir() / "cache"


def compile_cache_dir() -> Path:
    """XLA's persistent compilation cache: lets a question seen before skip compiling. Where jax
    would keep it when the environment names a folder (one cache shared with your own jax work)."""
    override = os.environ.get(COMPILE_CACHE_ENV)
    if override:
        return Path(override).expanduser()
    return cache_dir() / "xla"


def deck_cache_dir() -> Path:
    """Decks as parsed before, by the hash of their file: lets an unchanged deck skip parsing."""
    return cache_dir() / "decks"


def bundled_decks_dir() -> Path:
    """The decks shipped with jaxquiz: inside the wheel, or `decks/` of a source checkout."""
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "_bundled_decks"
    if installed.is_dir():
        return installed
    return package_dir.parent / "decks"
