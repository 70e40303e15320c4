"""Anki export: the package is opened like Anki would (a zip holding a SQLite collection) and the
fields of its notes are checked against what running the questions gives.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import genanki
import pytest
from click.testing import CliRunner

from jaxquiz import cli
from jaxquiz.decks import load_deck_file
from jaxquiz.engine import Engine
from jaxquiz.engine.protocol import PRIVATE_PREFIX
from jaxquiz.export import export_anki, note_guid
from jaxquiz.export.anki import FIELDS, MODEL, MODEL_ID, write_package

DECK = """\
format: 1
deck: exported
title: Exported deck
tags: [export test]
questions:
  - id: stack
    type: shape
    prompt: What is the shape of `out`?
    params: {N: [2, 3, 8]}
    code: |
      out = jnp.stack([jnp.zeros(4)] * $N)
    expect: ($N, 4)
    options: ["($N, 4)", "(4, $N)"]
    explain: Stacking $N arrays adds an axis of length $N in front.
  - id: mean
    type: dtype
    prompt: What dtype?
    code: out = jnp.mean(jnp.arange(4))
    expect: float32
  - id: cumsum
    type: value
    prompt: What is `out`?
    code: out = jnp.cumsum(jnp.array([1, 2, 3]))
    expect: "[1, 3, 6]"
  - id: if-under-jit
    type: raises
    prompt: What does `f(1.0)` raise?
    code: |
      @jax.jit
      def f(x):
          return 1.0 if x > 0 else -1.0
      f(1.0)
    expect: TracerBoolConversionError
  - id: shared-shift
    type: fill
    prompt: Fill in `in_axes`.
    code: |
      out = jax.vmap(lambda p, s: p + s, in_axes=___)(jnp.zeros((3, 2)), jnp.ones(2))
    solution: (0, None)
    wrong: ["(0, 0)"]
  - id: compiles
    type: choice
    prompt: Which compiles?
    options: ["jax.jit", "jax.vmap", "<b>jax.grad</b>"]
    correct: [0]
  - id: grad-card
    type: card
    prompt: What does `jax.grad(f)` return?
    back: A **function**.
    code: |
      out = jax.grad(lambda x: x ** 2)(3.0)
    answer: out
"""

BROKEN = """\
  - id: broken
    type: shape
    prompt: Shape?
    code: out = jnp.ones(3) + jnp.ones(4)
    expect: (3,)
"""


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "exported.yaml"
    path.write_text(DECK)
    return path


def read_package(path: Path) -> dict:
    """The notes of an .apkg by question id: guid, fields by name, tags; plus the models."""
    with zipfile.ZipFile(path) as package:
        assert "collection.anki2" in package.namelist()
        database = path.parent / f"{path.stem}.anki2"
        database.write_bytes(package.read("collection.anki2"))
    connection = sqlite3.connect(database)
    try:
        notes = {}
        for guid, flds, tags in connection.execute("SELECT guid, flds, tags FROM notes"):
            fields = dict(zip(FIELDS, flds.split("\x1f"), strict=True))
            question_id = fields["Source"].split("::")[1].split(" ")[0]
            notes[question_id] = {"guid": guid, "fields": fields, "tags": tags.split()}
        (models_json,) = connection.execute("SELECT models FROM col").fetchone()
        cards = connection.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    finally:
        connection.close()
    return {"notes": notes, "models": json.loads(models_json), "cards": cards}


def test_each_card_holds_the_drawn_question_and_the_executed_answer(
    engine: Engine, deck_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "deck.apkg"
    report = export_anki([load_deck_file(deck_file)], out, engine, random.Random(7))
    assert report.failures == [] and report.notes == 7
    package = read_package(out)
    notes = package["notes"]
    assert package["cards"] == 7
    assert str(MODEL_ID) in package["models"]

    stack = notes["stack"]
    n = int(re.search(r"N=(\d+)", stack["fields"]["Source"]).group(1))
    assert n in (2, 3, 8)
    assert "What is the shape of <code>out</code>?" in stack["fields"]["Prompt"]
    assert f"[jnp.zeros(4)] * {n})" in stack["fields"]["Code"] and "$N" not in stack["fields"]["Code"]
    assert f"<code>({n}, 4)</code>" in stack["fields"]["Options"]
    assert f"Shape:</span> <code>({n}, 4)</code>" in stack["fields"]["Answer"]
    assert f"axis of length {n} in front" in stack["fields"]["Explain"]
    assert stack["guid"] == note_guid("exported", "stack") == genanki.guid_for("jaxquiz", "exported", "stack")
    assert {"jaxquiz", "exported", "export_test"} <= set(stack["tags"])

    answers = {qid: note["fields"]["Answer"] for qid, note in notes.items()}
    assert "<code>float32</code>" in answers["mean"]
    assert "Array([1, 3, 6], dtype=int32)" in answers["cumsum"]
    assert "<code>jax.errors.TracerBoolConversionError</code>" in answers["if-under-jit"]
    assert "<code>(0, None)</code>" in answers["shared-shift"] and "(3, 2)" in answers["shared-shift"]
    assert "<code>jax.jit</code>" in answers["compiles"] and "vmap" not in answers["compiles"]
    assert "&lt;b&gt;jax.grad&lt;/b&gt;" in notes["compiles"]["fields"]["Options"], "option text is escaped"
    assert (
        "<strong>function</strong>" in answers["grad-card"]
        and "Array(6., dtype=float32" in answers["grad-card"]
    )
    assert "f(x):\n    return 1.0 if x &gt; 0" in notes["if-under-jit"]["fields"]["Code"]


def test_re_export_keeps_every_note_identity(engine: Engine, deck_file: Path, tmp_path: Path) -> None:
    deck = load_deck_file(deck_file)
    first = read_package(_export(engine, deck, tmp_path / "a.apkg", seed=1))["notes"]
    second = read_package(_export(engine, deck, tmp_path / "b.apkg", seed=2))["notes"]
    assert {q: n["guid"] for q, n in first.items()} == {q: n["guid"] for q, n in second.items()}
    assert len({n["guid"] for n in first.values()}) == len(first)


def test_a_question_that_fails_is_left_out_and_reported(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(DECK + BROKEN)
    out = tmp_path / "broken.apkg"
    report = export_anki([load_deck_file(path)], out, engine, random.Random(0))
    assert report.notes == 7
    assert len(report.failures) == 1
    assert report.failures[0].startswith("exported::broken: the code raised TypeError")
    assert "broken" not in read_package(out)["notes"]


def test_cli_export_writes_the_package(
    deck_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    monkeypatch.setattr(cli, "_interactive", lambda: False)
    out = tmp_path / "cli.apkg"
    refused = CliRunner().invoke(
        cli.main, ["export", "--anki", str(out), "--deck", str(deck_file)], obj=engine
    )
    assert refused.exit_code == cli.EXIT_BAD_INPUT and "not trusted" in refused.output
    assert not out.exists()

    deck_file.write_text(DECK + BROKEN)
    args = ["export", "--anki", str(out), "--deck", str(deck_file), "--seed", "3", "--trust"]
    result = CliRunner().invoke(cli.main, args, obj=engine)
    assert result.exit_code == 1, result.output
    assert "SKIPPED exported::broken" in result.output
    assert f"wrote 7 notes from 1 deck to {out}" in result.output
    assert len(read_package(out)["notes"]) == 7


def test_cli_export_takes_a_folder_of_decks_and_says_each_deck_as_it_starts(
    deck_file: Path, tmp_path: Path, engine: Engine
) -> None:
    folder = deck_file.parent  # the app's `--deck FOLDER`: every deck in it
    (folder / "sourced.yaml").write_text(SOURCED)
    (folder / "broken.yaml").write_text("format: 1\ndeck: [\n")
    out = tmp_path / "folder.apkg"
    args = ["export", "--anki", str(out), "--deck", str(folder), "--seed", "3", "--trust"]
    result = CliRunner().invoke(cli.main, args, obj=engine)
    assert result.exit_code == 0, result.output
    # not on a terminal (a log, a pipe): a line per deck, where a bar would show its label alone
    assert "exporting exported (7 questions)\n" in result.stderr
    assert "exporting sourced (2 questions)\n" in result.stderr
    assert f"skipped {folder / 'broken.yaml'}:" in result.stderr
    assert f"wrote 9 notes from 2 decks to {out}" in result.output
    assert {n["fields"]["Source"].split("::")[0] for n in read_package(out)["notes"].values()} == {
        "exported",
        "sourced",
    }


def test_an_export_leaves_nothing_in_the_temp_folder_and_writes_what_genanki_writes(
    engine: Engine, deck_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    ours = _export(engine, load_deck_file(deck_file), tmp_path / "ours.apkg", seed=3)
    # genanki's write_to_file leaves its collection here (a JAX worker started meanwhile keeps
    # its own folder here until it stops)
    assert [p for p in system_temp.iterdir() if not p.name.startswith(PRIVATE_PREFIX)] == []

    package = genanki.Package([genanki.Deck(1, "d")])
    package.decks[0].add_note(genanki.Note(model=MODEL, fields=["p", "c", "", "a", "", "d::q"]))
    write_package(package, tmp_path / "written.apkg")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "genanki-temp"))
    (tmp_path / "genanki-temp").mkdir()
    package.write_to_file(str(tmp_path / "genanki.apkg"))
    with zipfile.ZipFile(tmp_path / "written.apkg") as a, zipfile.ZipFile(tmp_path / "genanki.apkg") as b:
        assert a.namelist() == b.namelist() and a.read("media") == b.read("media")
    written, made = read_package(tmp_path / "written.apkg"), read_package(tmp_path / "genanki.apkg")
    for read in (written, made):  # when each was written, to the second: not part of the format
        for model in read["models"].values():
            model.pop("mod")
    assert written == made
    assert read_package(ours)["notes"].keys() == {
        "stack",
        "mean",
        "cumsum",
        "if-under-jit",
        "shared-shift",
        "compiles",
        "grad-card",
    }


def _export(engine: Engine, deck, out: Path, seed: int) -> Path:
    export_anki([deck], out, engine, random.Random(seed))
    return out


SOURCED = """\
format: 1
deck: sourced
title: Sourced
source: JAX docs, *Sharp Bits*
questions:
  - id: own
    type: value
    prompt: p
    code: out = 2
    expect: "2"
    source: "[Pure functions](https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html)"
  - id: inherited
    type: card
    prompt: front
    back: back
    code: out = jnp.arange(3)
"""


def test_the_source_of_a_question_or_its_deck_is_exported(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "sourced.yaml"
    path.write_text(SOURCED)
    out = tmp_path / "sourced.apkg"
    report = export_anki([load_deck_file(path)], out, engine, random.Random(0))
    assert report.failures == []
    notes = read_package(out)["notes"]
    own = notes["own"]["fields"]["Source"]
    assert (
        '<a href="https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html">Pure functions</a>'
        in own
    )
    assert "JAX docs, <em>Sharp Bits</em>" in notes["inherited"]["fields"]["Source"]
    # a card's back shows its `out` without naming `answer`
    assert "Running it gives" in notes["inherited"]["fields"]["Answer"]


PUZZLE_DECK = """\
format: 1
deck: exported-puzzle
title: Exported puzzle
questions:
  - id: double
    type: puzzle
    prompt: Write `double(x)`.
    code: FACTOR = 2
    signature: "def double(x):"
    inputs: {x: {shape: [N]}}
    solution: |
      def double(x):
          return FACTOR * x
    wrong: ["def double(x):\\n    return x\\n"]
"""


def test_a_puzzle_shows_its_signature_in_front_and_the_reference_solution_on_the_back(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "puzzle.yaml"
    path.write_text(PUZZLE_DECK)
    out = tmp_path / "puzzle.apkg"
    report = export_anki([load_deck_file(path)], out, engine, random.Random(0))
    assert report.failures == [] and report.notes == 1
    fields = read_package(out)["notes"]["double"]["fields"]
    assert "FACTOR = 2\ndef double(x):" in fields["Code"]
    assert "A solution" in fields["Answer"] and "return FACTOR * x" in fields["Answer"]
