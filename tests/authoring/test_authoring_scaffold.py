"""`jaxquiz new`: the starter deck, its schema comment and explanations, and that it passes check."""

from __future__ import annotations

import itertools
import json
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from jaxquiz import cli
from jaxquiz.authoring.scaffold import SCHEMA_FILE, AuthoringError, deck_id_for, new_deck, render
from jaxquiz.decks import load_deck_file
from jaxquiz.decks.models import QUESTION_MODELS, Deck
from jaxquiz.engine import Engine
from jaxquiz.trust import TrustStore


def test_new_output_passes_check_as_written(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "decks" / "my-first-deck.yaml"
    runner = CliRunner()
    made = runner.invoke(cli.main, ["new", str(path), "--title", "My first deck"])
    assert made.exit_code == 0, made.output
    assert f"wrote {path}" in made.output

    # no --trust: `new` trusted its own file
    checked = runner.invoke(cli.main, ["check", str(path)], obj=engine)
    assert checked.exit_code == 0, checked.output
    assert f"{len(QUESTION_MODELS)} passed" in checked.output
    assert "failed" not in checked.output


def test_the_deck_holds_one_question_of_every_type(tmp_path: Path) -> None:
    created = new_deck(tmp_path / "starter.yaml")
    loaded = load_deck_file(created.path)
    assert loaded.id == "starter"
    assert loaded.deck.title == "Starter"
    assert sorted(q.type for q in loaded.deck.questions) == sorted(QUESTION_MODELS)  # type: ignore[attr-defined]
    shape = next(q for q in loaded.deck.questions if q.type == "shape")  # type: ignore[attr-defined]
    assert shape.params, "the shape example shows parameters"


def test_first_line_points_editors_at_the_schema_written_beside_it(tmp_path: Path) -> None:
    created = new_deck(tmp_path / "d.yaml")
    first = created.path.read_text().splitlines()[0]
    assert first == f"# yaml-language-server: $schema=./{SCHEMA_FILE}"
    assert created.schema_path == tmp_path / SCHEMA_FILE
    assert json.loads(created.schema_path.read_text()) == Deck.model_json_schema()
    again = new_deck(tmp_path / "e.yaml")
    assert not again.schema_written, "an up-to-date schema file is left alone"


def test_every_key_written_is_explained_by_a_comment_above_it(tmp_path: Path) -> None:
    lines = new_deck(tmp_path / "d.yaml").path.read_text().splitlines()
    data = yaml.safe_load("\n".join(lines))
    explained: set[str] = set()
    for above, line in itertools.pairwise(lines):
        key = line.strip().removeprefix("- ").split(":")[0]
        if above.strip().startswith("#") and line.strip() and not line.strip().startswith("#"):
            explained.add(key)
    top_keys = set(data)
    assert top_keys <= explained, top_keys - explained
    question_keys = {k for q in data["questions"] for k in q} - {"id", "type", "code", "prompt"}
    assert question_keys - explained == set(), "each optional or type-specific key has a comment"


def test_titles_are_quoted_safely(tmp_path: Path) -> None:
    text = render("odd", 'Colons: "quotes" & #hashes')
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    assert load_deck_file(path).deck.title == 'Colons: "quotes" & #hashes'


def test_deck_ids_are_made_from_file_names() -> None:
    assert deck_id_for(Path("My vmap Deck.yaml")) == "my-vmap-deck"
    assert deck_id_for(Path("__.yaml")) == "my-deck"


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("deck.txt", {}, "does not end in .yaml"),
        ("deck.yaml", {"deck_id": "Bad Id"}, "not a valid deck id"),
        ("deck.yaml", {"title": "two\nlines"}, "one non-empty line"),
    ],
)
def test_mistakes_are_explained(tmp_path: Path, name: str, kwargs: dict, message: str) -> None:
    with pytest.raises(AuthoringError, match=message):
        new_deck(tmp_path / name, **kwargs)


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("my work\n")
    result = CliRunner().invoke(cli.main, ["new", str(path)])
    assert result.exit_code == cli.EXIT_BAD_INPUT
    assert "already exists" in result.output and "--force" in result.output
    assert path.read_text() == "my work\n"
    assert CliRunner().invoke(cli.main, ["new", str(path), "--force"]).exit_code == 0
    assert path.read_text().startswith("# yaml-language-server")
    assert TrustStore.load().is_trusted(path)


def test_the_next_commands_it_prints_can_be_pasted_into_a_shell(tmp_path: Path) -> None:
    path = tmp_path / "My Deck.yaml"
    made = CliRunner().invoke(cli.main, ["new", str(path)])
    assert made.exit_code == 0, made.output
    lines = made.output.splitlines()
    [check] = [line for line in lines if line.startswith("next:")]
    assert shlex.split(check.removeprefix("next:")) == ["jaxquiz", "check", "--watch", str(path)]
    [tip] = [line for line in lines if line.startswith("tip:")]
    assert shlex.split(tip.removeprefix("tip:").split("  (")[0]) == [
        "jaxquiz",
        "trust",
        "--folder",
        str(tmp_path),
    ]
