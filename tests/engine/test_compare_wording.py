"""Typed numbers cast to the result's dtype, and how a difference names the truth, through the
real worker."""

from __future__ import annotations

import pytest

from jaxquiz.engine import Engine, Task

EXACT = {"rtol": 0.0, "atol": 0.0}


@pytest.mark.parametrize(
    ("code", "answer"),
    [
        ("out = jnp.array(1e-45, jnp.float32)", "1e-45"),  # how JAX prints the float32 subnormal
        ("out = jnp.float32(0.1)", "0.1"),
        ("out = jnp.array([0.1, 0.2], jnp.float32)", "[0.1, 0.2]"),
        ("out = jnp.array(1.1, jnp.bfloat16)", "1.1"),
        ("out = jnp.array(1.1, jnp.float16)", "jnp.float32(1.1)"),
        ("out = jnp.array(0.1 + 0.2j, jnp.complex64)", "0.1+0.2j"),
    ],
)
def test_a_typed_number_is_the_nearest_of_the_results_dtype(engine: Engine, code, answer):
    verdict = engine.grade(Task("value", code, **EXACT), answer)
    assert verdict.status == "graded" and verdict.correct, verdict


@pytest.mark.parametrize(
    ("code", "answer", "difference"),
    [
        ("out = jnp.array(1e-45, jnp.float32)", "0.0", "you said 0.0, it is 1e-45"),
        ("out = jnp.float32(1.0)", "1+1j", "you said (1+1j)"),  # an imaginary part is not dropped
        ("out = jnp.array([1.0, 2.5])", "[1, 2]", "values differ at [1]: you said 2, it is 2.5"),
    ],
)
def test_casting_does_not_make_a_wrong_answer_right(engine: Engine, code, answer, difference):
    verdict = engine.grade(Task("value", code, **EXACT), answer)
    assert verdict.status == "graded" and not verdict.correct, verdict
    assert difference in verdict.difference, verdict.difference


def test_a_string_mismatch_names_the_truth(engine: Engine):
    verdict = engine.grade(Task("value", "print('x=7')", answer="printed"), "'x=8\\n'")
    assert not verdict.correct
    assert verdict.difference.startswith("the truth is 'x=7\\n'"), verdict.difference
    assert "you said 'x=8\\n'" in verdict.difference and "expected" not in verdict.difference


def test_a_wrong_fill_index_is_not_called_what_you_said(engine: Engine):
    task = Task("fill", "x = jnp.array([10.0, 20.0, 30.0])\nout = x[___]", solution="2")
    verdict = engine.grade(task, "1")
    assert not verdict.correct
    assert verdict.difference == "values differ: yours gives 20.0, the solution 30.0"


def test_a_fill_right_by_value_in_another_dtype_says_which_dtype_yours_gives(engine: Engine):
    # The verdict shows the solution's result: without the note, int32 would stand beside the
    # learner's code, which gives float32.
    task = Task("fill", "out = jnp.full(___)", solution="(2,), 5")
    verdict = engine.grade(task, "(2,), 5.0")
    assert verdict.correct, verdict
    assert verdict.note == (
        "yours gives dtype float32, the solution int32: this question compares values, so both count"
    )
    assert engine.grade(task, "2, 5").note == ""  # same dtype: nothing to say


@pytest.mark.parametrize(
    ("answer", "meant"), [("true", "True"), ("[false, true]", "False"), ("null", "None")]
)
def test_a_constant_spelt_as_in_json_is_sent_back_with_its_python_spelling(engine: Engine, answer, meant):
    verdict = engine.grade(Task("value", "out = jnp.array([False, True])"), answer)
    assert verdict.status == "unreadable", verdict
    assert verdict.error is not None and verdict.error.endswith(f"did you mean {meant}?"), verdict.error


@pytest.mark.parametrize(
    ("answer", "meant"), [("Int32", "int32"), ("flaot32", "float32"), ("bfloat", "bfloat16")]
)
def test_a_dtype_typo_is_sent_back_with_the_dtype_meant(engine: Engine, answer, meant):
    verdict = engine.grade(Task("dtype", "out = jnp.ones(2, jnp.int32)"), answer)
    assert verdict.status == "unreadable", verdict
    assert verdict.error == f"{answer!r} is not a dtype JAX knows: did you mean {meant}?"
