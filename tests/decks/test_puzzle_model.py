"""The `puzzle` type as a deck author meets it: what it accepts, and each mistake reported with
its file, line, question, rule and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaxquiz.decks import DeckLoadError, load_deck_file
from jaxquiz.decks.models import Deck, PuzzleQuestion

HEAD = """\
format: 1
deck: sample
title: A sample deck
questions:
  - id: pz
    type: puzzle
    prompt: Write it.
"""

GOOD = """\
    signature: "def pairwise(x, y):"
    inputs:
      x: {shape: [N, D]}
      y: {shape: [M, D], dtype: bfloat16, range: [-1, 1]}
    dims: {N: [1, 6], M: [1, 6], D: [1, 4]}
    transforms: [jit, vmap, grad]
    forbid: [loops, scatter-add]
    solution: |
      def pairwise(x, y):
          return x
    wrong: ["def pairwise(x, y): return y"]
"""


def problem(write_deck, body: str):
    path = write_deck(HEAD + body)
    with pytest.raises(DeckLoadError) as raised:
        load_deck_file(path)
    [found] = raised.value.problems
    return path, found


def line_of(path: Path, marker: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if marker in line)


def test_a_puzzle_loads_with_its_defaults(write_deck):
    deck = load_deck_file(write_deck(HEAD + GOOD)).deck
    question = deck.question("pz")
    assert isinstance(question, PuzzleQuestion)
    assert question.function_name == "pairwise"
    assert question.starter == "def pairwise(x, y):\n    "
    assert question.examples == 25 and question.max_ops is None and question.code is None
    assert question.inputs["y"].dtype == "bfloat16"
    assert question.dim_ranges() == {"N": (1, 6), "D": (1, 4), "M": (1, 6)}


def test_dims_default_to_one_to_five_when_not_written(write_deck):
    body = GOOD.replace("    dims: {N: [1, 6], M: [1, 6], D: [1, 4]}\n", "")
    question = load_deck_file(write_deck(HEAD + body)).deck.question("pz")
    assert question.dim_ranges() == {"N": (1, 5), "D": (1, 5), "M": (1, 5)}


@pytest.mark.parametrize(
    ("old", "new", "marker", "rule", "fix"),
    [
        (
            '"def pairwise(x, y):"',
            '"pairwise(x, y)"',
            "signature:",
            "`signature`: 'pairwise(x, y)' is not one `def name(args):` line",
            'write e.g. "def f(x, y):"',
        ),
        (
            '"def pairwise(x, y):"',
            '"def pairwise(x, z):"',
            "inputs:",
            "the signature takes (x, z), `inputs` has (x, y)",
            "write one entry per argument, named and ordered as in `signature`",
        ),
        (
            "D: [1, 4]}",
            "K: [1, 4]}",
            "dims:",
            "dim `D` (used in `inputs.x.shape`) is not in `dims` (N, M, K)",
            "add `D: [lo, hi]` to `dims`, or correct the name in `inputs.x.shape`",
        ),
        (
            "D: [1, 4]}",
            "D: [1, 4], E: [2, 3]}",
            "dims:",
            "dim `E` is used by no input's shape",
            "remove `E` from `dims`",
        ),
        (
            "D: [1, 4]}",
            "D: [4, 1]}",
            "dims:",
            "[4, 1] is not a range of sizes",
            "correct `dims.D`",
        ),
        (
            "dtype: bfloat16",
            "dtype: float64",
            "dtype:",
            "dtype 'float64' is not one a puzzle can draw",
            "correct `inputs.y.dtype`",
        ),
        (
            "range: [-1, 1]",
            "range: [1, -1]",
            "range:",
            "range [1.0, -1.0] is empty",
            "correct `inputs.y.range`",
        ),
        (
            "[jit, vmap, grad]",
            "[jit, pmap]",
            "transforms:",
            "`transforms[1]`: Input should be 'jit', 'vmap' or 'grad'",
            "correct `transforms[1]`",
        ),
        (
            "forbid: [loops, scatter-add]",
            "forbid: [Loops]",
            "forbid:",
            "`forbid[0]`",
            "correct `forbid[0]`",
        ),
        (
            'wrong: ["def pairwise(x, y): return y"]',
            "wrong: []",
            "wrong:",
            "`wrong` needs at least 1 item(s)",
            "add items",
        ),
        (
            "      def pairwise(x, y):\n          return x",
            "      def pair_wise(x, y):\n          return x",
            "solution:",
            "it must define `pairwise`, the function `signature` names, but it defines `pair_wise`",
            "write it as `def pairwise(...):`, or rename the function in `signature`",
        ),
        (
            'wrong: ["def pairwise(x, y): return y"]',
            'wrong: ["def pairwise(x, y): return y", "distance = 1"]',
            "wrong:",
            "entry 2 must define `pairwise`, the function `signature` names, but it defines `distance`",
            "write it as `def pairwise(...):`, or rename the function in `signature`",
        ),
        (
            "x: {shape: [N, D]}",
            "x: {shape: [N, 2.5]}",
            "x: {shape",
            "`inputs.x.shape[1]`: 2.5 is neither a size (a whole number) nor a dim name",
            "write e.g. [N, 3]",
        ),
    ],
)
def test_each_mistake_names_the_line_question_rule_and_fix(write_deck, old, new, marker, rule, fix):
    assert old in GOOD
    path, found = problem(write_deck, GOOD.replace(old, new))
    assert (found.line, found.question) == (line_of(path, marker), "pz"), str(found)
    assert rule in found.rule, found.rule
    assert fix in found.fix, found.fix


def test_grad_needs_a_float_input(write_deck):
    body = GOOD.replace("{shape: [N, D]}", "{shape: [N, D], dtype: int32}").replace(
        "dtype: bfloat16", "dtype: int8"
    )
    path, found = problem(write_deck, body)
    assert found.line == line_of(path, "transforms:")
    assert found.rule == "`transforms`: `transforms` has grad, but no input is a float array to differentiate"
    assert found.fix == "remove grad, or give an input a float dtype"


def test_a_key_of_a_puzzle_on_another_type_names_its_owner(write_deck):
    text = (
        HEAD.replace("type: puzzle", "type: shape")
        + "    code: out = 1\n    expect: ()\n    forbid: [loops]\n"
    )
    with pytest.raises(DeckLoadError) as raised:
        load_deck_file(write_deck(text))
    assert "key `forbid` belongs to type puzzle, not shape" in str(raised.value)


def test_the_schema_describes_the_puzzle_type():
    schema = Deck.model_json_schema()
    puzzle = schema["$defs"]["PuzzleQuestion"]
    assert set(puzzle["required"]) == {"id", "prompt", "type", "signature", "inputs", "solution", "wrong"}
    assert {"ArrayInput", "KeyInput", "TreeInput", "ValueInput"} <= set(schema["$defs"])
