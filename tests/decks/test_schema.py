"""The JSON Schema generated from the models is valid, accepts good decks and rejects bad ones."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml

from jaxquiz import paths
from jaxquiz.decks.models import Deck

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "decks"


def load(path: Path) -> object:
    """The file's data, parsed by libyaml (pyyaml's Python parser takes a second for the decks)."""
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = Deck.model_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def good() -> dict:
    return load(FIXTURES / "every-type.yaml")


def test_the_schema_declares_its_dialect_and_title():
    schema = Deck.model_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "format 1" in schema["title"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"format", "deck", "title", "questions"}


def test_the_schema_accepts_a_deck_with_every_type_and_key(validator, good):
    errors = list(validator.iter_errors(good))
    assert errors == [], [e.message for e in errors]


def test_the_schema_accepts_the_bundled_decks(validator):
    files = sorted(paths.bundled_decks_dir().glob("*.yaml"))
    assert files
    for path in files:
        errors = [e.message for e in validator.iter_errors(load(path))]
        assert errors == [], f"{path}: {errors}"


def _set(deck: dict, where: tuple, value: object) -> dict:
    deck = copy.deepcopy(deck)
    node = deck
    for part in where[:-1]:
        node = node[part]
    if value is _DELETE:
        del node[where[-1]]
    else:
        node[where[-1]] = value
    return deck


_DELETE = object()


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("format",), 2),
        (("deck",), "Not An Id"),
        (("author",), "me"),  # unknown key at the top
        (("questions",), []),
        (("questions", 0, "promt"), "typo"),  # unknown key in a question
        (("questions", 0, "type"), "shapes"),
        (("questions", 0, "difficulty"), 4),
        (("questions", 0, "params", "N"), {"range": [1]}),
        (("questions", 1, "solution"), "x"),  # a key of another type
        (("questions", 5, "wrong"), []),
        (("questions", 5, "compare"), "dtype"),
        (("questions", 9, "back"), _DELETE),  # a required key
    ],
)
def test_the_schema_rejects_a_bad_deck(validator, good, where, value):
    bad = _set(good, where, value)
    assert not validator.is_valid(bad)


def test_the_schema_accepts_answers_written_as_yaml_numbers_and_lists(validator, good):
    # The loader reads `expect: 2` or `wrong: [[0, 1]]` as the text typed; editors must not flag them.
    deck = _set(good, ("questions", 2, "expect"), 2)
    deck = _set(deck, ("questions", 5, "wrong"), [[0, 1], 1.5, True])
    assert validator.is_valid(deck)
    Deck.model_validate(deck)
