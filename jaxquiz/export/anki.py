"""Anki export: one note per question, its answer computed by running the code at export time.

Front: the prompt and the code, with parameters drawn (and the options of a multiple-choice
question). Back: what running it gave (shape, dtype, value or exception; a fill's solution; a
choice's right options; a card's back) and the explanation. A note's guid comes from the deck id
and the question id, so importing a new export updates the cards instead of adding copies.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import itertools
import random
import sqlite3
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import assert_never

import genanki
from markdown_it import MarkdownIt

from jaxquiz.decks import LoadedDeck, draw, instantiate
from jaxquiz.decks.models import CardQuestion, ChoiceQuestion, FillQuestion, PuzzleQuestion, QuestionBase
from jaxquiz.engine import Outcome
from jaxquiz.engine.boundary import Engine
from jaxquiz.engine.tasks import task_of

# Fixed forever: Anki recognises the note type by this id, and re-imports update its notes.
MODEL_ID = 1_607_392_319
FIELDS = ("Prompt", "Code", "Options", "Answer", "Explain", "Source")

CSS = """\
.card { font-family: sans-serif; font-size: 18px; text-align: left; color: black; background: white; }
pre, code { font-family: "JetBrains Mono", Menlo, Consolas, monospace; font-size: 15px; }
pre { background: #f4f4f4; padding: 8px; border-radius: 4px; overflow-x: auto; }
.nightMode pre { background: #2b2b2b; }
.label { font-weight: bold; }
.source { margin-top: 16px; color: #888; font-size: 12px; }
"""

MODEL = genanki.Model(
    MODEL_ID,
    "jaxquiz question",
    fields=[{"name": name} for name in FIELDS],
    templates=[
        {
            "name": "Question",
            "qfmt": "{{Prompt}}{{Code}}{{Options}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}{{Explain}}<div class="source">{{Source}}</div>',
        }
    ],
    css=CSS,
)

# Markdown of a deck renders to HTML; raw HTML in it is shown as text, never injected.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass
class ExportReport:
    """What an export wrote, and the questions it could not compute (left out)."""

    path: Path
    notes: int = 0
    failures: list[str] = field(default_factory=list)


def anki_deck_id(deck_id: str) -> int:
    """A stable Anki deck id for a jaxquiz deck id (Anki wants a positive 63-bit int)."""
    return 1 << 40 | int(hashlib.sha256(f"jaxquiz-deck/{deck_id}".encode()).hexdigest()[:9], 16)


def note_guid(deck_id: str, question_id: str) -> str:
    """The note's identity in Anki: the same question keeps it across exports."""
    return genanki.guid_for("jaxquiz", deck_id, question_id)


def export_anki(
    decks: Iterable[LoadedDeck],
    out: Path,
    engine: Engine,
    rng: random.Random | None = None,
    on_done: Callable[[LoadedDeck], None] | None = None,
) -> ExportReport:
    """Write an .apkg with one Anki deck per jaxquiz deck; `rng` draws the parameters."""
    rng = rng or random.Random()
    report = ExportReport(Path(out))
    anki_decks = []
    for loaded in decks:
        anki = genanki.Deck(
            anki_deck_id(loaded.id), f"jaxquiz::{loaded.deck.title}", _md(loaded.deck.description)
        )
        for question in loaded.deck.questions:
            try:
                note = make_note(engine, loaded, question, rng)
            except AnswerFailed as failure:
                report.failures.append(f"{loaded.id}::{question.id}: {failure}")
            else:
                anki.add_note(note)
                report.notes += 1
            if on_done:
                on_done(loaded)
        anki_decks.append(anki)
    with warnings.catch_warnings():
        # genanki warns on any "<...>" it does not know as HTML; our fields are escaped already.
        warnings.filterwarnings("ignore", module="genanki")
        write_package(genanki.Package(anki_decks), Path(out))
    return report


def write_package(package: genanki.Package, out: Path) -> None:
    """What genanki's `Package.write_to_file` writes (the collection, and no media), less the
    SQLite file it leaves in the system's temp folder on every export: here the collection is
    written in a folder of its own, removed once it is in the package."""
    with tempfile.TemporaryDirectory(prefix="jaxquiz-export-") as folder:
        collection = Path(folder) / "collection.anki2"
        with contextlib.closing(sqlite3.connect(collection)) as connection:
            now = time.time()
            package.write_to_db(connection.cursor(), now, itertools.count(int(now * 1000)))
            connection.commit()
        with zipfile.ZipFile(out, "w") as archive:
            archive.write(collection, "collection.anki2")
            archive.writestr("media", "{}")  # no media files


class AnswerFailed(Exception):
    """Running the question at export time did not give an answer (the deck needs `jaxquiz check`)."""


def make_note(engine: Engine, loaded: LoadedDeck, question: QuestionBase, rng: random.Random) -> genanki.Note:
    """The note of one question, for one draw of its parameters."""
    values = draw(question, rng)
    concrete = instantiate(question, values)
    front = fields_front(concrete)
    answer = answer_html(engine, concrete, loaded.deck.setup)
    explain = _section("Why", _md(concrete.explain)) if concrete.explain else ""
    drawn = ", ".join(f"{k}={v}" for k, v in values.items())
    source = html.escape(f"{loaded.id}::{question.id}" + (f" ({drawn})" if drawn else ""))
    cited = loaded.deck.source_of(question)  # the author's `source`: a URL or a citation
    if cited:
        source += f" <div>{_MARKDOWN.renderInline(cited)}</div>"
    tags = ["jaxquiz", _tag(loaded.id), *(_tag(t) for t in loaded.tags_of(question))]
    return genanki.Note(
        model=MODEL,
        fields=[*front, answer, explain, source],
        guid=note_guid(loaded.id, question.id),
        tags=list(dict.fromkeys(tags)),
    )


def fields_front(question: QuestionBase) -> list[str]:
    """Prompt, code and options of a concrete question, as HTML."""
    code = getattr(question, "code", None) or ""
    if isinstance(question, PuzzleQuestion):  # the setup, then the line the learner starts from
        code = "\n".join(part for part in (question.code, question.signature) if part)
    options = ""
    if question.options:
        items = "".join(f"<li><code>{html.escape(o)}</code></li>" for o in question.options)
        options = f"<ol type='A'>{items}</ol>"
    return [_md(question.prompt), _pre(code) if code else "", options]


def answer_html(engine: Engine, question: QuestionBase, setup: str | None) -> str:
    """The back's answer, computed now by running the question (choice: its right options)."""
    if isinstance(question, ChoiceQuestion):
        right = "".join(f"<li><code>{html.escape(question.options[i])}</code></li>" for i in question.correct)
        return _section("Answer", f"<ul>{right}</ul>")
    task = task_of(question, setup)
    if isinstance(question, CardQuestion):
        back = _md(question.back)
        if not question.code:
            return back
        # The code runs either way (a card whose code fails is broken); its result (`answer`,
        # default `out`) is shown when there is one, as in the app.
        exploration = engine.explore(task.code, setup, task.answer, task.timeout, devices=task.devices)
        _require(exploration.outcome, raises_ok=False)
        if exploration.answer is None:
            return back
        _require(exploration.answer, raises_ok=False)
        return back + _section("Running it gives", _pre(exploration.answer.preview))
    prepared = engine.prepare(task)
    engine.forget(prepared)
    outcome = prepared.outcome
    _require(outcome, raises_ok=question.type == "raises")
    match question.type:
        case "shape":
            main = f"<code>{html.escape(_shape(outcome.shape))}</code>"
            return _section("Shape", main) + _pre(outcome.preview)
        case "dtype":
            dtype = f"<code>{html.escape(outcome.dtype or '?')}</code>"
            return _section("Dtype", dtype) + _pre(outcome.preview)
        case "value":
            return _section("Value", _pre(outcome.preview))
        case "raises":
            if not outcome.raised:
                return _section("Raises", "nothing: the code runs without an exception")
            message = (outcome.error or "").splitlines()[0] if outcome.error else ""
            return _section("Raises", f"<code>{html.escape(outcome.exception or '')}</code>") + (
                _pre(message) if message else ""
            )
        case "fill":
            assert isinstance(question, FillQuestion)
            result = _section("Result", html.escape(outcome.summary())) + _pre(outcome.preview)
            return _section("Fill in", f"<code>{html.escape(question.solution)}</code>") + result
        case "puzzle":  # prepared above: the reference runs on every draw
            assert isinstance(question, PuzzleQuestion)
            return _section("A solution", _pre(question.solution))
        case "choice" | "card":
            raise AssertionError("answered above")  # neither is prepared: returned before
        case _:
            assert_never(question.type)


def _require(outcome: Outcome, raises_ok: bool) -> None:
    if outcome.status != "ok":
        raise AnswerFailed(f"the code {outcome.status}: {outcome.error}")
    if outcome.raised and not raises_ok:
        raise AnswerFailed(f"the code raised {outcome.exception}: {outcome.error}")


def _shape(shape: tuple[int, ...] | None) -> str:
    if shape is None:
        return "no shape"
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _md(text: str | None) -> str:
    return _MARKDOWN.render(text) if text else ""


def _pre(text: str) -> str:
    return f"<pre><code>{html.escape(text.rstrip())}</code></pre>" if text else ""


def _section(label: str, body: str) -> str:
    return f"<div><span class='label'>{label}:</span> {body}</div>"


def _tag(text: str) -> str:
    """Anki tags cannot hold spaces."""
    return "_".join(text.split())
