"""Parsed decks kept in the data dir by content hash, so that a start does not re-parse unchanged YAML.

Parsing YAML with the position of every key is most of the cost of loading a deck; validating the
models again from JSON is cheap. An entry is looked up by the SHA-256 of the deck file's exact bytes
together with the code that parsed them (the loader's and models' source, pydantic's version), so an
edited deck or a changed rule is never answered from the cache. What is read back is validated by
the models again, never trusted as it is: a corrupt, foreign or outdated entry fails that and is
ignored (the file is parsed instead and the entry rewritten). Only decks that loaded without a
problem are kept; a broken deck is parsed every time, so its problems are always reported. The
cache is only a shortcut: failing to read or write it never fails a load.

Each entry also holds the deck's outline (its id, title, description, tags and question ids), which
the deck list reads at start-up without YAML or pydantic: the app lists the decks at once and
validates them in the background. An outline is keyed like the deck and checked for its form, so
an edited or new file has none and waits for its load.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jaxquiz import paths
from jaxquiz.decks.files import MAX_DECK_BYTES
from jaxquiz.decks.loaded import DeckOutline

# The loader and the models (pydantic) are imported where a deck is parsed or validated: reading
# an outline for the deck list needs neither.
if TYPE_CHECKING:
    from jaxquiz.decks.loaded import LoadedDeck

# Bump when the layout of an entry changes (a change of the loader's code needs no bump).
# 2: the entry holds the deck's outline, what the deck list shows before the deck is validated.
ENTRY_FORMAT = 2
MAX_ENTRIES = 256  # the oldest entries beyond this are removed as new ones are written
# The modules whose code decides what a deck file parses to.
_PARSING_MODULES = (
    "loader.py",
    "loaded.py",
    "files.py",
    "models.py",
    "params.py",
    "arithmetic.py",
    "puzzle_inputs.py",
    "yaml_lines.py",
    "problems.py",
    "../blanks.py",
    "../question_types.py",
)


@cache
def code_fingerprint() -> str:
    """A hash of the code that turns deck bytes into a LoadedDeck (read once per process)."""
    digest = hashlib.sha256(f"entry {ENTRY_FORMAT}".encode())
    # pydantic's version, read from its source rather than imported: the deck list is shown
    # from outlines before pydantic is loaded.
    digest.update(_pydantic_version_file())
    here = Path(__file__).resolve().parent
    for name in _PARSING_MODULES:
        digest.update(name.encode())
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def _pydantic_version_file() -> bytes:
    spec = importlib.util.find_spec("pydantic")
    if spec is None or not spec.submodule_search_locations:
        raise OSError("pydantic is not installed where it can be read")
    return (Path(next(iter(spec.submodule_search_locations))) / "version.py").read_bytes()


class DeckCache:
    """Loaded decks by the hash of their file's bytes, one JSON file each in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def in_cache_dir(cls) -> DeckCache:
        return cls(paths.deck_cache_dir())

    def key(self, data: bytes) -> str:
        return hashlib.sha256(code_fingerprint().encode() + b"\0" + data).hexdigest()

    def load(self, path: Path, origin: str = "path") -> LoadedDeck:
        """The deck in `path`, as `load_deck_file` gives it: from the cache when these exact bytes were
        loaded before, else parsed (and kept). Raises DeckLoadError like `load_deck_file`."""
        from jaxquiz.decks.loader import load_deck_bytes, read_deck_bytes

        data = read_deck_bytes(path)
        try:
            key = self.key(data)
        except OSError:
            return load_deck_bytes(data, path, origin)  # no source to hash
        # The trust gate judges a deck by the hash of the very bytes it came from, cached or not.
        cached = self._read(key, path, origin, hashlib.sha256(data).hexdigest())
        if cached is not None:
            return cached
        loaded = load_deck_bytes(data, path, origin)
        self._write(key, loaded)
        return loaded

    def outline(self, path: Path, origin: str = "path") -> DeckOutline | None:
        """What the deck list shows of the deck in `path`, when these exact bytes were loaded before
        without a problem; else None (then only loading the deck can tell)."""
        try:
            with Path(path).open("rb") as file:
                data = file.read(MAX_DECK_BYTES + 1)
            if len(data) > MAX_DECK_BYTES:
                return None  # never a deck, so never in the cache
            entry = json.loads(self._entry(self.key(data)).read_bytes())
        except (OSError, ValueError):
            return None  # unreadable, not in the cache, or a damaged entry
        if not isinstance(entry, dict):
            return None
        return DeckOutline.from_json(
            entry.get("outline"), Path(path), origin, hashlib.sha256(data).hexdigest()
        )

    def _entry(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def _read(self, key: str, path: Path, origin: str, digest: str) -> LoadedDeck | None:
        from pydantic import ValidationError

        from jaxquiz.decks.loaded import LoadedDeck
        from jaxquiz.decks.models import Deck

        try:
            entry = json.loads(self._entry(key).read_bytes())
            deck = Deck.model_validate(entry["deck"])
            lines = entry["lines"]
            if not (isinstance(lines, dict) and all(isinstance(v, int) for v in lines.values())):
                return None
            if set(lines) != {q.id for q in deck.questions}:
                return None
        except (OSError, ValueError, KeyError, TypeError, ValidationError):
            return None  # absent, unreadable, not JSON, or not a deck: parse the file instead
        loaded = LoadedDeck(deck, path, origin, dict(lines), digest=digest)
        # The outline must say what the deck says: else the entry is parsed again and rewritten,
        # rather than a damaged outline keeping every later start from listing the decks at once.
        if DeckOutline.from_json(entry.get("outline"), path, origin, digest) != DeckOutline.of(loaded):
            return None
        return loaded

    def _write(self, key: str, loaded: LoadedDeck) -> None:
        # Only what the file set: defaults are left for validation to fill, exactly as from YAML
        # (an unset `timeout` stays the int 10, which the content hash of a question can tell from
        # 10.0). Python mode, not pydantic's JSON mode: that writes a parameter value `true` as 1
        # (the int member of the union is tried first); json keeps bool, int, float and str apart.
        entry: dict[str, Any] = {
            "deck": loaded.deck.model_dump(exclude_unset=True),
            "lines": loaded.question_lines,
            # As validated, defaults filled: the deck list reads this without the models.
            "outline": DeckOutline.of(loaded).to_json(),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a reader (another jaxquiz) sees the whole entry or none.
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(json.dumps(entry))  # dumps is json's C encoder; dump is Python's
                os.replace(temporary, self._entry(key))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self._prune()
        except OSError:
            pass  # a read-only or full data dir: the deck is loaded all the same, just not kept

    def _prune(self) -> None:
        entries = list(self.folder.glob("*.json"))
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda p: p.stat().st_mtime)
        for old in entries[: len(entries) - MAX_ENTRIES]:
            old.unlink(missing_ok=True)
