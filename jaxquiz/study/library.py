"""The decks the app offers: discovery, the trust gate, and reloading files changed on disk.

A deck from outside the bundle is code the user has not necessarily read: it becomes a
`PendingTrust` until they agree to that exact content (or stays out, listed as a problem).
Reloading keeps every other deck as it is; progress is keyed by (deck, question id), so it stays.
No textual here: the app shows prompts and polls on a timer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jaxquiz.decks import DeckLoadError, LoadedDeck, LoadProblem, LoadResult
from jaxquiz.decks.cache import DeckCache
from jaxquiz.decks.discovery import BUNDLED, deck_sources
from jaxquiz.decks.loader import duplicate_deck_id, load_decks
from jaxquiz.decks.watch import Changes, DeckWatcher
from jaxquiz.errors import JaxquizError
from jaxquiz.study.listing import listing_order
from jaxquiz.trust import Snapshot, TrustStore


@dataclass(frozen=True)
class PendingTrust:
    """A deck file waiting for the user's agreement to run exactly this content."""

    snapshot: Snapshot
    origin: str
    why: str

    @property
    def path(self) -> Path:
        return self.snapshot.path


@dataclass
class Library:
    """The loaded decks, keyed by file, with what still waits for trust."""

    trust: TrustStore
    watcher: DeckWatcher
    decks: dict[Path, LoadedDeck] = field(default_factory=dict)
    problems: dict[Path, list[LoadProblem]] = field(default_factory=dict)
    origins: dict[Path, str] = field(default_factory=dict)  # of each deck file seen
    sources: dict[Path, str] = field(default_factory=dict)  # the folders and files watched

    @classmethod
    def load(cls, extra: Sequence[Path] = (), *, bundled: bool = True, user: bool = True) -> Library:
        """Discover every deck; untrusted ones are left pending (see `pending_after_load`)."""
        sources = deck_sources(extra, bundled=bundled, user=user)
        library = cls(TrustStore.load(), DeckWatcher([path for path, _ in sources]), sources=dict(sources))
        library.watcher.poll()  # remember the files as they are now: later polls report edits
        result = load_decks(sources, DeckCache.in_cache_dir())
        for loaded in result.decks:
            library.decks[loaded.path] = loaded
            library.origins[loaded.path] = loaded.origin
        for problem in result.problems:
            library.problems.setdefault(problem.path, []).append(problem)
        return library

    def pending_after_load(self) -> list[PendingTrust]:
        """Set aside the loaded decks that may not run yet; the user is asked about each."""
        return [p for path in list(self.decks) if (p := self._gate(path)) is not None]

    @property
    def result(self) -> LoadResult:
        """The decks to offer and every problem, in a stable order."""
        decks = sorted(self.decks.values(), key=listing_order)
        problems = [p for path in sorted(self.problems) for p in self.problems[path]]
        return LoadResult(decks, problems)

    # -- the user's answer -----------------------------------------------------------------------

    def agree(self, pending: PendingTrust) -> None:
        """Record the agreement and offer the deck, parsed from the very content shown."""
        self.trust.trust_file(pending.path, pending.snapshot.digest)
        self._load_snapshot(pending.snapshot, pending.origin)

    def refuse(self, pending: PendingTrust) -> None:
        """Keep the deck out, listed as a problem with the way to agree later."""
        self.problems[pending.path] = [
            LoadProblem(
                pending.path, 1, 1, None, pending.why, f"read it, then run `jaxquiz trust {pending.path}`"
            )
        ]

    # -- changes on disk -------------------------------------------------------------------------

    def reload(self, changes: Changes) -> list[PendingTrust]:
        """Apply edited, new and removed files; return the ones that need agreeing to again."""
        pending = []
        for path in changes.removed:
            self.decks.pop(path, None)
            self.problems.pop(path, None)
        for path in [*changes.changed, *changes.added]:
            origin = self.origins.get(path) or self._origin_for(path)
            self.origins[path] = origin
            try:
                snapshot = Snapshot.read(path)
            except OSError as error:
                self.decks.pop(path, None)
                self.problems[path] = [
                    LoadProblem(path, 1, 1, None, f"cannot read: {error}", "check the file")
                ]
                continue
            if origin != BUNDLED and not self.trust.is_trusted(path, snapshot.digest):
                self.decks.pop(path, None)
                self.problems.pop(path, None)
                pending.append(PendingTrust(snapshot, origin, self.trust.why_untrusted(path)))
                continue
            self._load_snapshot(snapshot, origin)
        return pending

    def poll(self) -> tuple[bool, list[PendingTrust]]:
        """Look for edits now: (whether anything changed, decks that need agreeing to)."""
        changes = self.watcher.poll()
        if not changes:
            return False, []
        return True, self.reload(changes)

    # -- helpers ---------------------------------------------------------------------------------

    def _gate(self, path: Path) -> PendingTrust | None:
        loaded = self.decks[path]
        if loaded.origin == BUNDLED:
            return None
        try:
            snapshot = Snapshot.read(path)
        except OSError:
            return None
        if self.trust.is_trusted(path, snapshot.digest):
            if snapshot.digest != loaded.digest:  # what runs is what was judged, not an earlier read
                self._load_snapshot(snapshot, loaded.origin)
            return None
        del self.decks[path]
        return PendingTrust(snapshot, loaded.origin, self.trust.why_untrusted(path))

    def _load_snapshot(self, snapshot: Snapshot, origin: str) -> None:
        path = snapshot.path
        try:
            loaded = snapshot.load(origin)
        except DeckLoadError as error:
            self.decks.pop(path, None)
            self.problems[path] = list(error.problems)
            return
        clash = next((d for p, d in self.decks.items() if d.id == loaded.id and p != path), None)
        if clash is not None:
            self.decks.pop(path, None)
            self.problems[path] = [duplicate_deck_id(loaded, clash)]
            return
        self.problems.pop(path, None)
        self.decks[path] = loaded

    def _origin_for(self, path: Path) -> str:
        resolved = path.resolve()
        for source, origin in self.sources.items():
            if resolved == source.resolve() or source.resolve() in resolved.parents:
                return origin
        return "path"


@dataclass(frozen=True)
class OpenedLibrary:
    """What the app starts from: the library (None when it cannot track trust), the decks to
    show now, and the decks to ask about."""

    library: Library | None
    result: LoadResult
    pending: list[PendingTrust]


def open_library(extra: Sequence[Path] = ()) -> OpenedLibrary:
    """Load every deck for the app, holding back those the user has not agreed to run.

    Broken trust records are a problem to show, not a crash: then only bundled decks are offered.
    """
    try:
        library = Library.load(extra)
    except JaxquizError as error:
        from jaxquiz.decks import discover

        result = discover(extra)
        problem = LoadProblem(Path(error.where or "trust records"), 1, 1, None, error.what, error.fix)
        bundled = [d for d in result.decks if d.origin == BUNDLED]
        return OpenedLibrary(None, LoadResult(bundled, [*result.problems, problem]), [])
    pending = library.pending_after_load()
    return OpenedLibrary(library, library.result, pending)
