"""Which deck files may run: a deck is code, so a deck from outside jaxquiz runs only once agreed to.

Like `direnv allow`: the user agrees to one file's exact content (its SHA-256), and a changed file
asks again. Bundled decks are always trusted, and so is every deck below a folder the user trusted
as a whole (their own authoring folder). Records live in `paths.trust_path()` as JSON.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from jaxquiz import paths
from jaxquiz.decks.discovery import BUNDLED
from jaxquiz.decks.files import MAX_DECK_BYTES
from jaxquiz.errors import JaxquizError

# The loader (the deck models) is imported where a deck is parsed: judging the trust of the decks
# the home screen lists at start-up needs only the records.
if TYPE_CHECKING:
    from jaxquiz.decks.loaded import LoadedDeck

TRUST_FORMAT = 1


class TrustError(JaxquizError):
    """The trust records cannot be read or written, or a deck may not run."""


class UntrustedDeck(TrustError):
    """A deck that may not run: never agreed to, changed since, or refused."""

    def __init__(self, what: str, path: Path) -> None:
        super().__init__(
            what,
            fix=f"read it, then run `jaxquiz trust {path}` to agree to it (or pass --trust to run it once)",
        )
        self.path = path


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """One deck file's content at one moment: what the user is shown, agrees to, and what runs.

    Reading the file once and running exactly that text closes the gap between agreeing to a
    file and a later read of it that could see other content.
    """

    path: Path
    text: str  # as shown: the bytes decoded (a byte that is not UTF-8 shown as U+FFFD)
    digest: str
    data: bytes = field(default=b"", repr=False)  # the bytes hashed, and the ones parsed

    @classmethod
    def read(cls, path: Path) -> Snapshot:
        with Path(path).open("rb") as file:
            data = file.read(MAX_DECK_BYTES + 1)  # a larger file is refused when loaded
        return cls(Path(path), data.decode("utf-8", errors="replace"), digest_of(data), data)

    def load(self, origin: str = "path") -> LoadedDeck:
        """The deck parsed from this very content (raises DeckLoadError)."""
        from jaxquiz.decks.loader import load_deck_bytes, load_deck_text

        if not self.data:
            return load_deck_text(self.text, self.path, origin)
        return load_deck_bytes(self.data, self.path, origin)


def _key(path: Path) -> str:
    return str(Path(path).expanduser().resolve())


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    at: str = ""


def _absolute(path: str) -> str:
    if not os.path.isabs(path):
        raise ValueError(f"{path!r} is not an absolute path")
    return path


class _Records(BaseModel):
    """The trust file's form: a wrong type is an error, never a wider trust."""

    model_config = ConfigDict(extra="forbid", strict=True)

    format: Literal[1] = 1  # TRUST_FORMAT
    files: dict[Annotated[str, AfterValidator(_absolute)], _Record] = Field(default_factory=dict)
    folders: list[Annotated[str, AfterValidator(_absolute)]] = Field(default_factory=list)


@dataclass
class TrustStore:
    """The trust records: deck files by content hash, and folders trusted as a whole."""

    path: Path
    files: dict[str, dict[str, str]] = field(default_factory=dict)  # resolved path -> {sha256, at}
    folders: list[str] = field(default_factory=list)  # resolved folder paths

    @classmethod
    def load(cls, path: Path | None = None) -> TrustStore:
        """The records at `path` (default: paths.trust_path()); none yet is an empty store."""
        path = Path(path) if path is not None else paths.trust_path()
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except OSError as error:
            raise TrustError(f"cannot read the trust records: {error}", where=str(path)) from None
        try:
            records = _Records.model_validate_json(raw)
        except ValidationError as error:
            # Never guess: an unreadable record must not widen or silently drop what is trusted.
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the file"
            raise TrustError(
                f"the trust records are not of the expected form ({where}: {first['msg']})",
                where=str(path),
                fix="repair the file, or delete it and trust your decks again with `jaxquiz trust`",
            ) from None
        files = {key: record.model_dump() for key, record in records.files.items()}
        return cls(path, files, list(records.folders))

    def save(self) -> None:
        """Write the records atomically (a crash never leaves half a file)."""
        data = {"format": TRUST_FORMAT, "files": self.files, "folders": sorted(self.folders)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".trust-", suffix=".json", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, sort_keys=True)
                out.write("\n")
            os.replace(tmp, self.path)
        except OSError as error:
            raise TrustError(f"cannot write the trust records: {error}", where=str(self.path)) from None

    # -- questions --------------------------------------------------------------------------------

    def trusted_folder_of(self, path: Path) -> str | None:
        """The trusted folder that holds `path`, if any (the bundled decks count as one)."""
        key = _key(path)
        for folder in [_key(paths.bundled_decks_dir()), *self.folders]:
            if _within(key, folder):
                return folder
        return None

    def is_trusted(self, path: Path, digest: str | None = None) -> bool:
        """Whether the file may run: bundled, in a trusted folder, or agreed to with this content.

        `digest` is the hash of the content that will run (Snapshot.digest); by default the file
        is read now.
        """
        if self.trusted_folder_of(path) is not None:
            return True
        record = self.files.get(_key(path))
        if record is None:
            return False
        if digest is None:
            try:
                digest = digest_of(Path(path).read_bytes())
            except OSError:
                return False
        return record["sha256"] == digest

    def untrusted(self, decks: Iterable[LoadedDeck]) -> list[LoadedDeck]:
        """The loaded decks that may not run yet (bundled decks never are).

        Judged by the hash of the bytes each deck was parsed from, never by a later read.
        """
        return [d for d in decks if d.origin != BUNDLED and not self.is_trusted(d.path, d.digest or None)]

    def why_untrusted(self, path: Path) -> str:
        """Why a file is not trusted, in words (for prompts and errors)."""
        if _key(path) in self.files:
            return f"{path} changed since you agreed to run it"
        return f"{path} is not trusted yet: a deck is code, and you have not agreed to run this one"

    def gate(
        self,
        decks: Iterable[LoadedDeck],
        *,
        run_anyway: bool = False,
        ask: Callable[[Snapshot, str], bool] | None = None,
    ) -> list[LoadedDeck]:
        """The decks that may run, each parsed again from the exact content that was judged.

        A deck not trusted yet runs once without a record when `run_anyway` (`--trust`); else
        `ask(snapshot, why)` is asked (a terminal prompt), and a yes is recorded. Without `ask`, or
        on a no, UntrustedDeck is raised. Bundled decks pass as they are.
        """
        allowed = []
        for loaded in decks:
            if loaded.origin == BUNDLED:
                allowed.append(loaded)
                continue
            try:
                snapshot = Snapshot.read(loaded.path)
            except OSError as error:
                raise UntrustedDeck(f"cannot read {loaded.path}: {error}", loaded.path) from None
            if not run_anyway and not self.is_trusted(loaded.path, snapshot.digest):
                why = self.why_untrusted(loaded.path)
                if ask is None:
                    raise UntrustedDeck(why, loaded.path)
                if not ask(snapshot, why):
                    raise UntrustedDeck(f"you did not agree to run {loaded.path}", loaded.path)
                self.trust_file(loaded.path, snapshot.digest)
            allowed.append(snapshot.load(loaded.origin))
        return allowed

    # -- changes (each saves) ---------------------------------------------------------------------

    def trust_file(self, path: Path, digest: str | None = None) -> str:
        """Agree to the file's content (`digest`, default: as it is now); returns the hash recorded.

        A copy of the content agreed to is kept when the file still holds it, so that the next
        prompt can show what changed since.
        """
        snapshot = None
        with contextlib.suppress(OSError):
            snapshot = Snapshot.read(path)
        if digest is None:
            if snapshot is None:
                raise TrustError(f"cannot read {path}", fix="check the path")
            digest = snapshot.digest
        self.files[_key(path)] = {"sha256": digest, "at": datetime.now(UTC).isoformat(timespec="seconds")}
        self.save()
        if snapshot is not None and snapshot.digest == digest:
            self._keep_copy(snapshot)
        return digest

    def agreed_text(self, path: Path) -> str | None:
        """The content last agreed to for this file, when a copy was kept."""
        record = self.files.get(_key(path))
        if record is None:
            return None
        try:
            return (self._copies / record["sha256"]).read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None

    @property
    def _copies(self) -> Path:
        return self.path.parent / "trusted"

    def _keep_copy(self, snapshot: Snapshot) -> None:
        with contextlib.suppress(OSError):  # only a diff is lost without it
            self._copies.mkdir(parents=True, exist_ok=True)
            (self._copies / snapshot.digest).write_bytes(snapshot.data)

    def trust_folder(self, path: Path) -> str:
        """Trust every deck below a folder, now and later; returns the folder recorded."""
        if not Path(path).is_dir():
            raise TrustError(f"{path} is not a folder", fix="give a folder that holds your decks")
        key = _key(path)
        if key not in self.folders:
            self.folders.append(key)
            self.save()
        return key

    def forget(self, path: Path) -> bool:
        """Remove the record of a file or folder; whether there was one."""
        key = _key(path)
        found = self.files.pop(key, None) is not None
        if key in self.folders:
            self.folders.remove(key)
            found = True
        if found:
            self.save()
        return found


def untrusted(decks: Iterable[LoadedDeck], store: TrustStore | None = None) -> list[LoadedDeck]:
    """The loaded decks that need the user's agreement before they run."""
    return (store or TrustStore.load()).untrusted(decks)


# --- what the user reads before agreeing ---------------------------------------------------------

# Keys that hold prose for the learner, not code or what code is built from.
PROSE_KEYS = frozenset(
    (
        "format",
        "deck",
        "title",
        "description",
        "tags",
        "source",
        "id",
        "type",
        "prompt",
        "hint",
        "explain",
        "back",  # a card's back, shown; a card's code is under `code`
    )
)


@dataclass(frozen=True)
class Review:
    """What a trust prompt shows: the code of a deck file, and what changed since it was agreed to."""

    blocks: list[tuple[str, str]]  # (where, code), in file order
    diff: str | None  # a unified diff of the blocks against the version agreed to, if one was


def code_blocks(text: str) -> list[tuple[str, str]]:
    """Every value of a deck that is not prose: the code that runs and what it is built from.

    A file that does not parse is shown whole: it will not run, but nothing is hidden.
    """
    from jaxquiz.decks import yaml_lines  # only when a deck asks for trust: it brings in YAML

    try:
        data, positions = yaml_lines.parse(text)
    except yaml_lines.YamlSyntaxError:
        return [("the whole file (it does not parse)", text)]
    if not isinstance(data, dict):
        return [("the whole file", text)]
    blocks: list[tuple[str, str]] = []

    def visit(value: object, path: tuple, label: str) -> None:
        if not _holds_text(value):
            return  # numbers and flags (a timeout, a range) hold no code
        line = positions.get(path)
        where = f"{label} (line {line.line})" if line else label
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in PROSE_KEYS:
                    visit(item, (*path, key), f"{label} {key}".strip())
        elif isinstance(value, list) and not any(isinstance(item, dict | list) for item in value):
            blocks.append((where, "\n".join(f"- {item}" for item in value)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, (*path, index), f"{label}[{index}]")
        else:
            blocks.append((where, str(value)))

    for key, value in data.items():
        if key == "questions" and isinstance(value, list):
            for index, question in enumerate(value):
                name = question.get("id", f"#{index + 1}") if isinstance(question, dict) else f"#{index + 1}"
                visit(question, ("questions", index), f"question {name}:")
        elif key not in PROSE_KEYS:
            visit(value, (key,), f"deck {key}")
    return blocks


def _holds_text(value: object) -> bool:
    if isinstance(value, dict):
        return any(_holds_text(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_text(item) for item in value)
    return isinstance(value, str)


def review(snapshot: Snapshot, store: TrustStore | None = None) -> Review:
    """The code blocks of a deck file, with a diff against the version agreed to before."""
    blocks = code_blocks(snapshot.text)
    agreed = store.agreed_text(snapshot.path) if store is not None else None
    return Review(blocks, None if agreed is None else diff_blocks(code_blocks(agreed), blocks))


_LINE_NUMBER = re.compile(r" \(line \d+\)$")


def diff_blocks(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> str:
    """A unified diff of the code of two versions of a deck, each hunk headed `@@ place` by the
    block of this version where its first change is (with its line in the file).

    Blocks are compared without the line numbers of their places: an edit above a block moves
    it but does not change it, and is not shown again at every block below."""
    old, new = _listing(before, numbered=False), _listing(after, numbered=False)
    shown = _listing(after)  # as compared, with the places' lines
    places = [where for where, code in after for _ in range(1 + len(code.splitlines() or [""]))]
    lines = ["--- the version you agreed to", "+++ this version"]
    for group in difflib.SequenceMatcher(None, old, new).get_grouped_opcodes(3):
        first = next(j1 for tag, _, _, j1, _ in group if tag != "equal")
        lines.append(f"@@ {places[min(first, len(places) - 1)]}" if places else "@@ (no code left)")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [f" {line}" for line in shown[j1:j2]]
                continue
            lines += [f"-{line}" for line in old[i1:i2]]  # deleted or replaced
            lines += [f"+{line}" for line in shown[j1:j2]]  # inserted or replacing
    return "\n".join(lines) if len(lines) > 2 else ""


def _listing(blocks: list[tuple[str, str]], numbered: bool = True) -> list[str]:
    lines = []
    for where, code in blocks:
        lines.append(f"# {where if numbered else _LINE_NUMBER.sub('', where)}")
        lines.extend(code.splitlines() or [""])
    return lines
