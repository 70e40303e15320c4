"""The draws a puzzle is graded on: seeded, smallest sizes first, edge values included; and the
smallest draw as code for the try-it panel. Plain Python: no worker needed."""

from __future__ import annotations

import math

from jaxquiz.decks.models import PuzzleQuestion
from jaxquiz.engine.puzzle_draws import DrawnArray, DrawnKey, draw_examples, try_it_code
from jaxquiz.engine.tasks import task_of


def spec(**keys):
    name = keys["signature"].removeprefix("def ").split("(")[0]
    unused = f"def {name}(*args):\n    return None\n"  # only the draws are looked at here
    question = PuzzleQuestion.model_validate(
        {"id": "p", "type": "puzzle", "prompt": "p", "solution": unused, "wrong": [unused], **keys}
    )
    return task_of(question).puzzle


SPEC = spec(
    signature="def f(x, labels, params, key, k):",
    inputs={
        "x": {"shape": ["N", 2], "range": [-3, 3]},
        "labels": {"shape": ["N"], "dtype": "int32", "range": [0, 3]},
        "params": {"tree": {"w": {"shape": ["M"]}, "inner": {"b": {"shape": []}}}},
        "key": {"key": True},
        "k": {"value": [4, 5]},
    },
    dims={"N": [1, 6], "M": [2, 3]},
)


def test_the_draws_are_seeded_and_the_smallest_sizes_come_first():
    draws = draw_examples(SPEC)
    assert draws == draw_examples(SPEC)  # the reference and every answer see the same inputs
    assert len(draws.examples) == 25 and len(draws.groups()) == 4
    first = draws.examples[0]
    assert first.sizes == {"N": 1, "M": 2} and first.args[4] == 4  # lower bounds, first value
    sizes = [sum(math.prod(a.shape) for a in (e.args[0], e.args[1])) for e in draws.examples]
    assert sizes == sorted(sizes)
    # A group shares its sizes and its static values: one compilation, one vmap batch.
    for group in draws.groups():
        assert len({(str(e.sizes), e.args[4]) for e in group}) == 1


def test_each_group_has_a_random_a_zero_and_an_extreme_draw_within_the_ranges():
    group = draw_examples(SPEC).groups()[0]
    assert [e.kind for e in group[:3]] == ["random", "zeros", "extremes"]
    zeros, extremes = group[1].args[0], group[2].args[0]
    assert set(zeros.values) == {0.0}
    assert set(extremes.values) <= {-3.0, 3.0}
    for example in draw_examples(SPEC).examples:
        x, labels, params, key, _ = example.args
        assert isinstance(x, DrawnArray) and x.shape == (example.sizes["N"], 2) and x.dims == ("N", "")
        assert all(-3 <= v <= 3 for v in x.values)
        assert labels.dtype == "int32" and all(v in range(4) for v in labels.values)
        assert params["w"].shape == (example.sizes["M"],) and params["inner"]["b"].shape == ()
        assert isinstance(key, DrawnKey)


def test_the_try_it_code_builds_the_smallest_draw_and_calls_the_answer():
    code = try_it_code(SPEC, "def f(x, labels, params, key, k):\n    return x\n", "OFFSET = 1")
    lines = code.splitlines()
    assert lines[0] == "OFFSET = 1"
    assert lines[1] == "def f(x, labels, params, key, k):"
    assert lines[3] == "# the smallest draw the answer is graded on"
    assert lines[4].startswith("x = jnp.array([[") and lines[4].endswith("]], dtype=jnp.float32)")
    assert lines[5].startswith("labels = jnp.array([") and lines[5].endswith("], dtype=jnp.int32)")
    assert lines[6].startswith("params = {'w': jnp.array([") and "'inner': {'b': jnp.array(" in lines[6]
    assert lines[7].startswith("key = jr.key(")
    assert lines[8] == "k = 4"
    # The body runs at the top level, so that its intermediates are left to be described.
    assert lines[9:] == ["# the body of f, run here so that its intermediates stay", "out = x"]


def test_a_body_that_returns_early_is_called_instead():
    answer = "def f(x, labels, params, key, k):\n    if k > 4:\n        return labels\n    return x\n"
    assert try_it_code(SPEC, answer).splitlines()[-1] == "out = f(x, labels, params, key, k)"
