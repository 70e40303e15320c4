"""The command line: `jaxquiz` opens the app; subcommands check, grade and describe decks.

Library errors are turned into a clear message and a non-zero exit here, at the edge. Nothing
imported at the top of this module imports jax or textual, so `--help` stays instant.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import asdict
from pathlib import Path

import click

from jaxquiz import __version__
from jaxquiz.decks import LoadedDeck, LoadResult, discover, instantiate, load_deck_file
from jaxquiz.decks.loader import load_decks
from jaxquiz.decks.models import ChoiceQuestion, Deck, QuestionBase
from jaxquiz.errors import JaxquizError

EXIT_WRONG = 1
EXIT_BAD_INPUT = 2


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jaxquiz")
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
    click.echo(json.dumps(Deck.model_json_schema(), indent=2))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per question.")
@click.option("-j", "--jobs", type=click.IntRange(1, 16), default=None, help="Workers in parallel.")
def check(paths: tuple[Path, ...], as_json: bool, jobs: int | None) -> None:
    """Audit decks by executing every question (default: the bundled decks).

    Proves for every parameter draw that the code runs, that `expect` is right, that a fill's
    solution is right and its wrong answers are rejected, and that options hold a right and a
    wrong answer. Exits 0 only when everything passes.
    """
    from jaxquiz import audit

    result = load_decks((p, "path") for p in paths) if paths else discover(user=False)
    start = time.perf_counter()
    total = sum(len(d.deck.questions) for d in result.decks)
    err = click.get_text_stream("stderr")
    with click.progressbar(length=total, label="checking", file=err, show_pos=True, show_eta=False) as bar:
        reports = audit.audit(result.decks, jobs, on_done=lambda _: bar.update(1))
    elapsed = time.perf_counter() - start
    if as_json:
        rows = [r.as_json() for r in reports]
        rows += [
            {"deck": str(p.path), "question": p.question, "ok": False, "message": str(p)}
            for p in result.problems
        ]
        click.echo(json.dumps(rows, indent=2))
    else:
        _print_check_report(result, reports, elapsed)
    failed = sum(not r.ok for r in reports) + len(result.problems)
    sys.exit(1 if failed or (not reports and not result.problems) else 0)


def _print_check_report(result: LoadResult, reports: list, elapsed: float) -> None:
    failures = [r for r in reports if not r.ok]
    for problem in result.problems:
        click.secho(f"ERROR {problem.location}", fg="red", bold=True)
        click.echo(f"  {problem}")
    for report in failures:
        click.secho(f"FAILED {report.location} {report.name}", fg="red", bold=True)
        for failure in report.failures:
            click.echo("  " + failure.replace("\n", "\n    "))
    passed = len(reports) - len(failures)
    parts = [f"{passed} passed"]
    if failures:
        parts.append(f"{len(failures)} failed")
    if result.problems:
        parts.append(f"{len(result.problems)} errors")
    if not reports and not result.problems:
        parts = ["no questions found"]
    color = "red" if failures or result.problems or not reports else "green"
    draws = sum(r.draws for r in reports)
    click.secho(f"{', '.join(parts)} ({draws} draws) in {elapsed:.1f}s", fg=color, bold=True)


@main.command()
@click.argument("deck")
@click.argument("question_id")
@click.argument("answer")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Fix a parameter.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
def grade(deck: str, question_id: str, answer: str, params: tuple[str, ...], as_json: bool) -> None:
    """Grade one ANSWER to a question, without the app.

    DECK is a deck file or the id of a known deck. Exits 0 when right, 1 when wrong, 2 when the
    question or deck is bad. Parameters not fixed with --param are drawn at random.
    """
    from jaxquiz.engine import Engine, Task

    loaded = _find_deck(deck)
    try:
        question = loaded.deck.question(question_id)
    except KeyError:
        ids = ", ".join(q.id for q in loaded.deck.questions)
        _fail(f"deck {loaded.id!r} has no question {question_id!r}", f"use one of: {ids}")
    values = _draw_values(question, params)
    concrete = instantiate(question, values)
    if isinstance(concrete, ChoiceQuestion):
        _grade_choice(concrete, answer, as_json)
    if question.type == "card":  # type: ignore[attr-defined]
        _fail(f"{question_id!r} is a card: cards are graded by the learner", "pick another question")
    with Engine(spare=False) as engine:
        verdict = engine.grade(Task.from_question(concrete, loaded.deck.setup), answer)
    if as_json:
        click.echo(json.dumps({"params": values, **asdict(verdict)}, indent=2))
    else:
        _print_verdict(verdict, values)
    if verdict.status == "question-error":
        sys.exit(EXIT_BAD_INPUT)
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

    tags = {
        (loaded.id, q.id): [*loaded.deck.tags, *q.tags]
        for loaded in discover().decks
        for q in loaded.deck.questions
    }
    with Store.open(db_path or paths.database_path()) as store:
        figures = statistics.compute(store, tags, datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(figures.as_json(), indent=2))
    else:
        click.echo(statistics.format_tables(figures))


def _grade_choice(question: ChoiceQuestion, answer: str, as_json: bool) -> None:
    texts = [o.strip() for o in question.options]
    if answer.strip().isdigit() and int(answer) < len(texts):
        index = int(answer)
    elif answer.strip() in texts:
        index = texts.index(answer.strip())
    else:
        _fail(f"{answer!r} is not one of the options", "give an option's 0-based number or its text")
    correct = index in question.correct
    if as_json:
        click.echo(json.dumps({"correct": correct, "answer": question.options[index]}))
    else:
        click.secho("right" if correct else "wrong", fg="green" if correct else "red", bold=True)
    sys.exit(0 if correct else EXIT_WRONG)


def _print_verdict(verdict, values: dict) -> None:  # type: ignore[no-untyped-def]
    if verdict.status in ("graded", "unreadable"):
        label, color = ("right", "green") if verdict.correct else ("wrong", "red")
    else:
        label, color = verdict.status, "yellow"
    click.secho(label, fg=color, bold=True)
    rows = [
        ("params", ", ".join(f"{k}={v}" for k, v in values.items())),
        ("you said", verdict.understood),
        ("it is", verdict.truth.summary()),
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
            _fail(f"--param {item!r} has no '='", "write --param NAME=VALUE")
        if name not in question.params:
            known = ", ".join(question.params) or "none"
            _fail(f"the question has no parameter {name!r}", f"its parameters: {known}")
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
        return load_deck_file(path)
    result = discover()
    for loaded in result.decks:
        if loaded.id == deck:
            return loaded
    known = ", ".join(sorted(d.id for d in result.decks))
    _fail(f"no deck file or deck id {deck!r}", f"give a path to a .yaml file or one of: {known}")
    raise AssertionError  # unreachable: _fail exits


def _fail(what: str, fix: str) -> None:
    click.secho(f"error: {what}", fg="red", err=True)
    click.echo(f"  fix: {fix}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def run() -> None:
    """Entry point: library errors become a message and exit status 2, not a traceback."""
    try:
        main(standalone_mode=True)
    except JaxquizError as error:
        click.secho(f"error: {error.message}", fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)
