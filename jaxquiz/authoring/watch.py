"""`jaxquiz check --watch`: re-audit a deck on every save and report only what changed.

Like a test runner's watch mode. Each question's result is kept with its content hash (which
covers the deck's `setup`); after a save only new or edited questions run again. A file that does
not load (a YAML syntax error while typing) is reported and the last good results are kept, so
fixing it re-runs only what was edited since then. The loop takes its change events from any
iterable, so tests drive it with explicit events and the CLI with a polling `DeckWatcher`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jaxquiz.audit import QuestionReport, audit_question
from jaxquiz.decks import DeckLoadError, LoadedDeck, LoadProblem, content_hash
from jaxquiz.decks.models import QuestionBase
from jaxquiz.decks.watch import Changes
from jaxquiz.engine.boundary import Engine
from jaxquiz.errors import JaxquizError
from jaxquiz.trust import Snapshot
from jaxquiz.words import counted

Echo = Callable[[str, str | None], None]  # (text, colour or None)
AuditOne = Callable[[LoadedDeck, QuestionBase], QuestionReport]
Allowed = Callable[[Snapshot], str | None]  # why the content may not run, or None


def engine_auditor(engine: Engine) -> AuditOne:
    """Audit one question with a warm engine (kept across saves, so re-checks start at once)."""

    def audit_one(deck: LoadedDeck, question: QuestionBase) -> QuestionReport:
        report = QuestionReport(deck, question)
        audit_question(engine, report)
        return report

    return audit_one


@dataclass
class Round:
    """What re-checking one file found: only what changed since its last check."""

    path: Path
    first: bool  # the first check of this file in the session: everything is new
    rechecked: list[QuestionReport] = field(default_factory=list)  # new or edited questions
    removed: list[str] = field(default_factory=list)  # names of questions no longer in the deck
    kept: list[QuestionReport] = field(default_factory=list)  # unchanged: last results still hold
    problems: list[LoadProblem] = field(default_factory=list)  # the file does not load now
    gone: bool = False  # the file was deleted
    refused: str | None = None  # the content may not run (not trusted)

    @property
    def failing(self) -> list[QuestionReport]:
        return [r for r in (*self.rechecked, *self.kept) if not r.ok]

    @property
    def ok(self) -> bool:
        return not (self.failing or self.problems or self.refused)


@dataclass
class _Known:
    digest: str
    report: QuestionReport


class Rechecker:
    """Keeps each watched file's last results and re-audits only what a save changed."""

    def __init__(self, audit_one: AuditOne, allowed: Allowed = lambda _: None, origin: str = "path") -> None:
        self.audit_one = audit_one
        self.allowed = allowed
        self.origin = origin
        self._known: dict[Path, dict[str, _Known]] = {}  # file -> question id -> last result
        self._broken: set[Path] = set()  # files whose last load failed

    def check(self, path: Path) -> Round:
        """Re-check one file after it changed (or was first seen)."""
        path = Path(path)
        first = path not in self._known
        try:
            snapshot = Snapshot.read(path)
        except FileNotFoundError:
            self._known.pop(path, None)
            self._broken.discard(path)
            return Round(path, first, gone=True)
        except OSError as error:
            self._broken.add(path)
            return Round(path, first, problems=[_problem(path, f"cannot read the file: {error}")])
        refused = self.allowed(snapshot)
        if refused:
            self._broken.add(path)
            return Round(path, first, refused=refused)
        try:
            loaded = snapshot.load(self.origin)
        except DeckLoadError as error:
            self._broken.add(path)
            kept = [k.report for k in self._known.get(path, {}).values()]
            return Round(path, first, kept=kept, problems=list(error.problems))
        self._broken.discard(path)
        before = self._known.get(path, {})
        now: dict[str, _Known] = {}
        result = Round(path, first)
        for question in loaded.deck.questions:
            digest = f"{loaded.id}/{content_hash(loaded.deck, question)}"
            old = before.get(question.id)
            if old is not None and old.digest == digest:
                # Same content: the result stands, with the deck's new line numbers for reports.
                report = QuestionReport(
                    loaded, question, old.report.draws, old.report.failures, old.report.warnings
                )
                result.kept.append(report)
            else:
                report = self.audit_one(loaded, question)
                result.rechecked.append(report)
            now[question.id] = _Known(digest, report)
        result.removed = [k.report.name for qid, k in before.items() if qid not in now]
        self._known[path] = now
        return result

    @property
    def ok(self) -> bool:
        """Whether every watched file loads and every question passes."""
        return not self._broken and all(k.report.ok for known in self._known.values() for k in known.values())


def render(round_: Round, echo: Echo) -> None:
    """Report a round like a test runner: failures in full, then one summary line."""
    path = round_.path
    if round_.gone:
        echo(f"removed {path}", "yellow")
        return
    if round_.refused:
        echo(f"NOT RUN {path}", "red")
        echo("  " + round_.refused.replace("\n", "\n  "), None)
        return
    for problem in round_.problems:
        echo(f"ERROR {problem.location}", "red")
        echo(f"  {problem}".replace("\n", "\n  "), None)
    for report in round_.rechecked:
        if report.warnings:
            echo(f"WARNING {report.location} {report.name}", "yellow")
            for warning in report.warnings:
                echo("  " + warning.replace("\n", "\n    "), None)
        if report.ok:
            if not round_.first:
                echo(f"PASSED {report.name}", "green")
            continue
        echo(f"FAILED {report.location} {report.name}", "red")
        for failure in report.failures:
            echo("  " + failure.replace("\n", "\n    "), None)
    for name in round_.removed:
        echo(f"removed {name}", "yellow")
    echo(_summary(round_), "green" if round_.ok else "red")


def _summary(round_: Round) -> str:
    if round_.problems:
        kept = f"; the last results of its {len(round_.kept)} questions are kept" if round_.kept else ""
        return f"{round_.path}: does not load ({counted(len(round_.problems), 'error')}){kept}"
    rechecked = round_.rechecked
    failed = sum(not r.ok for r in rechecked)
    parts = []
    if rechecked:
        counts = f"{len(rechecked) - failed} passed" + (f", {failed} failed" if failed else "")
        verb = "checked" if round_.first else "re-checked"
        parts.append(f"{len(rechecked)} {verb} ({counts})")
    elif not round_.removed:
        parts.append("no question changed")
    if round_.kept:
        still = sum(not r.ok for r in round_.kept)
        parts.append(f"{len(round_.kept)} unchanged" + (f" ({still} still failing)" if still else ""))
    return f"{round_.path}: " + ", ".join(parts)


def watch(
    rechecker: Rechecker,
    initial: Iterable[Path],
    events: Iterable[Changes],
    echo: Echo,
) -> bool:
    """Check the initial files, then re-check each changed file of every event; True if all pass.

    Runs until `events` ends (the CLI's never does: Ctrl-C stops it). An error of one round, such
    as a worker that cannot start, is shown and the watcher goes on.
    """
    for path in initial:
        _round(rechecker, path, echo)
    echo("watching for changes (Ctrl-C to stop)", "cyan")
    for changes in events:
        for path in changes.paths:
            echo(f"changed {path}", "cyan")
            _round(rechecker, path, echo)
    return rechecker.ok


def _round(rechecker: Rechecker, path: Path, echo: Echo) -> None:
    try:
        render(rechecker.check(path), echo)
    except JaxquizError as error:
        echo(f"ERROR {path}: {error.message}", "red")


def _problem(path: Path, rule: str) -> LoadProblem:
    return LoadProblem(path, 1, 1, None, rule, "check the file")
