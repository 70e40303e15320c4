"""Parameters: `$NAME`, `${NAME}` and `$$`, lists and ranges, draws, and what `instantiate` changes."""

from __future__ import annotations

import itertools
import random

import pytest

from jaxquiz.decks import checked_draws, draw, instantiate
from jaxquiz.decks.models import CardQuestion, FillQuestion, RaisesQuestion, ShapeQuestion
from jaxquiz.decks.params import MAX_CHECKED_DRAWS, SUBSTITUTED_KEYS, placeholders, substitute
from jaxquiz.engine.tasks import task_of


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("($N, 2)", {"N": 8}, "(8, 2)"),
        ("${N}x$N", {"N": 3}, "3x3"),
        ("$N_total", {"N_total": 7}, "7"),
        ("${N}_total", {"N": 7}, "7_total"),
        ("$A$B", {"A": 1, "B": 2}, "12"),
        ("costs $$5", {}, "costs $5"),
        ("$$N is literal, $N is not", {"N": 4}, "$N is literal, 4 is not"),
        ("$$$N", {"N": 4}, "$4"),
        ("dt = $DT", {"DT": 0.5}, "dt = 0.5"),
        ("flag = $F", {"F": True}, "flag = True"),
        ("dtype = jnp.$T", {"T": "int8"}, "dtype = jnp.int8"),
        ("$5 and $ alone", {}, "$5 and $ alone"),
    ],
)
def test_substitute(text, values, expected):
    assert substitute(text, values) == expected


def test_placeholders_name_every_parameter_once():
    assert placeholders("$A ${B} $$C $A_1 ${A}") == {"A", "B", "A_1"}


def test_substitute_of_an_unknown_name_raises():
    with pytest.raises(KeyError):
        substitute("$MISSING", {"N": 1})


def shape_question(**fields) -> ShapeQuestion:
    base = dict(id="q", type="shape", prompt="p", code="out = jnp.zeros($N)", expect="($N,)")
    return ShapeQuestion.model_validate(base | fields)


def test_param_values_of_lists_and_ranges():
    question = shape_question(params={"N": [8, 100], "K": {"range": [2, 5]}})
    assert {k: list(v) for k, v in question.param_values().items()} == {"N": [8, 100], "K": [2, 3, 4, 5]}


def test_a_range_of_one_value():
    assert list(shape_question(params={"N": {"range": [3, 3]}}).param_values()["N"]) == [3]


def test_draw_takes_one_value_per_parameter_from_its_choices():
    question = shape_question(params={"N": [8, 100, 256], "K": {"range": [-2, 2]}})
    rng = random.Random(0)
    draws = [draw(question, rng) for _ in range(200)]
    assert {d["N"] for d in draws} == {8, 100, 256}
    assert {d["K"] for d in draws} == {-2, -1, 0, 1, 2}  # both bounds included
    assert draws == [draw(question, r) for r in [random.Random(0)] for _ in range(200)]


def test_draw_without_parameters_is_empty():
    assert draw(shape_question(code="out = jnp.zeros(3)", expect="(3,)"), random.Random(0)) == {}


def test_checked_draws_are_every_combination_up_to_16():
    question = shape_question(params={"N": [1, 2, 3, 4], "K": {"range": [0, 3]}})
    draws = checked_draws("deck", question)
    assert len(draws) == MAX_CHECKED_DRAWS == 16
    combos = {(d["N"], d["K"]) for d in draws}
    assert combos == set(itertools.product([1, 2, 3, 4], [0, 1, 2, 3]))


def test_checked_draws_of_a_few_combinations_are_all_of_them():
    question = shape_question(params={"N": [1, 2], "K": [5, 6, 7]})
    assert len(checked_draws("deck", question)) == 6


def test_checked_draws_above_16_are_16_seeded_draws():
    question = shape_question(params={"N": {"range": [1, 17]}})
    draws = checked_draws("deck", question)
    assert len(draws) == 16
    assert all(1 <= d["N"] <= 17 for d in draws)
    assert checked_draws("deck", question) == draws  # the same every run: a failure reproduces
    other = shape_question(id="other", params={"N": {"range": [1, 17]}})
    assert checked_draws("deck", other) != draws  # seeded per (deck, question)


def test_checked_draws_above_16_are_all_different_and_hold_the_bounds():
    question = shape_question(params={"A": [1, 2, 3, 4, 5], "B": [1, 2, 3, 4]})  # 20 combinations
    draws = checked_draws("deck", question)
    assert len({(d["A"], d["B"]) for d in draws}) == 16
    assert draws[:2] == [{"A": 1, "B": 1}, {"A": 5, "B": 4}]
    huge = shape_question(params={"N": {"range": [1, 10**9]}, "K": [7, 8]})
    draws = checked_draws("deck", huge)
    assert draws[:2] == [{"N": 1, "K": 7}, {"N": 10**9, "K": 8}]
    assert len({tuple(d.values()) for d in draws}) == 16 and [*draws[2]] == ["N", "K"]


def test_checked_draws_without_parameters_is_one_empty_draw():
    assert checked_draws("deck", shape_question(code="out = 1", expect="()")) == [{}]


def test_instantiate_substitutes_every_key_the_format_lists():
    question = FillQuestion.model_validate(
        dict(
            id="q",
            type="fill",
            prompt="P $N",
            code="out = jnp.zeros($N) + ___",
            answer="out[:$N]",
            solution="$N",
            wrong=["$N + 1", "${N}0"],
            hint="H $N",
            explain="E $N $$",
            params={"N": [3]},
            tags=["$N"],
        )
    )
    concrete = instantiate(question, {"N": 3})
    assert concrete.prompt == "P 3"
    assert concrete.code == "out = jnp.zeros(3) + ___"
    assert concrete.answer == "out[:3]"
    assert concrete.solution == "3"
    assert concrete.wrong == ["3 + 1", "30"]
    assert concrete.hint == "H 3"
    assert concrete.explain == "E 3 $"
    # not a key with parameters: left as written
    assert concrete.tags == ["$N"]
    assert concrete.params == question.params
    assert question.prompt == "P $N"  # the original is not changed


def test_instantiate_substitutes_expect_and_options():
    question = shape_question(params={"N": [4]}, options=["($N,)", "(${N + 1},)"])
    concrete = instantiate(question, {"N": 4})
    assert concrete.expect == "(4,)" and concrete.options == ["(4,)", "(5,)"]


def test_instantiate_leaves_keys_outside_the_format_list_alone():
    card = CardQuestion.model_validate(
        dict(id="c", type="card", prompt="front $N", back="back $N", code="x = $N", params={"N": [1]})
    )
    concrete = instantiate(card, {"N": 1})
    assert concrete.prompt == "front 1"
    assert concrete.code == "x = 1"
    assert concrete.back == "back $N"
    assert "back" not in SUBSTITUTED_KEYS


def test_instantiate_keeps_defaults_unset():
    # Defaults hold no parameters: a draw must not mark them as written by the author.
    raises = dict(id="r", type="raises", prompt="p $N", code="jnp.zeros($N)[0] = 1", expect="TypeError")
    concrete = instantiate(RaisesQuestion.model_validate(raises | {"params": {"N": [2]}}), {"N": 2})
    assert "answer" not in concrete.model_fields_set
    assert task_of(concrete).answer == "out"
    assert concrete.code == "jnp.zeros(2)[0] = 1"


def test_instantiate_replaces_a_literal_dollar_without_parameters():
    card = CardQuestion.model_validate(dict(id="c", type="card", prompt="costs $$5", back="b"))
    assert instantiate(card, {}).prompt == "costs $5"


def test_instantiate_without_parameters_or_dollars_is_the_question_itself():
    card = CardQuestion.model_validate(dict(id="c", type="card", prompt="front", back="b"))
    assert instantiate(card, {}) is card
