"""The command line: `jaxquiz` opens the app; subcommands drill, audit, grade, write, trust and
export decks, and print progress.

Library errors are turned into a clear message and a non-zero exit here, at the edge. Nothing
imported at the top of this module imports jax or textual, so `--help` stays instant.
"""

from __future__ import annotations

import json
import random
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, assert_never

import click

from jaxquiz import __version__
from jaxquiz.decks.discovery import discover
from jaxquiz.errors import JaxquizError
from jaxquiz.words import counted

# The deck models (pydantic) load in the commands that parse decks: `jaxquiz` alone lists the
# decks from the deck cache before any model is built (tests/test_startup_imports.py).
if TYPE_CHECKING:
    from jaxquiz.decks.loaded import LoadedDeck, LoadResult
    from jaxquiz.decks.models import ChoiceQuestion, QuestionBase
    from jaxquiz.engine import Engine
    from jaxquiz.trust import Snapshot

EXIT_WRONG = 1
EXIT_BAD_INPUT = 2
EXIT_UNREADABLE = 3  # `grade`: the answer could not be read (a typo, not a wrong answer)


class CliError(click.ClickException):
    """A user mistake, shown as `error: what` and `  fix: fix`, with exit status 2.

    Raised, not printed: click shows it and exits, so a command's code after it never runs.
    A mistake that needs its own status is a subclass that sets `exit_code`.
    """

    exit_code = EXIT_BAD_INPUT

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.fix = fix

    def show(self, file: IO[Any] | None = None) -> None:
        click.secho(f"error: {self.message}", fg="red", err=True)
        click.echo(f"  fix: {self.fix}", err=True)


TRUST_HELP = "Run decks that are not bundled without asking, this once (nothing is recorded)."


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from jaxquiz.engine import landlock, seccomp

    click.echo(f"jaxquiz, version {__version__}")
    # what confines question code here, said once
    click.echo(f"sandbox: {landlock.describe()}; {seccomp.describe()}")
    ctx.exit()


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and the sandbox that confines question code, then exit.",
)
@click.option(
    "--deck",
    "deck_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Also load this deck file or folder (repeatable).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Progress database to use (default: in the data dir; JAXQUIZ_DATA_DIR moves it).",
)
@click.pass_context
def main(ctx: click.Context, deck_paths: tuple[Path, ...], db_path: Path | None) -> None:
    """Learn JAX in the terminal: every answer is graded by running JAX.

    Without a command, opens the app.
    """
    if ctx.invoked_subcommand is None:
        from jaxquiz.tui import run

        run(list(deck_paths), db_path)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the deck format (for editors and yaml-language-server)."""
    from jaxquiz.decks.models import Deck

    click.echo(json.dumps(Deck.model_json_schema(), indent=2))


@main.command("decks")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--markdown", is_flag=True, help="Print the coverage table as Markdown (docs/coverage.md).")
def decks_command(paths: tuple[Path, ...], markdown: bool) -> None:
    """List the decks with question counts per type, and load problems: the decks of PATHS (files
    or folders) when given, else the bundled decks and yours."""
    from jaxquiz.decks.coverage import coverage_markdown, coverage_rows
    from jaxquiz.decks.loader import load_decks

    result = load_decks((p, "path") for p in paths) if paths else discover()
    if markdown:
        click.echo(coverage_markdown(result.decks), nl=False)
        return
    for row in coverage_rows(result.decks):
        click.echo(f"{row.deck:<14} {row.questions:>4}  {row.title}  [{row.types}]")
    for problem in result.problems:
        click.secho(str(problem), fg="red", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON: the JAX version and backend, and one object per question with the truth of each draw.",
)
@click.option("--show-truth", is_flag=True, help="Print what every draw of every question gave when run.")
@click.option("-j", "--jobs", type=click.IntRange(1, 16), default=None, help="Workers in parallel.")
@click.option("--watch", is_flag=True, help="Re-check on every save, showing only what changed.")
@click.option("--trust", is_flag=True, help=TRUST_HELP)
def check(
    paths: tuple[Path, ...], as_json: bool, show_truth: bool, jobs: int | None, watch: bool, trust: bool
) -> None:
    """Audit decks by executing every question (default: the bundled decks).

    Proves for every parameter draw that the code runs, that `expect` is right, that a fill's
    solution is right and its wrong answers are rejected, and that exactly one option is right,
    each written once. Exits 0 only when everything passes. With --watch, keeps running and re-checks
    the questions you edit each time a deck file is saved (Ctrl-C stops). --show-truth and
    --json show what the code actually gave for each draw (shape, dtype, value or exception).
    """
    from jaxquiz import audit
    from jaxquiz.decks.loader import load_decks

    if watch:
        _watch(paths, trust)
    result = load_decks((p, "path") for p in paths) if paths else discover(user=False)
    result.decks = _trusted(result.decks, trust)
    start = time.perf_counter()
    total = sum(len(d.deck.questions) for d in result.decks)
    with _progress(total, "checking") as done:
        ready: list = []
        reports = audit.audit(
            result.decks,
            jobs,
            on_done=lambda report: done(report.deck),
            on_ready=ready.append,
            engine=_given_engine(),
        )
    elapsed = time.perf_counter() - start
    if as_json:
        rows = [r.as_json() for r in reports]
        rows += [
            {
                "deck": str(p.path),
                "question": p.question,
                "ok": False,
                "message": str(p),
                "warnings": [],
                "draws": [],
            }
            for p in result.problems
        ]
        device = ready[0].device if ready else None  # "cpu", "gpu:0": the backend, then the device
        runtime = {
            "jax": ready[0].jax_version if ready else None,
            "backend": device.split(":")[0] if device else None,
            "device": device,
        }
        click.echo(json.dumps({**runtime, "questions": rows}, indent=2))
    else:
        if show_truth:
            _print_truths(reports, ready)
        _print_check_report(result, reports, elapsed)
    failed = sum(not r.ok for r in reports) + len(result.problems)
    sys.exit(1 if failed or (not reports and not result.problems) else 0)


def _print_truths(reports: list, ready: list) -> None:
    """`check --show-truth`: what every draw gave, on which JAX."""
    if ready:
        click.secho(f"truth from JAX {ready[0].jax_version} on {ready[0].device}", bold=True)
    for report in reports:
        click.secho(f"{report.name}", bold=True)
        for truth in report.truths:
            click.echo("  " + truth.summary())
            if truth.outcome.output.strip():
                printed = truth.outcome.output.rstrip("\n").replace("\n", "\n    | ")
                click.echo(f"    | {printed}")


def _print_check_report(result: LoadResult, reports: list, elapsed: float) -> None:
    failures = [r for r in reports if not r.ok]
    for problem in result.problems:
        click.secho(f"ERROR {problem.location}", fg="red", bold=True)
        click.echo(f"  {problem}")
    for report in reports:
        if report.warnings:
            click.secho(f"WARNING {report.location} {report.name}", fg="yellow", bold=True)
            for warning in report.warnings:
                click.echo("  " + warning.replace("\n", "\n    "))
    for report in failures:
        click.secho(f"FAILED {report.location} {report.name}", fg="red", bold=True)
        for failure in report.failures:
            click.echo("  " + failure.replace("\n", "\n    "))
    passed = len(reports) - len(failures)
    parts = [f"{passed} passed"]
    if failures:
        parts.append(f"{len(failures)} failed")
    if result.problems:
        parts.append(counted(len(result.problems), "error"))
    if not reports and not result.problems:
        parts = ["no questions found"]
    color = "red" if failures or result.problems or not reports else "green"
    draws = sum(r.draws for r in reports)
    click.secho(f"{', '.join(parts)} ({counted(draws, 'draw')}) in {elapsed:.1f}s", fg=color, bold=True)


# An answer may start with a dash (-1): read unknown "options" as the answer.
@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("deck")
@click.argument("question_id")
@click.argument("answer", required=False)
@click.option(
    "--file",
    "answer_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Read the answer from this file (- for stdin): a puzzle's function is several lines.",
)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Fix a parameter.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.option("--trust", is_flag=True, help=TRUST_HELP)
def grade(
    deck: str,
    question_id: str,
    answer: str | None,
    answer_file: Any,
    params: tuple[str, ...],
    as_json: bool,
    trust: bool,
) -> None:
    """Grade one ANSWER to a question, without the app.

    DECK is a deck file or the id of a known deck. ANSWER `-` (or --file F) reads the answer from
    stdin (or F), for answers of several lines. Exits 0 when right, 1 when wrong, 2 when the
    question or deck is bad, 3 when the answer cannot be read (say, a dtype that is no dtype, or
    code that is not valid Python).
    Parameters not fixed with --param are drawn at random. A choice takes the 0-based numbers or
    the texts of the options picked, separated by commas.
    """
    from jaxquiz.decks.answer_syntax import syntax_error
    from jaxquiz.engine import Verdict
    from jaxquiz.engine.tasks import task_of

    if answer_file is not None and answer is not None:
        raise CliError("both ANSWER and --file were given", "give the answer one way")
    if answer_file is not None:
        answer = answer_file.read()
    elif answer == "-":
        answer = sys.stdin.read()
    elif answer is None:
        raise CliError("no ANSWER given", "give it as an argument, or with --file F, or as - to read stdin")
    assert answer is not None

    loaded = _trusted([_find_deck(deck)], trust)[0]
    try:
        question = loaded.deck.question(question_id)
    except KeyError:
        ids = ", ".join(q.id for q in loaded.deck.questions)
        raise CliError(f"deck {loaded.id!r} has no question {question_id!r}", f"use one of: {ids}") from None
    from jaxquiz.decks.models import ChoiceQuestion
    from jaxquiz.decks.params import instantiate

    values = _draw_values(question, params)
    concrete = instantiate(question, values)
    match concrete.type:
        case "choice":
            assert isinstance(concrete, ChoiceQuestion)
            _grade_choice(concrete, answer, as_json)
        case "card":
            raise CliError(
                f"{question_id!r} is a card: cards are graded by the learner", "pick another question"
            )
        case "shape" | "dtype" | "value" | "raises" | "fill" | "puzzle":
            pass  # graded by running it, below
        case _:
            assert_never(concrete.type)
    typo = syntax_error(concrete, answer)
    if typo is not None:  # as the app does, read as no answer: nothing runs
        verdict = Verdict(status="unreadable", correct=False, answer=answer, error=typo)
    else:
        with _engine() as engine:
            task = task_of(concrete, loaded.deck.setup)
            engine.wait_ready(devices=task.devices)  # the verdict's time is grading, not starting jax
            # Prepared first, as the app does: a run that fails is then known to be the question's
            # own (exit 2) or the answer's (exit 1).
            verdict = engine.grade(task, answer, engine.prepare(task))
    if as_json:
        click.echo(json.dumps({"params": values, **asdict(verdict)}, indent=2))
    else:
        _print_verdict(verdict, values)
    if verdict.status == "question-error":
        sys.exit(EXIT_BAD_INPUT)
    if verdict.status == "unreadable":
        sys.exit(EXIT_UNREADABLE)
    sys.exit(0 if verdict.correct else EXIT_WRONG)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None, help="Progress database.")
def stats(as_json: bool, db_path: Path | None) -> None:
    """Print your progress: reviews per day, accuracy by deck and tag, retention, due forecast,
    drill scores and your streak."""
    from datetime import UTC, datetime

    from jaxquiz import paths
    from jaxquiz.store import Store
    from jaxquiz.study import statistics

    tags = statistics.question_tags(discover().decks)
    with Store.open(db_path or paths.database_path()) as store:
        figures = statistics.compute(store, tags, datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(figures.as_json(), indent=2))
    else:
        click.echo(statistics.format_tables(figures))


@main.command()
@click.option("--minutes", type=click.FloatRange(0, min_open=True), metavar="N", help="End after N minutes.")
@click.option("--count", type=click.IntRange(1), metavar="N", help="End after N questions (default 10).")
@click.option("--deck", "decks", multiple=True, metavar="ID", help="Only this deck (repeatable).")
@click.option(
    "--tag", "tags", multiple=True, metavar="TAG", help="Only questions with this tag (repeatable)."
)
@click.option(
    "--interview", is_flag=True, help="Harder questions more often; no hints, explanations at the end."
)
@click.option(
    "--mode",
    type=click.Choice(["recall", "choice"]),
    default="recall",
    show_default=True,
    help="recall: type every answer (options on request); choice: show a question's options at once."
    " An interview is always recall.",
)
@click.pass_context
def drill(
    ctx: click.Context,
    minutes: float | None,
    count: int | None,
    decks: tuple[str, ...],
    tags: tuple[str, ...],
    interview: bool,
    mode: str,
) -> None:
    """Open the app straight into a timed drill (questions, minutes, or whichever comes first).

    The answers count as reviews, the drill and its score are saved, and the summary compares the
    score with your best for the same settings. Decks from a folder of your own:
    `jaxquiz --deck PATH drill --deck ID`.
    """
    from jaxquiz.study.drills import DrillSettings
    from jaxquiz.study.session import AnswerMode
    from jaxquiz.tui import run

    deck_paths = list(ctx.parent.params["deck_paths"]) if ctx.parent else []
    db_path = ctx.parent.params["db_path"] if ctx.parent else None
    if decks or tags:
        _check_drill_filters(discover(deck_paths), decks, tags)
    answer_mode: AnswerMode = "choice" if mode == "choice" else "recall"
    run(deck_paths, db_path, DrillSettings(minutes, count, decks, tags, interview, answer_mode))


def _check_drill_filters(result: LoadResult, decks: tuple[str, ...], tags: tuple[str, ...]) -> None:
    """Unknown deck ids and tags are a typo: say so here rather than open an empty drill."""
    import difflib

    known_decks = sorted(d.id for d in result.decks)
    for deck in decks:
        if deck not in known_decks:
            raise CliError(f"no deck with the id {deck!r}", f"use one of: {', '.join(known_decks)}")
    known_tags = {t for d in result.decks for t in d.deck.tags} | {
        t for d in result.decks for q in d.deck.questions for t in q.tags
    }
    for tag in tags:
        if tag not in known_tags:
            close = difflib.get_close_matches(tag, sorted(known_tags), n=5)
            hint = f"did you mean {', '.join(close)}?" if close else "`jaxquiz decks` lists the decks"
            raise CliError(f"no question has the tag {tag!r}", hint)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", default=None, help="The deck's title (default: made from the file name).")
@click.option("--id", "deck_id", default=None, help="The deck's id (default: made from the file name).")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def new(path: Path, title: str | None, deck_id: str | None, force: bool) -> None:
    """Write a starter deck at PATH: one question of every type, with every key explained.

    It passes `jaxquiz check` as written. The deck's JSON Schema is written beside it, and the
    deck's first line points editors (yaml-language-server) at it for completion.
    """
    from jaxquiz.authoring.scaffold import AuthoringError, new_deck
    from jaxquiz.trust import TrustStore

    try:
        created = new_deck(path, title, deck_id, force)
    except AuthoringError as error:
        raise CliError(error.what, error.fix) from None
    TrustStore.load().trust_file(created.path)  # our own template: no need to ask about it
    click.secho(f"wrote {created.path}", fg="green")
    if created.schema_written:
        click.echo(f"wrote {created.schema_path} (the schema, for completion in your editor)")
    # quoted as a shell needs them, to be pasted as they are
    click.echo(f"next:  jaxquiz check --watch {shlex.quote(str(created.path))}")
    folder = shlex.quote(str(created.path.parent))
    click.echo(f"tip:   jaxquiz trust --folder {folder}  (your own decks there stop asking after edits)")


def _deck_content(path: Path) -> Snapshot:
    """The file's content, read once, when it loads as a deck: what is agreed to is a deck."""
    from jaxquiz.decks.loader import DeckLoadError
    from jaxquiz.trust import Snapshot

    try:
        snapshot = Snapshot.read(path)
        snapshot.load()
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}", "check the path") from None
    except DeckLoadError as error:
        first = error.problems[0]
        more = f" (and {counted(len(error.problems) - 1, 'more problem')})" if len(error.problems) > 1 else ""
        raise CliError(
            f"not a deck that loads: {first.location}: {first.rule}{more}",
            f"{first.fix}; then trust it (`jaxquiz check {shlex.quote(str(path))}` lists every problem)",
        ) from None
    return snapshot


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--folder", is_flag=True, help="Trust folders as a whole: every deck in them, now and later.")
@click.option("--forget", is_flag=True, help="Remove the records of these files or folders.")
@click.option("--list", "show", is_flag=True, help="List what is trusted.")
def trust(paths: tuple[Path, ...], folder: bool, forget: bool, show: bool) -> None:
    """Agree to run the deck files PATHS as they are now (like `direnv allow`).

    A deck is code. A deck that is not bundled runs only once you agreed to its exact content;
    when the file changes, you are asked again. Read a deck before you trust it. --folder is for
    your own authoring folder: its decks never ask.
    """
    from jaxquiz.trust import TrustStore

    store = TrustStore.load()
    if show:
        for name in sorted(store.folders):
            click.echo(f"folder  {name}")
        for name, record in sorted(store.files.items()):
            click.echo(f"file    {name}  sha256 {record['sha256'][:12]}  {record['at']}")
        return
    if not paths:
        raise CliError("no PATH given", "name the deck files (or, with --folder, folders) to trust")
    for path in paths:
        if forget:
            found = store.forget(path)
            click.echo(f"forgot {path}" if found else f"{path} was not trusted")
        elif folder:
            if not path.is_dir():
                raise CliError(f"{path} is not a folder", "drop --folder to trust one deck file")
            click.echo(f"trusted the folder {store.trust_folder(path)} (every deck in it, now and later)")
        elif path.is_dir():
            raise CliError(f"{path} is a folder", "pass --folder to trust every deck in it, now and later")
        elif not path.is_file():
            raise CliError(f"no such deck file {path}", "check the path")
        else:
            digest = store.trust_file(path, _deck_content(path).digest)
            click.echo(f"trusted {path} (sha256 {digest[:12]}); if it changes, you will be asked again")


@main.command()
@click.option(
    "--anki",
    "anki_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write an Anki package (.apkg) here.",
)
@click.option(
    "--deck",
    "decks",
    multiple=True,
    metavar="ID|PATH",
    help="Export this deck, by id or file, or every deck in a folder (repeatable; default: every deck).",
)
@click.option("--seed", type=int, default=None, help="Seed for drawing parameters (default: random).")
@click.option("--trust", is_flag=True, help=TRUST_HELP)
def export(anki_path: Path, decks: tuple[str, ...], seed: int | None, trust: bool) -> None:
    """Export decks as an Anki package, for studying on a phone.

    One note per question: the front is the prompt and the code (parameters drawn), the back is
    the answer computed by running the code now, and the explanation. Importing a later export
    updates the cards instead of duplicating them. Exits 1 when a question could not be run.
    """
    from jaxquiz.decks.loader import load_decks
    from jaxquiz.export import export_anki

    chosen: list[LoadedDeck] = []
    for deck in decks:
        if Path(deck).is_dir():  # a folder of decks, as the app's --deck takes
            result = load_decks([(Path(deck), "path")])
            _skip(result)
            chosen += result.decks
        else:
            chosen.append(_find_deck(deck))
    if not decks:
        result = discover()
        _skip(result)
        chosen = result.decks
    chosen = _trusted(chosen, trust)
    total = sum(len(d.deck.questions) for d in chosen)
    with _engine() as engine, _progress(total, "exporting") as done:
        report = export_anki(chosen, anki_path, engine, random.Random(seed), on_done=done)
    for failure in report.failures:
        click.secho(f"SKIPPED {failure}", fg="yellow", err=True)
    written = f"{counted(report.notes, 'note')} from {counted(len(chosen), 'deck')}"
    click.secho(f"wrote {written} to {anki_path}", fg="green")
    sys.exit(1 if report.failures else 0)


def _skip(result: LoadResult) -> None:
    for problem in result.problems:
        click.secho(f"skipped {problem}", fg="yellow", err=True)


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[LoadedDeck], None]]:
    """A callback for each question done, with its deck: a bar on a terminal; elsewhere (a log,
    a pipe) a line as each deck starts, where click's bar would print its label alone."""
    if sys.stderr.isatty():
        with click.progressbar(
            length=total, label=label, file=sys.stderr, show_pos=True, show_eta=False
        ) as bar:
            yield lambda _deck: bar.update(1)
        return
    started: set[str] = set()

    def done(deck: LoadedDeck) -> None:
        if deck.id not in started:
            started.add(deck.id)
            click.echo(f"{label} {deck.id} ({counted(len(deck.deck.questions), 'question')})", err=True)

    yield done


def _given_engine() -> Engine | None:
    """A warm engine handed in as click's `obj` (`CliRunner().invoke(main, args, obj=engine)`:
    the tests share one), else None: the command starts its own."""
    from jaxquiz.engine import Engine

    return click.get_current_context().find_object(Engine)


@contextmanager
def _engine() -> Iterator[Engine]:
    """The engine a command runs questions on: the one handed in, left running, or one of its
    own without a spare (a command asks few questions), stopped when the command ends."""
    from jaxquiz.engine import Engine
    from jaxquiz.paths import compile_cache_dir

    given = _given_engine()
    if given is not None:
        yield given
        return
    with Engine(spare=False, compile_cache=compile_cache_dir()) as engine:
        yield engine


def _trusted(decks: list[LoadedDeck], trust: bool) -> list[LoadedDeck]:
    """The decks that may run, parsed from the content agreed to; asks on a terminal, else refuses."""
    from jaxquiz.trust import TrustError, TrustStore

    try:
        return TrustStore.load().gate(decks, run_anyway=trust, ask=_ask_trust if _interactive() else None)
    except TrustError as error:
        raise CliError(error.what, error.fix) from None


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask_trust(snapshot, why: str) -> bool:
    """Show the deck as it is now and ask; a yes is for this exact content."""
    click.secho(why, fg="yellow", err=True)
    click.secho(f"----- {snapshot.path} (sha256 {snapshot.digest[:12]}) -----", bold=True, err=True)
    lines = snapshot.text.splitlines()
    width = len(str(len(lines)))
    for number, line in enumerate(lines, 1):
        click.echo(f"{number:>{width}} | {line}", err=True)
    click.secho("-----", bold=True, err=True)
    return click.confirm(f"Run the code of {snapshot.path}? (remembered for this content)", err=True)


def _watch(paths: tuple[Path, ...], trust: bool) -> None:
    """`check --watch`: re-check what each save changed, until Ctrl-C."""
    from jaxquiz import paths as data_paths
    from jaxquiz.authoring.watch import Rechecker, engine_auditor, watch
    from jaxquiz.decks.watch import DeckWatcher
    from jaxquiz.trust import TrustStore

    sources = list(paths) or [data_paths.bundled_decks_dir()]
    store = TrustStore.load()
    agreed: set[Path] = set()

    def allowed(snapshot: Snapshot) -> str | None:
        # Once agreed to while watching, a file's later saves are the author's own edits: they run.
        if trust or snapshot.path in agreed or store.is_trusted(snapshot.path, snapshot.digest):
            agreed.add(snapshot.path)
            return None
        why = store.why_untrusted(snapshot.path)
        if _interactive() and _ask_trust(snapshot, why):
            store.trust_file(snapshot.path, snapshot.digest)
            agreed.add(snapshot.path)
            return None
        return f"{why}\nfix: read it, then run `jaxquiz trust {snapshot.path}` (or pass --trust)"

    watcher = DeckWatcher(sources)
    with _engine() as engine:
        rechecker = Rechecker(engine_auditor(engine), allowed, "path" if paths else "bundled")
        try:
            ok = watch(rechecker, watcher.files, watcher.changes(), _echo)
        except KeyboardInterrupt:
            ok = rechecker.ok
    sys.exit(0 if ok else 1)


def _echo(text: str, color: str | None) -> None:
    click.secho(text, fg=color, bold=color is not None)


def _grade_choice(question: ChoiceQuestion, answer: str, as_json: bool) -> None:
    # Graded by the app's own rule, so both say the same about several picks.
    from jaxquiz.engine.tasks import grade_choice

    texts = [o.strip() for o in question.options]
    parts = [answer.strip()] if answer.strip() in texts else [p.strip() for p in answer.split(",")]
    picked = []
    for part in parts:
        if part in texts:
            picked.append(texts.index(part))
        elif part.isdigit() and int(part) < len(texts):
            picked.append(int(part))
        else:
            click.secho(f"cannot read {part!r}: it is not one of the options", fg="yellow", bold=True)
            click.echo("  give the 0-based numbers or the texts of the options picked, separated by commas")
            sys.exit(EXIT_UNREADABLE)
    verdict = grade_choice(question, picked)
    if as_json:
        click.echo(json.dumps({"correct": verdict.correct, "answer": verdict.answer}))
    else:
        label, color = ("right", "green") if verdict.correct else ("wrong", "red")
        click.secho(label, fg=color, bold=True)
        if verdict.difference:
            click.echo(f"  {verdict.difference}")
    sys.exit(0 if verdict.correct else EXIT_WRONG)


def _print_verdict(verdict, values: dict) -> None:
    if verdict.status == "graded":
        label, color = ("right", "green") if verdict.correct else ("wrong", "red")
    elif verdict.status == "unreadable":
        label, color = "cannot read the answer", "yellow"
    else:
        label, color = verdict.status, "yellow"
    click.secho(label, fg=color, bold=True)
    rows = [
        ("params", ", ".join(f"{k}={v}" for k, v in values.items())),
        ("you said", verdict.understood),
        ("it is", verdict.truth.summary() if verdict.truth.status == "ok" else ""),  # else: in error
        ("value", verdict.truth.preview),
        ("difference", verdict.difference),
        ("note", verdict.note),
        ("error", verdict.error),
        ("traceback", verdict.traceback),
        ("output", verdict.output or verdict.truth.output),
        ("device", verdict.device),
        ("time", f"{verdict.timings.total_ms:.1f} ms"),
    ]
    for name, text in rows:
        if text:
            click.echo(f"{name:>10}: " + str(text).replace("\n", "\n" + " " * 12))


def _draw_values(question: QuestionBase, params: tuple[str, ...]) -> dict:
    values = {}
    for item in params:
        name, sep, raw = item.partition("=")
        if not sep:
            raise CliError(f"--param {item!r} has no '='", "write --param NAME=VALUE")
        if name not in question.params:
            known = ", ".join(question.params) or "none"
            raise CliError(f"the question has no parameter {name!r}", f"its parameters: {known}")
        values[name] = _literal(raw)
    rng = random.Random()
    for name, choices in question.param_values().items():
        values.setdefault(name, rng.choice(choices))
    return values


def _literal(raw: str) -> int | float | str:
    for convert in (int, float):
        try:
            return convert(raw)
        except ValueError:
            pass
    return raw


def _find_deck(deck: str) -> LoadedDeck:
    path = Path(deck)
    if path.suffix in (".yaml", ".yml") or path.exists():
        from jaxquiz.decks.loader import load_deck_file

        return load_deck_file(path)
    result = discover()
    for loaded in result.decks:
        if loaded.id == deck:
            return loaded
    known = ", ".join(sorted(d.id for d in result.decks))
    raise CliError(f"no deck file or deck id {deck!r}", f"give a path to a .yaml file or one of: {known}")


def run() -> None:
    """Entry point: library errors become a message and exit status 2, not a traceback."""
    try:
        main(standalone_mode=True)
    except JaxquizError as error:
        click.secho(f"error: {error.message}", fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)
