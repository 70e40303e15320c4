"""Which decks are found: bundled, the user's folder under the data dir, and paths given."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from jaxquiz import paths
from jaxquiz.decks import discover, load_deck_file
from jaxquiz.decks.discovery import deck_sources
from jaxquiz.decks.models import (
    ANSWER_TEXT_KEYS,
    QUESTION_MODELS,
    FillQuestion,
    ValueQuestion,
    as_answer_text,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "decks"


def deck_text(deck_id: str) -> str:
    return (
        f"format: 1\ndeck: {deck_id}\ntitle: Deck {deck_id}\nquestions:\n"
        "  - id: a\n    type: card\n    prompt: Front\n    back: Back\n"
    )


@pytest.fixture
def sources(tmp_path, monkeypatch, write_deck):
    """A bundled folder, a user folder under JAXQUIZ_DATA_DIR, and a loose deck file."""
    bundled = tmp_path / "bundled"
    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: bundled)
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "data"))
    write_deck(deck_text("shipped"), "shipped.yaml", bundled)
    write_deck(deck_text("mine"), "mine.yaml", tmp_path / "data" / "decks")
    write_deck(deck_text("nested"), "deeper/nested.yml", tmp_path / "data" / "decks")
    write_deck(deck_text("hidden"), ".git/hidden.yaml", tmp_path / "data" / "decks")
    (tmp_path / "data" / "decks" / "notes.txt").write_text("not a deck")
    loose = write_deck(deck_text("loose"), "loose.yaml", tmp_path / "elsewhere")
    return bundled, loose


def test_discover_finds_bundled_user_and_given_decks_with_their_origin(sources, tmp_path):
    _, loose = sources
    result = discover([loose])
    assert result.problems == []
    assert [(d.id, d.origin) for d in result.decks] == [
        ("shipped", "bundled"),
        ("nested", "user"),
        ("mine", "user"),
        ("loose", "path"),
    ]


def test_discover_can_leave_out_bundled_and_user_decks(sources):
    _, loose = sources
    assert [d.id for d in discover([loose], bundled=False, user=False).decks] == ["loose"]
    assert [d.id for d in discover(bundled=False).decks] == ["nested", "mine"]
    assert [d.id for d in discover(user=False).decks] == ["shipped"]


def test_a_given_folder_is_searched(sources, tmp_path):
    _, loose = sources
    result = discover([loose.parent], bundled=False, user=False)
    assert [(d.id, d.path) for d in result.decks] == [("loose", loose)]


def test_user_decks_live_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "somewhere"))
    assert paths.data_dir() == tmp_path / "somewhere"
    assert paths.user_decks_dir() == tmp_path / "somewhere" / "decks"
    assert paths.database_path().parent == tmp_path / "somewhere"


def test_a_missing_user_folder_is_not_a_problem(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "fresh"))
    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: tmp_path / "bundled")
    (tmp_path / "bundled").mkdir()
    result = discover()
    assert result.decks == [] and result.problems == []
    assert deck_sources() == [(tmp_path / "bundled", "bundled")]


def test_a_user_deck_that_reuses_a_bundled_id_is_reported(sources, tmp_path, write_deck):
    clash = write_deck(deck_text("shipped"), "clash.yaml", tmp_path / "data" / "decks")
    result = discover()
    assert [d.origin for d in result.decks if d.id == "shipped"] == ["bundled"]
    (problem,) = result.problems
    assert problem.path == clash
    assert "deck id 'shipped' is already used by" in problem.rule


def test_the_bundled_decks_are_found_and_load_without_problems(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path))
    folder = paths.bundled_decks_dir()
    assert folder.is_dir(), folder
    result = discover(user=False)
    assert result.problems == [], "\n".join(map(str, result.problems))
    assert result.decks and all(d.origin == "bundled" for d in result.decks)


# --- a good deck, as loaded --------------------------------------------------------------------


def test_the_fixture_deck_loads_with_every_type_and_its_defaults():
    loaded = load_deck_file(FIXTURES / "every-type.yaml", "bundled")
    deck = loaded.deck
    assert loaded.id == "every-type" and loaded.origin == "bundled"
    assert {q.type for q in deck.questions} == {
        "shape",
        "dtype",
        "value",
        "raises",
        "fill",
        "puzzle",
        "choice",
        "card",
    }
    assert deck.setup == "base = jnp.arange(3)\n"
    assert deck.tags == ["tests"]
    shape = deck.question("shape-param")
    assert (shape.difficulty, shape.timeout, shape.tags) == (1, 20, ["shapes"])
    dtype = deck.question("dtype-default")
    assert (dtype.answer, dtype.timeout, dtype.options, dtype.difficulty) == ("out", 10, None, None)
    value = deck.question("value-range")
    assert isinstance(value, ValueQuestion)
    assert (value.tolerance.rtol, value.tolerance.atol) == (0.0, 0.0)
    fill = deck.question("fill-axes")
    assert isinstance(fill, FillQuestion)
    assert (fill.compare, fill.input, fill.tolerance.rtol, fill.tolerance.atol) == (
        "value",
        "line",
        1e-5,
        1e-6,
    )
    assert deck.question("fill-body").input == "block"
    assert deck.question("choice-pure").correct == [0]


def test_line_of_gives_the_line_of_each_question():
    path = FIXTURES / "every-type.yaml"
    loaded = load_deck_file(path)
    lines = path.read_text().splitlines()
    for question in loaded.deck.questions:
        assert lines[loaded.line_of(question.id) - 1].strip() == f"- id: {question.id}"
    assert loaded.line_of("no-such-question") == 1


def test_answers_written_as_yaml_numbers_and_lists_are_read_as_typed_text(write_deck):
    path = write_deck(
        "format: 1\ndeck: d\ntitle: T\nquestions:\n"
        "  - id: a\n    type: shape\n    prompt: p\n    code: out = jnp.zeros(100)\n    expect: 100\n"
        "  - id: b\n    type: value\n    prompt: p\n    code: out = jnp.ones(2)\n    expect: [1.0, 1.0]\n"
        "    options: [[1, 1], 2.5, true]\n"
    )
    deck = load_deck_file(path).deck
    assert deck.question("a").expect == "100"
    assert deck.question("b").expect == "[1.0, 1.0]"
    assert deck.question("b").options == ["[1, 1]", "2.5", "True"]


def _answer_text_kind(annotation: object) -> str | None:
    """ "value" for AnswerText, "items" for a list of it, through Optional and Annotated."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        if any(getattr(meta, "func", None) is as_answer_text for meta in args[1:]):
            return "value"
        return _answer_text_kind(args[0])
    if origin is list:
        return "items" if _answer_text_kind(args[0]) == "value" else None
    return next((kind for arg in args if (kind := _answer_text_kind(arg))), None)


def test_the_loader_reads_as_written_exactly_the_keys_that_hold_answer_text():
    found = {}
    for model in QUESTION_MODELS.values():
        for name, field in model.model_fields.items():
            kind = _answer_text_kind(
                typing.Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
            )
            if kind:
                found[name] = kind
    assert found == ANSWER_TEXT_KEYS
