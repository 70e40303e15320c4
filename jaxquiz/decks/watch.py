"""Noticing edited deck files by polling: which files changed, appeared or went away since last time.

Hashing a handful of small YAML files a few times a second costs next to nothing, needs no extra
dependency or thread, and survives editors that save by writing a new file and renaming it over
the old one (and filesystems whose mtime is too coarse to see two quick saves). A file counts as
changed only when its content changed, so touching or re-saving it unchanged is not an event.
Callers poll from their own timer (the app) or from `changes()` (`check --watch`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jaxquiz.decks.files import DECK_SUFFIXES, deck_files


@dataclass(frozen=True)
class Changes:
    """What differs since the last poll; each list is sorted."""

    changed: list[Path] = field(default_factory=list)
    added: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)

    @property
    def paths(self) -> list[Path]:
        """Every path involved (changed, added and removed)."""
        return sorted({*self.changed, *self.added, *self.removed})


class DeckWatcher:
    """Polls deck files and folders (folders: every deck file below them, as discovery loads them)."""

    def __init__(self, sources: Sequence[Path]) -> None:
        self.sources = [Path(s) for s in sources]
        self._seen: dict[Path, str] = self._scan()

    @property
    def files(self) -> list[Path]:
        """The deck files being watched now."""
        return sorted(self._seen)

    def poll(self) -> Changes:
        """What changed since the last poll (or since the watcher was made)."""
        before = self._seen
        now = self._scan()
        self._seen = now
        return Changes(
            changed=sorted(p for p in now.keys() & before.keys() if now[p] != before[p]),
            added=sorted(now.keys() - before.keys()),
            removed=sorted(before.keys() - now.keys()),
        )

    def changes(
        self,
        interval: float = 0.3,
        stop: Callable[[], bool] = lambda: False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Iterator[Changes]:
        """Poll every `interval` seconds and yield each non-empty change, until `stop()` is true."""
        while not stop():
            sleep(interval)
            found = self.poll()
            if found:
                yield found

    def _files(self) -> list[Path]:
        found: list[Path] = []
        for source in self.sources:
            if source.is_dir():
                found.extend(deck_files(source))
            elif source.is_file() or source.suffix in DECK_SUFFIXES:
                found.append(source)
        return found

    def _scan(self) -> dict[Path, str]:
        seen: dict[Path, str] = {}
        for path in self._files():
            try:
                seen[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue  # gone between listing and reading, or mid-rename: the next poll sees it
        return seen
