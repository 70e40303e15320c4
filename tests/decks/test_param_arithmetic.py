"""`${...}` integer arithmetic over parameters: substitution, load-time errors, and a computed
shape graded through the real engine."""

from __future__ import annotations

import time

import pytest

from jaxquiz.audit import audit
from jaxquiz.decks import DeckLoadError, instantiate, load_deck_file
from jaxquiz.decks.arithmetic import ParamExpressionError, evaluate
from jaxquiz.decks.params import placeholders, substitute
from jaxquiz.engine import Engine
from jaxquiz.engine.tasks import task_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(${N + 1}, 2)", "(6, 2)"),
        ("${R // 4}", "4"),
        ("${X ** 2}", "9"),
        ("${(N + 1) * 2}", "12"),
        ("${ N%3 }", "2"),
        ("${-N}", "-5"),
        ("${N}${N}", "55"),
        ("$$${N + 1}", "$6"),
        ("costs $${N + 1}", "costs ${N + 1}"),
    ],
)
def test_arithmetic_is_replaced_by_its_value(text, expected):
    assert substitute(text, {"N": 5, "R": 16, "X": 3}) == expected


def test_placeholders_include_names_inside_arithmetic():
    assert placeholders("${N * M} $K ${Z}") == {"N", "M", "K", "Z"}


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ("N / 2", "use `//`"),
        ("N.real", "`N.real` is not allowed"),
        ("abs(N)", "`abs(N)` is not allowed"),
        ("N +", "not an arithmetic expression"),
        ("N // 0", "divides by zero"),
        ("2 ** -1", "not an integer"),
        ("T + 1", "arithmetic needs integer parameters"),
        ("1.5 * N", "not allowed"),
        ("N" + " + 1" * 200, "too long"),
    ],
)
def test_what_cannot_be_computed_says_why(expression, said):
    with pytest.raises(ParamExpressionError) as info:
        evaluate(expression, {"N": 5, "T": "int8"})
    assert said in str(info.value) + info.value.fix


@pytest.mark.parametrize("expression", ["9**9**9", "2**62 * 4", "(2**60)**64", "10**10**10"])
def test_huge_numbers_are_refused_at_once(expression):
    start = time.perf_counter()
    with pytest.raises(ParamExpressionError, match="too large"):
        evaluate(expression, {})
    assert time.perf_counter() - start < 0.5


DECK = """\
format: 1
deck: computed
title: Computed parameters
questions:
  - id: split
    type: shape
    prompt: "`x` holds ${R} rows; what is the shape of `out`?"
    params: {R: [8, 12], C: [2, 3]}
    code: |
      x = jnp.zeros(($R, $C))
      out = x.reshape(${R // 4}, 4, $C)
    expect: (${R // 4}, 4, $C)
    options: ["(${R // 4}, 4, $C)", "(4, ${R // 4}, $C)", "(${R + 1}, $C)"]
"""


def test_a_computed_shape_is_audited_and_graded_by_the_engine(tmp_path, engine: Engine):
    path = tmp_path / "computed.yaml"
    path.write_text(DECK)
    loaded = load_deck_file(path)
    [report] = audit([loaded], jobs=1, engine=engine)
    assert report.ok and report.draws == 4, report.failures
    concrete = instantiate(loaded.deck.questions[0], {"R": 12, "C": 3})
    assert concrete.options == ["(3, 4, 3)", "(4, 3, 3)", "(13, 3)"]  # the learner sees numbers
    assert "12 rows" in concrete.prompt
    verdict = engine.grade(task_of(concrete), concrete.expect)
    assert verdict.correct and verdict.truth.shape == (3, 4, 3), verdict


@pytest.mark.parametrize(
    ("key", "text", "rule", "fix"),
    [
        (
            "expect",
            "(${R // (C - 2)},)",
            "`expect`: in `${R // (C - 2)}`, `//` divides by zero when C=2, R=8",
            "divisor is never 0",
        ),
        ("hint", "try ${R +* 2}", "`hint`: `${R +* 2}` is not an arithmetic expression", "+ - * // % **"),
        ("explain", "see ${M + 1}", "`explain` uses $M, which is not in `params`", "add `M` to `params`"),
        ("prompt", "${R / 2} rows", "`prompt`: in `${R / 2}`, `/` gives a float", "use `//`"),
        # a function is not a parameter to add: the call is what is not allowed
        ("code", "out = jnp.zeros(${abs(R)})", "`code`: in `${abs(R)}`, `abs(R)` is not allowed", "+ - *"),
    ],
)
def test_bad_arithmetic_is_a_load_error_with_line_and_fix(tmp_path, key, text, rule, fix):
    question = {
        "prompt": "p",
        "params": "{R: [8, 12], C: [2, 3]}",
        "code": "out = jnp.zeros(($R, $C))",
        "expect": "($R, $C)",
        key: text,
    }
    body = "".join(f"    {k}: {v if k == 'params' else repr(v)}\n" for k, v in question.items())
    path = tmp_path / "bad.yaml"
    path.write_text(f"format: 1\ndeck: bad\ntitle: Bad\nquestions:\n  - id: q\n    type: shape\n{body}")
    with pytest.raises(DeckLoadError) as info:
        load_deck_file(path)
    [problem] = info.value.problems
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip().startswith(f"{key}:"))
    assert (problem.path, problem.line, problem.question) == (path, line, "q")
    assert problem.rule.startswith(rule), problem.rule
    assert fix in problem.fix, problem.fix


def test_a_division_by_zero_inside_a_huge_range_is_found():
    from jaxquiz.decks.params import expression_problems

    [problem] = expression_problems("${1000 // N}", {"N": range(-5000, 5000)})
    assert "divides by zero when N=0" in problem.rule
    assert expression_problems("${N // 7}", {"N": range(-5000, 5000)}) == []


def test_a_zero_divisor_away_from_the_ends_of_a_huge_range_is_found():
    from jaxquiz.decks.params import expression_problems

    start = time.perf_counter()
    [problem] = expression_problems("${N // (N - 700)}", {"N": range(0, 10**9)})
    assert "divides by zero when N=700" in problem.rule
    two = expression_problems("${N // (M - 3000)}", {"N": range(1, 50), "M": range(0, 10**6)})
    assert len(two) == 1 and "M=3000" in two[0].rule
    assert time.perf_counter() - start < 2


def test_empty_braces_stay_text_and_blank_ones_are_an_error():
    from jaxquiz.decks.params import expression_problems

    assert substitute("${} costs $$", {}) == "${} costs $"
    [problem] = expression_problems("${ }", {})
    assert "not an arithmetic expression" in problem.rule
