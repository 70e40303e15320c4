"""The Textual app of jaxquiz: `run()` opens it; `make_app()` builds it (for the CLI and the tests).

Importing this package never imports jax: the engine's worker process is the only one that does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from jaxquiz.tui.app import JaxQuizApp, make_app

if TYPE_CHECKING:
    from jaxquiz.engine import Engine
    from jaxquiz.store import Store
    from jaxquiz.study.drills import DrillSettings
    from jaxquiz.study.library import OpenedLibrary

__all__ = ["JaxQuizApp", "app_on_library", "make_app", "run"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def app_on_library(
    engine: Engine, store: Store, deck_paths: Sequence[Path] = (), drill: DrillSettings | None = None
) -> JaxQuizApp:
    """The app as `jaxquiz` opens it: the bundled, user and `deck_paths` decks, listed at once from
    the deck cache's outlines, then loaded in the background with trust and reloading."""
    from jaxquiz.study.listing import list_decks

    extra = list(deck_paths)

    def load() -> OpenedLibrary:
        # Imported in the background thread: the deck models and the trust records load there.
        from jaxquiz.study.library import open_library

        return open_library(extra)

    return make_app(
        engine, store, utc_now, load, on_exit=engine.close, drill=drill, listing=lambda: list_decks(extra)
    )


def run(deck_paths: Sequence[Path], db_path: Path | None, drill: DrillSettings | None = None) -> None:
    """Open the app on the bundled and user decks plus `deck_paths`, with progress in `db_path`;
    given `drill`, straight into a drill with these settings.

    The decks load and the JAX worker warms up in the background, so the home screen shows at once.
    Decks from outside the bundle run only once the user agrees to them (the app asks).
    """
    from jaxquiz import paths
    from jaxquiz.engine import Engine
    from jaxquiz.store import Store

    store = Store.open(db_path or paths.database_path())
    engine = Engine(compile_cache=paths.compile_cache_dir())
    try:
        app_on_library(engine, store, deck_paths, drill).run()
    finally:
        engine.close()
        store.close()
