"""Which deck files to load: the bundled decks, the user's deck folder, and paths given."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from jaxquiz import paths

if TYPE_CHECKING:
    from jaxquiz.decks.loaded import LoadResult

BUNDLED = "bundled"
USER = "user"
GIVEN = "path"


def deck_sources(
    extra: Sequence[Path] = (), *, bundled: bool = True, user: bool = True
) -> list[tuple[Path, str]]:
    """The folders and files to load, each with its origin, bundled first."""
    sources: list[tuple[Path, str]] = []
    if bundled:
        sources.append((paths.bundled_decks_dir(), BUNDLED))
    if user and paths.user_decks_dir().is_dir():
        sources.append((paths.user_decks_dir(), USER))
    sources.extend((Path(p), GIVEN) for p in extra)
    return sources


def discover(extra: Sequence[Path] = (), *, bundled: bool = True, user: bool = True) -> LoadResult:
    """Load every deck the app should offer; problems are reported, never fatal.

    Decks parsed before with the same bytes come from the cache in the data dir.
    """
    # Imported here: the sources alone (what the first screen lists) need neither YAML nor models.
    from jaxquiz.decks.cache import DeckCache
    from jaxquiz.decks.loader import load_decks

    return load_decks(deck_sources(extra, bundled=bundled, user=user), DeckCache.in_cache_dir())
