"""Puzzles graded by the real worker: each transform, each rule, shrinking, and the verdict's words."""

from __future__ import annotations

from typing import Any

import pytest

from jaxquiz.decks.models import PuzzleQuestion
from jaxquiz.engine import Engine, Task, Verdict
from jaxquiz.engine.puzzle_draws import try_it_code
from jaxquiz.engine.tasks import task_of


def puzzle(**keys: Any) -> Task:
    name = keys["signature"].removeprefix("def ").split("(")[0]
    wrong = [f"def {name}(*args):\n    return None\n"]  # a deck needs one; these tests grade their own
    question = PuzzleQuestion.model_validate(
        {"id": "p", "type": "puzzle", "prompt": "p", "wrong": wrong, **keys}
    )
    return task_of(question)


def grade(engine: Engine, task: Task, answer: str) -> Verdict:
    verdict = engine.grade(task, answer, engine.prepare(task))
    assert verdict.status == "graded", verdict
    return verdict


def wrong(engine: Engine, task: Task, answer: str) -> Verdict:
    verdict = grade(engine, task, answer)
    assert not verdict.correct, verdict
    return verdict


PAIRWISE = puzzle(
    signature="def pairwise(x, y):",
    inputs={"x": {"shape": ["N", "D"]}, "y": {"shape": ["M", "D"]}},
    dims={"N": [1, 5], "M": [1, 5], "D": [1, 3]},
    transforms=["jit", "vmap", "grad"],
    forbid=["loops", "while"],
    solution="def pairwise(x, y):\n    return jnp.sum((x[:, None, :] - y[None, :, :]) ** 2, axis=-1)\n",
)


def test_a_right_answer_passes_every_draw_under_every_transform_and_rule(engine):
    answer = "def pairwise(x, y):\n    d = x[:, None] - y[None]\n    return (d * d).sum(-1)\n"
    verdict = grade(engine, PAIRWISE, answer)
    assert verdict.correct, verdict
    assert verdict.note == (
        "passed 25 draws of 4 sizes: all 25 directly; the 11 of the smallest and largest sizes "
        "under jit, vmap and grad; rules kept: no `while`, no Python loops"
    )


def test_a_wrong_answer_names_the_call_the_inputs_expected_and_got(engine):
    answer = "def pairwise(x, y):\n    return jnp.sum((x - y) ** 2, axis=-1)\n"
    verdict = wrong(engine, PAIRWISE, answer)
    # The smallest draw (every dim at its lower bound) already shows it.
    lines = verdict.difference.splitlines()
    assert lines[0] == "calling pairwise(x, y) directly, with"
    assert lines[1].startswith("  x = float32(1, 1) [[")
    assert lines[2].startswith("  y = float32(1, 1) [[")
    assert lines[3].startswith("expected float32(1, 1) [[")
    assert lines[4].startswith("got      float32(1,) [")
    assert lines[5] == "shape is (1, 1), yours is (1,)"


def test_under_jit_a_python_branch_on_a_value_is_reported_with_the_learners_line(engine):
    task = puzzle(
        signature="def f(x):",
        inputs={"x": {"shape": ["N"]}},
        solution="def f(x):\n    return jnp.abs(x).sum()\n",
    )
    answer = (
        "def f(x):\n    total = jnp.abs(x).sum()\n    if total > 1e9:\n        return 0.0\n    return total\n"
    )
    verdict = wrong(engine, task, answer)
    assert verdict.difference.startswith("under jax.jit: jax.jit(f)(...), with\n  x = float32(1,) [")
    assert verdict.difference.endswith("your function raised TracerBoolConversionError")
    assert "line 3, in f: if total > 1e9:" in (verdict.traceback or "")


def test_under_vmap_an_operation_that_cannot_batch_fails(engine):
    task = puzzle(
        signature="def f(x):",
        inputs={"x": {"shape": ["N"]}},
        transforms=["jit", "vmap"],
        solution="def f(x):\n    return x * 2\n",
    )
    answer = (
        "def f(x):\n"
        "    shape = jax.ShapeDtypeStruct(x.shape, x.dtype)\n"
        "    return jax.pure_callback(lambda a: np.asarray(a) * 2, shape, x)\n"
    )
    verdict = wrong(engine, task, answer)
    assert verdict.difference.startswith(
        "under jax.vmap, over a new leading batch axis of size 1 on every array, with\n  x = float32(1, 1) ["
    ), verdict.difference
    assert "your function raised" in verdict.difference


def test_under_grad_a_nan_gradient_at_zero_is_caught_on_the_zero_draw(engine):
    task = puzzle(
        signature="def norm(x):",
        inputs={"x": {"shape": ["N"]}},
        transforms=["jit", "grad"],
        solution=(
            "def norm(x):\n"
            "    s = jnp.sum(x * x)\n"
            "    safe = jnp.where(s > 0, s, 1.0)\n"
            "    return jnp.where(s > 0, jnp.sqrt(safe), 0.0)\n"
        ),
    )
    verdict = wrong(engine, task, "def norm(x):\n    return jnp.sqrt(jnp.sum(x * x))\n")
    assert verdict.difference.splitlines()[:2] == [
        "under jax.grad: the gradient of the sum of your output with respect to x, with",
        "  x = float32(1,) [0.]",
    ]
    assert verdict.difference.endswith("at ['x']: values differ at [0]: yours is nan, it is 0.0")


def test_under_grad_a_gradient_wrong_only_at_the_ends_of_the_range_is_caught(engine):
    # The values agree everywhere, and so does the gradient but where a value sits exactly on
    # the bound (jnp.minimum splits a tie, jnp.where does not): only the draws at the ends of
    # the range show it, which the transforms run on at the smallest and the largest size.
    task = puzzle(
        signature="def cap(x):",
        inputs={"x": {"shape": ["N"], "range": [-1, 1]}},
        dims={"N": [1, 6]},
        transforms=["jit", "vmap", "grad"],
        solution="def cap(x):\n    return jnp.minimum(x, 1.0)\n",
    )
    verdict = wrong(engine, task, "def cap(x):\n    return jnp.where(x < 1.0, x, 1.0)\n")
    lines = verdict.difference.splitlines()
    assert lines[0].startswith("under jax.grad"), verdict.difference
    assert "1." in lines[1] and "yours is 0.0, it is 0.5" in lines[-1], verdict.difference


def test_a_failure_is_shrunk_to_the_smallest_size_that_shows_it(engine):
    task = puzzle(
        signature="def total(x):",
        inputs={"x": {"shape": ["N"], "range": [1, 9]}},
        dims={"N": [1, 8]},
        examples=16,
        solution="def total(x):\n    return x.sum()\n",
    )
    # Right for one element: the draws have 1, 5, 6 and 8; shrinking finds that 2 already fails.
    verdict = wrong(engine, task, "def total(x):\n    return x[:1].sum()\n")
    inputs = verdict.difference.splitlines()[1]
    assert inputs.startswith("  x = float32(2,) ["), verdict.difference
    # Values are rounded too while it still fails: whole numbers are easier to follow.
    assert "." not in inputs.split("[", 1)[1].replace(".,", ",").replace(".]", "]"), inputs


TRIL_PREFIX = "def prefix(x):\n    return jnp.tril(jnp.ones((x.shape[0], x.shape[0]))) @ x\n"


@pytest.mark.parametrize(
    ("forbid", "answer", "said"),
    [
        (
            ["cumsum"],
            "def prefix(x):\n    out = jnp.cumsum(x)\n    return out\n",
            "rule broken: `cumsum` is not allowed in this puzzle (jnp.cumsum makes cumsum); "
            "it comes from your line 2: `out = jnp.cumsum(x)`",
        ),
        (
            # Inside a sub-program (the body of a loop), still found, still on the learner's line.
            ["cumsum"],
            "def prefix(x):\n"
            "    body = lambda i, c: jnp.cumsum(c) - jnp.cumsum(c) + c\n"
            "    c = lax.fori_loop(0, 2, body, x)\n"
            "    return jnp.tril(jnp.ones((x.shape[0], x.shape[0]))) @ c\n",
            "rule broken: `cumsum` is not allowed in this puzzle (jnp.cumsum makes cumsum); "
            "it comes from your line 2: `body = lambda i, c: jnp.cumsum(c) - jnp.cumsum(c) + c`",
        ),
        (
            # A jitted function of jax's, by the name the jaxpr shows it under (jit[name=tril]).
            ["tril"],
            "def prefix(x):\n"
            "    lower = jnp.tril(jnp.ones((x.shape[0], x.shape[0])))\n"
            "    return lower @ x\n",
            "rule broken: `tril` is not allowed in this puzzle; it is called from your line 2: "
            "`lower = jnp.tril(jnp.ones((x.shape[0], x.shape[0])))`",
        ),
    ],
)
def test_a_forbidden_primitive_is_found_anywhere_with_the_learners_line(engine, forbid, answer, said):
    task = puzzle(
        signature="def prefix(x):",
        inputs={"x": {"shape": ["N"]}},
        forbid=forbid,
        solution="def prefix(x):\n    return jnp.cumsum(x)\n" if forbid == ["tril"] else TRIL_PREFIX,
    )
    assert wrong(engine, task, answer).difference == said


def test_a_python_loop_is_found_because_the_program_grows_with_the_input(engine):
    task = puzzle(
        signature="def prefix(x):",
        inputs={"x": {"shape": ["N"]}},
        dims={"N": [1, 6]},
        forbid=["loops"],
        solution="def prefix(x):\n    return jnp.tril(jnp.ones((x.shape[0], x.shape[0]))) @ x\n",
    )
    answer = (
        "def prefix(x):\n"
        "    parts = [x[: i + 1].sum() for i in range(x.shape[0])]\n"
        "    return jnp.stack(parts)\n"
    )
    said = wrong(engine, task, answer).difference
    assert said.startswith("rule broken: no Python loops over the elements. Your traced program has ")
    assert "operations for N=2 and " in said and " for N=5: it grows with the input" in said
    assert (
        "the extra ones come from your line 2: `parts = [x[: i + 1].sum() for i in range(x.shape[0])]`"
        in said
    )


def test_max_ops_bounds_the_traced_program(engine):
    task = puzzle(
        signature="def f(x):",
        inputs={"x": {"shape": [3]}},
        max_ops=3,
        solution="def f(x):\n    return 2 * x\n",
    )
    assert grade(engine, task, "def f(x):\n    return x + x\n").correct
    said = wrong(
        engine, task, "def f(x):\n    y = x * 4\n    y = y - x\n    y = y - x\n    return y + 0 * x\n"
    ).difference
    assert said.startswith("rule broken: at most 3 operations; your traced program has ")
    assert "for the smallest draw (fixed sizes)" in said


def test_trees_keys_and_static_values_are_drawn_and_batched(engine):
    task = puzzle(
        signature="def step(params, key, scale):",
        inputs={
            "params": {"tree": {"w": {"shape": ["N", 2]}, "b": {"shape": [2]}}},
            "key": {"key": True},
            "scale": {"value": [1, 2]},
        },
        transforms=["jit", "vmap", "grad"],
        solution=(
            "def step(params, key, scale):\n"
            "    noise = jr.normal(key, params['b'].shape)\n"
            "    return scale * (params['w'].sum(0) + params['b'] + noise)\n"
        ),
    )
    right = (
        "def step(params, key, scale):\n"
        "    w, b = params['w'], params['b']\n"
        "    return scale * (jnp.sum(w, axis=0) + b) + scale * jr.normal(key, (2,))\n"
    )
    assert grade(engine, task, right).correct
    forgot_scale = (
        "def step(params, key, scale):\n    return params['w'].sum(0) + params['b'] + jr.normal(key, (2,))\n"
    )
    said = wrong(engine, task, forgot_scale).difference
    assert "  params['b'] = float32(2,) [" in said and "  key = a PRNG key" in said and "  scale = 2" in said


def test_code_that_does_not_define_the_function_says_how_to_start(engine):
    verdict = wrong(engine, PAIRWISE, "def pair(x, y):\n    return x\n")
    assert verdict.error == (
        "your code does not define the function `pairwise`: start from its first line, `def pairwise(x, y):`"
    )


def test_code_that_does_not_parse_says_where(engine):
    verdict = wrong(engine, PAIRWISE, "def pairwise(x, y):\n    return (x\n")
    assert verdict.error.startswith("your code raised SyntaxError before any draw")


def test_a_reference_that_fails_is_the_question_s_error(engine):
    task = puzzle(
        signature="def f(x):", inputs={"x": {"shape": ["N"]}}, solution="def f(x):\n    return x @ x.T[0]\n"
    )
    verdict = engine.grade(task, "def f(x):\n    return x\n", engine.prepare(task))
    assert verdict.status == "question-error", verdict


def test_the_try_it_code_shows_every_intermediate_on_the_smallest_draw(engine):
    answer = "def pairwise(x, y):\n    d = x[:, None] - y[None]\n    return (d * d).sum(-1)\n"
    exploration = engine.explore(try_it_code(PAIRWISE.puzzle, answer))
    assert exploration.outcome.exception is None, exploration.outcome
    shapes = {b.name: b.shape for b in exploration.bindings}
    assert shapes == {"x": (1, 1), "y": (1, 1), "d": (1, 1, 1), "out": (1, 1)}
