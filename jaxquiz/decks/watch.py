"""Noticing edited deck files by polling: which files changed, appeared or went away since last time.

Polling a handful of YAML files costs a few `stat` calls, needs no extra dependency or thread,
and survives editors that save by writing a new file and renaming it over the old one. A file
counts as changed only when its content hash changed, so touching or re-saving it unchanged is
not an event. Callers poll from their own timer (the app) or from `changes()` (`check --watch`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jaxquiz.decks.loader import DECK_SUFFIXES, deck_files


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


@dataclass(frozen=True)
class _Seen:
    stat: tuple[int, int, int]  # mtime_ns, size, inode: cheap to compare on every poll
    digest: str


class DeckWatcher:
    """Polls deck files and folders (folders: every deck file below them, as discovery loads them)."""

    def __init__(self, sources: Sequence[Path]) -> None:
        self.sources = [Path(s) for s in sources]
        self._seen: dict[Path, _Seen] = self._scan({})

    @property
    def files(self) -> list[Path]:
        """The deck files being watched now."""
        return sorted(self._seen)

    def poll(self) -> Changes:
        """What changed since the last poll (or since the watcher was made)."""
        before = self._seen
        now = self._scan(before)
        self._seen = now
        return Changes(
            changed=sorted(p for p in now.keys() & before.keys() if now[p].digest != before[p].digest),
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

    def _scan(self, before: dict[Path, _Seen]) -> dict[Path, _Seen]:
        seen: dict[Path, _Seen] = {}
        for path in self._files():
            try:
                info = path.stat()
                stat = (info.st_mtime_ns, info.st_size, info.st_ino)
                old = before.get(path)
                if old is not None and old.stat == stat:
                    seen[path] = old
                    continue
                seen[path] = _Seen(stat, hashlib.sha256(path.read_bytes()).hexdigest())
            except OSError:
                continue  # gone between listing and reading, or mid-rename: the next poll sees it
        return seen
