"""Loading errors: every problem names the file, the line, the question, the rule and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaxquiz.decks import DeckLoadError, LoadProblem, load_deck_file, load_decks
from jaxquiz.errors import DeckError

HEAD = """\
format: 1
deck: sample
title: A sample deck
questions:
"""

CARD = """\
  - id: a
    type: card
    prompt: Front
    back: Back
"""


def problems_of(path: Path) -> list[LoadProblem]:
    """The problems of a deck file that must not load."""
    with pytest.raises(DeckLoadError) as info:
        load_deck_file(path)
    return info.value.problems


def line_of(path: Path, marker: str, occurrence: int = 1) -> int:
    """The 1-based line where `marker` appears (the n-th time) in the file."""
    seen = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if marker in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{marker!r} not found {occurrence} time(s) in {path}")


VALUE = "  - id: a\n    type: value\n    prompt: p\n    code: out = 1\n    expect: '1'\n"

# name, deck text, (marker of the line the problem is on, which occurrence), question id,
# words of the rule, words of the fix
CASES = [
    (
        "yaml-syntax",
        HEAD + "  - id: a\n    type: card\n    prompt: one: two\n    back: b\n",
        ("prompt: one: two", 1),
        "a",  # the question above the line, though the file does not parse
        "YAML syntax error",
        "fix the YAML",
    ),
    (
        "yaml-tab",
        "format: 1\ndeck: sample\n\ttitle: T\n",
        ("\ttitle", 1),
        None,
        "YAML syntax error",
        "fix the YAML",
    ),
    (
        "unclosed-quote-stopped-below",  # the parser stops two lines below, at `expect`
        HEAD + '  - id: a\n    type: value\n    prompt: "What is out?\n    code: out = 1\n    expect: "1"\n',
        ('prompt: "What', 1),
        "a",  # the question above the line, though the file does not parse
        "the quote opened here is not closed on its line, so the value runs on to line 9",
        "close the quote on this line",
    ),
    (
        "unclosed-quote-at-the-end",
        HEAD + "  - id: a\n    type: value\n    prompt: p\n    code: out = 1\n    expect: '1\n",
        ("expect: '1", 1),
        "a",  # the question above the line, though the file does not parse
        "runs on to the end of the file, where the parser stopped",
        "close the quote on this line",
    ),
    (
        "quotes-closed-above-an-indentation-error",  # the quotes are no suspects
        HEAD + '  - id: a\n    type: value\n    prompt: "it\'s"\n    code: "x = \'a\'"\n   expect: 1\n',
        ("   expect: 1", 1),
        "a",  # the question above the line, though the file does not parse
        "YAML syntax error",
        "fix the YAML at that spot",
    ),
    (
        "key-swallowed-by-a-block",
        HEAD
        + "  - id: a\n    type: fill\n    prompt: p\n    code: |\n      out = jnp.ones(___)\n"
        + "      solution: (3, 2)\n    wrong: ['(2, 3)']\n",
        ("solution: (3, 2)", 1),
        "a",
        "missing required key `solution`: its line is read as part of `code`'s text",
        "a `|` block takes every line indented as far as its first: indent `solution:` as `code:` is",
    ),
    (
        "correct-index-twice",  # a choice nobody could answer right
        HEAD + "  - id: a\n    type: choice\n    prompt: p\n    options: [x, y, z]\n    correct: [1, 1]\n",
        ("correct: [1, 1]", 1),
        "a",
        "`correct`: index 1 is listed twice",
        "list each right option once",
    ),
    (
        "options-on-a-fill",
        HEAD
        + "  - id: a\n    type: fill\n    prompt: p\n    code: out = ___\n    solution: '1'\n"
        + "    wrong: ['2']\n    options: ['1', '2']\n",
        ("options:", 1),
        "a",
        "`options`: belongs to type shape / dtype / value / raises / choice, not fill",
        "remove `options` or change `type`",
    ),
    (
        "answer-on-a-choice",  # a choice runs nothing: its answer would never be evaluated
        HEAD
        + "  - id: a\n    type: choice\n    prompt: p\n    options: [x, y]\n    correct: [0]\n"
        + "    answer: never(\n",
        ("answer: never(", 1),
        "a",
        "`answer`: belongs to type shape / dtype / value / raises / fill / card, not choice",
        "remove `answer` or change `type`",
    ),
    (
        "format-as-a-float",
        "format: 1.0\ndeck: sample\ntitle: T\nquestions:\n" + CARD,
        ("format: 1.0", 1),
        None,
        "unsupported format 1.0",
        "write `format: 1`",
    ),
    (
        "difficulty-as-a-flag",
        HEAD + VALUE + "    difficulty: true\n",
        ("difficulty: true", 1),
        "a",
        "`difficulty`: True is not a whole number",
        "write the number alone",
    ),
    (
        "timeout-as-text",
        HEAD + VALUE + "    timeout: '5'\n",
        ("timeout: '5'", 1),
        "a",
        "`timeout`: Input should be a valid number",
        "correct `timeout`",
    ),
    (
        "range-of-texts",
        HEAD
        + "  - id: a\n    type: value\n    prompt: p\n    params: {N: {range: ['1', 3]}}\n"
        + "    code: out = $N\n    expect: '$N'\n",
        ("params:", 1),
        "a",
        "`params.N.range[0]`: Input should be a valid integer",
        "NAME: {range: [lo, hi]}",
    ),
    (
        "correct-as-a-flag",
        HEAD + "  - id: a\n    type: choice\n    prompt: p\n    options: [x, y]\n    correct: [true]\n",
        ("correct: [true]", 1),
        "a",
        "`correct[0]`: Input should be a valid integer",
        "correct `correct[0]`",
    ),
    (
        "duplicate-yaml-key",
        HEAD + "  - id: a\n    type: card\n    prompt: one\n    prompt: two\n    back: b\n",
        ("prompt: two", 1),
        "a",  # the question above the line, though the file does not parse
        "duplicate key 'prompt'",
        "remove one of the two `prompt` keys (the first is on line 7)",
    ),
    (
        "unknown-key-in-question",
        HEAD + "  - id: a\n    type: card\n    promt: Front\n    prompt: Front\n    back: b\n",
        ("promt:", 1),
        "a",
        "unknown key `promt`",
        "check the spelling; allowed keys here: id, prompt",
    ),
    (
        "title-of-two-lines",
        "format: 1\ndeck: sample\ntitle: |\n  One\n  Two\nquestions:\n" + CARD,
        ("title:", 1),
        None,
        "`title` must be one line",
        "write the title on one line; the rest belongs in `description`",
    ),
    (
        "unknown-key-at-top",
        "format: 1\ndeck: sample\ntitle: T\nauthor: me\nquestions:\n" + CARD,
        ("author:", 1),
        None,
        "unknown key `author`",
        "allowed keys here: format, deck, title, description, tags, setup, source, devices, questions",
    ),
    (
        "unknown-key-nested",
        HEAD
        + "  - id: a\n    type: value\n    prompt: p\n    code: out = 1\n    expect: '1'\n"
        + "    tolerance:\n      rtol: 0.1\n      btol: 1\n",
        ("btol:", 1),
        "a",
        "unknown key `tolerance.btol`",
        "check the spelling",
    ),
    (
        "key-of-another-type",
        HEAD + "  - id: a\n    type: shape\n    prompt: p\n    code: out = 1\n    expect: ()\n"
        "    solution: x\n",
        ("solution:", 1),
        "a",
        "key `solution` belongs to type fill / puzzle, not shape",
        "remove `solution` or change `type`",
    ),
    (
        "key-of-another-type-card",
        HEAD + "  - id: a\n    type: choice\n    prompt: p\n    options: [x, y]\n    correct: [0]\n"
        "    back: b\n",
        ("back:", 1),
        "a",
        "key `back` belongs to type card, not choice",
        "remove `back` or change `type`",
    ),
    (
        "duplicate-question-id",
        HEAD + CARD + CARD,
        ("- id: a", 2),
        "a",
        "duplicate question id 'a' in deck 'sample'",
        "give each question of a deck its own id",
    ),
    (
        "missing-question-key",
        HEAD + "  - id: a\n    type: card\n    prompt: Front\n",
        ("- id: a", 1),
        "a",
        "missing required key `back` for type card",
        "add `back:`",
    ),
    (
        "missing-expect",
        HEAD + "  - id: a\n    type: shape\n    prompt: p\n    code: out = 1\n",
        ("- id: a", 1),
        "a",
        "missing required key `expect` for type shape",
        "add `expect:`",
    ),
    (
        "missing-deck-key",
        "format: 1\ndeck: sample\nquestions:\n" + CARD,
        ("format: 1", 1),
        None,
        "missing required key `title` in a deck",
        "add `title:`",
    ),
    (
        "fill-without-blank",
        HEAD + "  - id: a\n    type: fill\n    prompt: p\n    code: out = 1\n    solution: x\n"
        "    wrong: [y]\n",
        ("code: out = 1", 1),
        "a",
        "exactly one blank ___; found 0",
        "put exactly one `___` in `code`",
    ),
    (
        "fill-with-two-blanks",
        HEAD + "  - id: a\n    type: fill\n    prompt: p\n    code: out = ___ + ___\n    solution: x\n"
        "    wrong: [y]\n",
        ("code: out = ___", 1),
        "a",
        "exactly one blank ___; found 2",
        "put exactly one `___` in `code`",
    ),
    (
        "fill-without-wrong",
        HEAD + "  - id: a\n    type: fill\n    prompt: p\n    code: out = ___\n    solution: x\n"
        "    wrong: []\n",
        ("wrong: []", 1),
        "a",
        "`wrong` needs at least 1 item",
        "add items to `wrong`",
    ),
    (
        "empty-range",
        HEAD + "  - id: a\n    type: card\n    prompt: p $N\n    back: b\n    params:\n"
        "      N: {range: [5, 2]}\n",
        ("range: [5, 2]", 1),
        "a",
        "range [5, 2] is empty",
        "{range: [lo, hi]} with lo <= hi",
    ),
    (
        "empty-value-list",
        HEAD + "  - id: a\n    type: card\n    prompt: p $N\n    back: b\n    params:\n      N: []\n",
        ("N: []", 1),
        "a",
        "`params.N`: a parameter needs at least one value",
        "NAME: [v1, v2, ...]",
    ),
    (
        "param-value-not-a-scalar",
        HEAD + "  - id: a\n    type: card\n    prompt: p $N\n    back: b\n    params:\n      N: [[1, 2]]\n",
        ("N: [[1, 2]]", 1),
        "a",
        "a parameter value must be a number, a string or a boolean",
        "NAME: [v1, v2, ...]",
    ),
    (
        "bad-param-name",
        HEAD + "  - id: a\n    type: card\n    prompt: p\n    back: b\n    params:\n      1N: [1]\n",
        ("1N:", 1),
        "a",
        "'1N' is not a valid name in `params`",
        "not starting with a digit",
    ),
    (
        "undefined-param",
        HEAD + "  - id: a\n    type: card\n    prompt: p\n    back: b\n    hint: try $M\n",
        ("hint:", 1),
        "a",
        "`hint` uses $M, which is not in `params`",
        "add `M` to `params`, or write $$ for a literal dollar sign",
    ),
    (
        "undefined-braced-param-in-a-list",
        HEAD + "  - id: a\n    type: shape\n    prompt: p\n    code: out = jnp.zeros($N)\n"
        "    expect: ($N,)\n    params: {N: [1, 2]}\n    options: ['(${K},)', '()']\n",
        ("options:", 1),
        "a",
        "`options` uses $K, which is not in `params`",
        "add `K` to `params`",
    ),
    (
        "bad-question-id",
        HEAD + "  - id: Bad_Id\n    type: card\n    prompt: p\n    back: b\n",
        ("- id: Bad_Id", 1),
        "Bad_Id",
        "`id` 'Bad_Id' is not a valid id",
        "use lowercase letters, digits and dashes",
    ),
    (
        "bad-deck-id",
        "format: 1\ndeck: My Deck\ntitle: T\nquestions:\n" + CARD,
        ("deck: My Deck", 1),
        None,
        "`deck` 'My Deck' is not a valid id",
        "use lowercase letters, digits and dashes",
    ),
    (
        "unknown-type",
        HEAD + "  - id: a\n    type: shapes\n    prompt: p\n    back: b\n",
        ("- id: a", 1),
        "a",
        "unknown question type 'shapes'",
        "use one of shape, dtype, value, raises, fill, puzzle, choice, card",
    ),
    (
        "no-type",
        HEAD + "  - id: a\n    prompt: p\n    back: b\n",
        ("- id: a", 1),
        "a",
        "a question has no `type`",
        "add `type:` with one of shape",
    ),
    (
        "format-2",
        "format: 2\ndeck: sample\ntitle: T\nquestions:\n" + CARD,
        ("format: 2", 1),
        None,
        "unsupported format 2",
        "write `format: 1`",
    ),
    (
        "format-as-text",
        "format: '1'\ndeck: sample\ntitle: T\nquestions:\n" + CARD,
        ("format: '1'", 1),
        None,
        "unsupported format '1'",
        "write `format: 1`",
    ),
    (
        "no-questions",
        "format: 1\ndeck: sample\ntitle: T\nquestions: []\n",
        ("questions:", 1),
        None,
        "a deck needs at least one question",
        "add a question under `questions:`",
    ),
    (
        "question-not-a-mapping",
        HEAD + "  - just some text\n",
        ("- just some text", 1),
        "question #1",
        "question #1 is not a mapping of keys",
        "write each question as `- id: ...`",
    ),
    (
        "choice-index-out-of-range",
        HEAD + "  - id: a\n    type: choice\n    prompt: p\n    options: [x, y]\n    correct: [2]\n",
        ("correct:", 1),
        "a",
        "index 2 is out of range: the options are numbered 0 to 1",
        "correct `correct`",
    ),
    (
        "option-written-twice",
        HEAD + "  - id: a\n    type: dtype\n    prompt: p\n    code: out = 1\n    expect: int32\n"
        "    options: [int32, float32, ' int32']\n",
        ("options:", 1),
        "a",
        "the option ' int32' appears twice",
        "change or remove one of the two",
    ),
    (
        "choice-option-written-twice",
        HEAD + "  - id: a\n    type: choice\n    prompt: p\n    options: [x, y, x]\n    correct: [0]\n",
        ("options:", 1),
        "a",
        "the option 'x' appears twice",
        "change or remove one of the two",
    ),
    (
        "option-twice-on-one-draw",
        HEAD + "  - id: a\n    type: shape\n    prompt: p\n    params: {N: [2, 3]}\n"
        "    code: out = jnp.zeros(($N, 3))\n    expect: ($N, 3)\n"
        "    options: ['($N, 3)', '(3, $N)', '(3, 3)']\n",
        ("options:", 1),
        "a",
        "on the draw N=3 the option '(3, 3)' appears twice",
        "change the parameters or the option",
    ),
    (
        "exception-on-a-shape-question",
        HEAD + "  - id: a\n    type: shape\n    prompt: p\n    code: out = 1\n    expect: ()\n"
        "    exception: any\n",
        ("exception:", 1),
        "a",
        "key `exception` belongs to type raises, not shape",
        "remove `exception` or change `type`",
    ),
    (
        "exception-neither-exact-nor-any",
        HEAD + "  - id: a\n    type: raises\n    prompt: p\n    code: x = 1\n    expect: none\n"
        "    exception: TypeError\n",
        ("exception:", 1),
        "a",
        "`exception`: Input should be 'exact' or 'any'",
        "correct `exception`",
    ),
    (
        "difficulty-out-of-range",
        HEAD + CARD + "    difficulty: 5\n",
        ("difficulty:", 1),
        "a",
        "`difficulty`: Input should be 1, 2 or 3",
        "correct `difficulty`",
    ),
    (
        "not-a-mapping",
        "- a\n- b\n",
        ("- a", 1),
        None,
        "a deck must be a YAML mapping",
        "start with `format: 1`",
    ),
    (
        "empty-file",
        "",
        None,
        None,
        "a deck must be a YAML mapping",
        "start with `format: 1`",
    ),
]


@pytest.mark.parametrize(
    ("text", "marker", "question", "rule", "fix"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_problem_names_file_line_question_rule_and_fix(write_deck, text, marker, question, rule, fix):
    path = write_deck(text)
    problems = problems_of(path)
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    line = line_of(path, *marker) if marker else 1
    assert (problem.path, problem.line, problem.question) == (path, line, question), str(problem)
    assert rule in problem.rule
    assert fix in problem.fix
    text = str(problem)
    assert text.startswith(f"{path}:{line}:")
    if question:
        assert f"[{question}]" in text
    assert rule in text and f"fix: {problem.fix}" in text


def test_the_column_points_at_the_key(write_deck):
    path = write_deck(HEAD + "  - id: a\n    type: card\n    prompt: p\n    back: b\n    colour: red\n")
    (problem,) = problems_of(path)
    assert (problem.line, problem.column) == (9, 5)
    assert problem.location == f"{path}:9:5"


def test_every_problem_of_a_file_is_reported(write_deck):
    path = write_deck(
        HEAD
        + "  - id: a\n    type: card\n    promt: p\n    back: b\n"
        + "  - id: b\n    type: shape\n    prompt: p\n    code: out = 1\n"
    )
    problems = problems_of(path)
    rules = {(p.question, p.rule) for p in problems}
    # a misspelt key is one problem that names the key meant, not also "missing `prompt`"
    assert ("a", "unknown key `promt` (did you mean `prompt`?)") in rules
    assert ("a", "missing required key `prompt` for type card") not in rules
    assert ("b", "missing required key `expect` for type shape") in rules
    assert len(problems) == 2
    assert next(p for p in problems if p.question == "a").fix == "rename it `prompt`"


def test_load_error_is_a_deck_error_with_every_problem_in_its_message(write_deck):
    path = write_deck(HEAD + CARD + "    colour: red\n" + "  - id: b\n    type: card\n    prompt: p\n")
    with pytest.raises(DeckError) as info:
        load_deck_file(path)
    error = info.value
    assert isinstance(error, DeckLoadError)
    assert len(error.problems) == 2
    assert error.message == "\n".join(str(p) for p in error.problems)
    assert str(error) == error.message
    assert error.where == error.problems[0].location


def test_an_unreadable_file_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("format: 1\ntitle: caf\xe9\n".encode("latin-1"))
    (problem,) = problems_of(path)
    assert "not UTF-8" in problem.rule
    assert (problem.line, problem.column) == (2, 11)
    assert "UTF-8" in problem.fix


def test_a_dollar_in_a_key_that_takes_no_parameters_is_not_a_problem(write_deck):
    path = write_deck(HEAD + "  - id: a\n    type: card\n    prompt: Front\n    back: costs $N\n")
    loaded = load_deck_file(path)
    assert loaded.deck.questions[0].back == "costs $N"


def test_a_literal_dollar_is_written_twice(write_deck):
    path = write_deck(HEAD + "  - id: a\n    type: card\n    prompt: costs $$5 or $$N\n    back: b\n")
    assert load_deck_file(path).deck.questions[0].prompt == "costs $$5 or $$N"


# --- many files ------------------------------------------------------------------------------


def test_one_broken_deck_does_not_stop_the_others(write_deck, tmp_path):
    write_deck("format: 1\ndeck: first\ntitle: T\nquestions:\n" + CARD, "a.yaml")
    broken = write_deck(HEAD + "  - id: a\n    type: card\n    prompt: p\n    colour: red\n", "b.yaml")
    write_deck("format: 1\ndeck: third\ntitle: T\nquestions:\n" + CARD, "c.yml")
    result = load_decks([(tmp_path, "path")])
    assert [d.id for d in result.decks] == ["first", "third"]
    assert result.problems and {p.path for p in result.problems} == {broken}
    assert {p.rule for p in result.problems} == {
        "unknown key `colour`",
        "missing required key `back` for type card",
    }


def test_duplicate_deck_ids_across_files_are_reported(write_deck, tmp_path):
    first = write_deck(HEAD + CARD, "a.yaml")
    second = write_deck(HEAD + CARD.replace("Front", "Other front"), "b.yaml")
    result = load_decks([(tmp_path, "path")])
    assert [d.path for d in result.decks] == [first]
    (problem,) = result.problems
    assert problem.path == second
    assert problem.rule == f"deck id 'sample' is already used by {first}"
    assert "give one of the two decks another `deck:` id" in problem.fix


def test_the_same_file_given_twice_is_not_a_duplicate(write_deck, tmp_path):
    path = write_deck(HEAD + CARD)
    result = load_decks([(tmp_path, "path"), (path, "path")])
    assert [d.id for d in result.decks] == ["sample"]
    assert result.problems == []


def test_a_missing_path_is_a_problem(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    result = load_decks([(missing, "path")])
    assert result.decks == []
    (problem,) = result.problems
    assert problem.path == missing
    assert problem.rule == "no such file or folder"
    assert problem.fix == "check the path"
