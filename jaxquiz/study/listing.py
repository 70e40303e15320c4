"""What the home screen lists at start-up: each deck's outline from the deck cache, before any deck
is parsed or validated.

The full load (`open_library`) follows in the background and takes the outlines' place; the listing
only lets the deck list show before the pydantic models are built. It gives up (None) whenever it
cannot be sure to show what that load will: a file the cache does not hold as it is now (new,
edited or broken), a source that is gone, a deck id used twice, or a deck from outside the bundle
that may not run as it is (the app asks about it once the load is done).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jaxquiz.decks.cache import DeckCache
from jaxquiz.decks.discovery import BUNDLED, deck_sources
from jaxquiz.decks.files import deck_files
from jaxquiz.decks.loaded import DeckOutline, ListedDeck
from jaxquiz.errors import JaxquizError


def listing_order(deck: ListedDeck) -> tuple[bool, str]:
    """The order decks are offered in: the bundled ones first, each group by id."""
    return (deck.origin != BUNDLED, deck.id)


def list_decks(extra: Sequence[Path] = ()) -> list[DeckOutline] | None:
    """The outlines of every deck `open_library(extra)` would offer, in its order, or None."""
    cache = DeckCache.in_cache_dir()
    seen: dict[str, DeckOutline] = {}
    for source, origin in deck_sources(extra):
        if not source.exists():
            return None  # a problem to report: only the load says it
        for path in deck_files(source) if source.is_dir() else [source]:
            outline = cache.outline(path, origin)
            if outline is None:
                return None
            first = seen.get(outline.id)
            if first is None:
                seen[outline.id] = outline
            elif first.path.resolve() != path.resolve():
                return None  # two decks with one id: a problem to report
    if not seen:
        return None  # "no decks found" is for the load to say, with its problems
    if not _may_run([o for o in seen.values() if o.origin != BUNDLED]):
        return None
    return sorted(seen.values(), key=listing_order)


def _may_run(outlines: list[DeckOutline]) -> bool:
    """Whether every deck from outside the bundle is trusted with the very bytes outlined."""
    if not outlines:
        return True  # the bundled decks always are: no need to read the records
    # Imported here: the records are read with pydantic, which a start on bundled decks skips.
    from jaxquiz.trust import TrustStore

    try:
        records = TrustStore.load()
    except JaxquizError:
        return False  # unreadable records are a problem the load reports
    return all(records.is_trusted(o.path, o.digest) for o in outlines)
