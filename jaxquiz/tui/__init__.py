"""The Textual app of jaxquiz: `run()` opens it; `make_app()` builds it (for the CLI and the tests).

Importing this package never imports jax: the engine's worker process is the only one that does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from jaxquiz.decks import LoadProblem, LoadResult
from jaxquiz.tui.app import JaxQuizApp, make_app

__all__ = ["JaxQuizApp", "make_app", "run"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def run(deck_paths: Sequence[Path], db_path: Path | None) -> None:
    """Open the app on the bundled and user decks plus `deck_paths`, with progress in `db_path`.

    The decks load and the JAX worker warms up in the background, so the home screen shows at once.
    """
    from jaxquiz import paths
    from jaxquiz.decks import discover
    from jaxquiz.engine import Engine
    from jaxquiz.store import Store

    store = Store.open(db_path or paths.database_path())
    engine = Engine()
    extra = list(deck_paths)
    try:
        app = make_app(engine, store, utc_now, lambda: trusted_only(discover(extra)), on_exit=engine.close)
        app.run()
    finally:
        engine.close()
        store.close()


def trusted_only(result: LoadResult) -> LoadResult:
    """Decks the user has not agreed to run are listed as problems, not offered (a deck is code)."""
    from jaxquiz.errors import JaxquizError
    from jaxquiz.trust import TrustStore

    try:
        trust = TrustStore.load()
        refused = {id(d) for d in trust.untrusted(result.decks)}
    except JaxquizError as error:
        problem = LoadProblem(Path(str(error.where or "trust records")), 1, 1, None, error.what, error.fix)
        return LoadResult([d for d in result.decks if d.origin == "bundled"], [*result.problems, problem])
    problems = [
        LoadProblem(
            d.path, 1, 1, None, trust.why_untrusted(d.path), f"read it, then run `jaxquiz trust {d.path}`"
        )
        for d in result.decks
        if id(d) in refused
    ]
    return LoadResult([d for d in result.decks if id(d) not in refused], [*result.problems, *problems])
