"""`source` on decks and questions: validated, in the schema, and which one a question shows."""

from __future__ import annotations

import json

from click.testing import CliRunner

from jaxquiz.cli import main
from jaxquiz.decks.models import Deck
from jaxquiz.decks.setup_use import defined_names, setup_is_used


def deck(**keys) -> Deck:
    question = {"id": "q", "type": "value", "prompt": "p", "code": "out = 1", "expect": "1"}
    return Deck.model_validate(
        {"format": 1, "deck": "d", "title": "t", "questions": [question | keys.pop("question", {})], **keys}
    )


def test_a_question_shows_its_own_source_else_the_decks():
    assert deck(source="book").source_of(deck(source="book").questions[0]) == "book"
    sourced = deck(source="book", question={"source": "https://example.org/page"})
    assert sourced.source_of(sourced.questions[0]) == "https://example.org/page"
    assert deck().source_of(deck().questions[0]) is None


def test_jaxquiz_schema_has_source_and_the_answer_scope():
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    assert "source" in schema["properties"]
    questions = [d for name, d in schema["$defs"].items() if name.endswith("Question")]
    assert questions and all("source" in q["properties"] for q in questions)
    answer = next(q for q in questions if "answer" in q["properties"])["properties"]["answer"]
    assert "printed" in answer["description"] and "warned" in answer["description"]


def test_setup_counts_as_used_when_a_question_uses_a_name_it_defines():
    assert defined_names("import numpy as onp\nkey = jr.key(0)\ndef f(x): pass\nclass C: pass") == {
        "onp",
        "key",
        "f",
        "C",
    }
    used = deck(setup="key = jr.key(0)", question={"code": "out = jr.normal(key)"})
    unused = deck(setup="key = jr.key(0)", question={"code": "out = monkey = 1"})
    assert setup_is_used(used) and not setup_is_used(unused)


def test_citing_a_source_is_not_an_edit_of_the_question():
    from jaxquiz.decks.models import content_hash

    plain, sourced = deck(), deck(source="book", question={"source": "page 3"})
    assert content_hash(plain, plain.questions[0]) == content_hash(sourced, sourced.questions[0])
    # the hash of a question written before `source` existed
    assert content_hash(plain, plain.questions[0]) == "9c34a7d8ba94c6e4"
