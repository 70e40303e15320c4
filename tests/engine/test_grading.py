"""Grading per question type, through the real engine and its worker process."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from jaxquiz.decks import instantiate, load_deck_file
from jaxquiz.decks.models import RaisesQuestion
from jaxquiz.engine import Engine, Task, Verdict
from jaxquiz.engine.tasks import task_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "decks"


def grade(engine: Engine, task: Task, answer: str) -> Verdict:
    """The verdict, graded in one request; graded again after a prepare (the request then holds
    the token only, and the truth comes from the prepare), it must be the same."""
    verdict = engine.grade(task, answer)
    assert verdict.status in ("graded", "unreadable", "question-error"), verdict
    prepared = engine.prepare(task)
    again = engine.grade(task, answer, prepared)
    engine.forget(prepared)
    assert replace(again, timings=verdict.timings) == verdict
    return verdict


def assert_right(verdict: Verdict) -> None:
    assert verdict.status == "graded" and verdict.correct, verdict


def assert_wrong(verdict: Verdict, difference: str = "") -> None:
    assert verdict.status == "graded" and not verdict.correct, verdict
    assert difference in verdict.difference


# --- shape ----------------------------------------------------------------------------------

SHAPE_3_2 = Task("shape", "out = jnp.zeros((3, 2))")


@pytest.mark.parametrize("answer", ["(3, 2)", "3, 2", "[3, 2]", "(3,2,)", " ( 3 , 2 ) "])
def test_shape_right_in_every_spelling(engine, answer):
    verdict = grade(engine, SHAPE_3_2, answer)
    assert_right(verdict)
    assert verdict.understood == "(3, 2)"
    assert verdict.truth.shape == (3, 2) and verdict.truth.dtype == "float32"


@pytest.mark.parametrize(
    ("answer", "difference"),
    [
        ("(2, 3)", "axis 0: you said 2, it is 3; axis 1: you said 3, it is 2"),
        ("(3, 3)", "axis 1: you said 3, it is 2"),
        ("(3,)", "it has 2 axes (3, 2), you said 1 (3,)"),
        ("scalar", "it has 2 axes (3, 2), you said 0 ()"),
    ],
)
def test_shape_wrong_says_which_axis(engine, answer, difference):
    assert_wrong(grade(engine, SHAPE_3_2, answer), difference)


@pytest.mark.parametrize(
    ("code", "answer"), [("out = jnp.zeros(7)", "7"), ("out = jnp.float32(1)", "scalar")]
)
def test_shape_of_a_vector_and_a_scalar(engine, code, answer):
    assert_right(grade(engine, Task("shape", code), answer))


def test_shape_asks_about_the_answer_expression(engine):
    task = Task("shape", "x = jnp.zeros((4, 5))", answer="x.T")
    assert_right(grade(engine, task, "(5, 4)"))


# --- dtype ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answer"),
    [
        ("out = jnp.zeros(3)", "jnp.float32"),
        ("out = jnp.zeros(3)", "float32"),
        ("out = jnp.arange(3, dtype=jnp.int32)", "np.int32"),
        ("out = jnp.arange(3) > 1", "bool"),
        ("out = jnp.arange(3) > 1", "jnp.bool_"),
        ("out = jr.key(0)", "key<fry>"),
        ("out = jr.PRNGKey(0)", "uint32"),
        ("out = jnp.zeros(2, jnp.bfloat16)", "bfloat16"),
        ("out = jnp.zeros(3).dtype", "float32"),  # the result is itself a dtype
        ("out = jr.key(0).dtype", "key<fry>"),
    ],
)
def test_dtype_right(engine, code, answer):
    assert_right(grade(engine, Task("dtype", code), answer))


@pytest.mark.parametrize(
    ("code", "answer", "difference"),
    [
        ("out = jnp.zeros(3)", "int32", "dtype is float32, not int32"),
        ("out = jnp.zeros(3)", "float64", "dtype is float32, not float64"),
        ("out = jnp.arange(3) > 1", "int8", "dtype is bool, not int8"),
        ("out = jr.key(0)", "uint32", "dtype is key<fry>, not uint32"),
        ("out = jr.PRNGKey(0)", "key<fry>", "dtype is uint32, not key<fry>"),
        ("out = jnp.arange(3).dtype", "float32", "dtype is int32, not float32"),
        ("out = jr.key(0).dtype", "uint32", "dtype is key<fry>, not uint32"),
    ],
)
def test_dtype_wrong(engine, code, answer, difference):
    assert_wrong(grade(engine, Task("dtype", code), answer), difference)


def test_dtype_of_x64_off_is_float32_for_a_python_float(engine):
    verdict = grade(engine, Task("dtype", "out = jnp.asarray(1.0)"), "float32")
    assert_right(verdict)
    assert verdict.understood == "float32"


# --- value ----------------------------------------------------------------------------------

FULL = Task("value", "out = jnp.full(2, 3.0)")


@pytest.mark.parametrize(
    "answer",
    [
        "[3.0, 3.0]",
        "(3, 3)",
        "[3, 3]",
        "jnp.full(2, 3.0)",
        "jnp.ones(2) * 3",
        "Array([3., 3.], dtype=float32)",
        "Array([3., 3.], dtype=float32, weak_type=True)",
        "array([3., 3.], dtype=float32)",
        "[3.0, 3.000001]",  # within the default tolerance
    ],
)
def test_value_right_as_literal_expression_or_printed_array(engine, answer):
    assert_right(grade(engine, FULL, answer))


@pytest.mark.parametrize(
    ("code", "printed"),
    [
        ("out = jnp.array([1, -2], dtype=jnp.int4)", "Array([ 1, -2], dtype=int4)"),
        ("out = jnp.array([1.5, 2], dtype=jnp.float8_e4m3fn)", "Array([1.5, 2], dtype=float8_e4m3fn)"),
    ],
)
def test_value_printed_in_a_narrow_dtype_is_read_back(engine, code, printed):
    assert_right(grade(engine, Task("value", code), printed))


@pytest.mark.parametrize(
    ("answer", "difference"),
    [
        ("[3.0, 3.1]", "values differ at [1]: you said 3.1, it is 3.0"),
        ("[3.0]", "shape is (2,), yours is (1,)"),
        ("3.0", "shape is (2,), yours is ()"),
        ("[[3.0, 3.0]]", "shape is (2,), yours is (1, 2)"),
        ("'three'", "cannot be read as an array of numbers"),
        ("None", "cannot be read as an array of numbers"),
    ],
)
def test_value_wrong(engine, answer, difference):
    assert_wrong(grade(engine, FULL, answer), difference)


def test_value_difference_names_the_first_index_that_differs(engine):
    task = Task("value", "out = jnp.array([[1.0, 0.5], [3.0, 4.0]])")
    verdict = grade(engine, task, "[[1.0, 1.0], [3.0, 5.0]]")
    assert_wrong(verdict, "values differ at [0, 1]: you said 1.0, it is 0.5")
    assert verdict.truth.shape == (2, 2)
    assert "0.5" in verdict.truth.preview


def test_value_integers_are_exact(engine):
    task = Task("value", "out = jnp.array([1, 2])", rtol=0.5, atol=0.5)
    assert_right(grade(engine, task, "[1, 2]"))
    assert_right(grade(engine, task, "[1.0, 2.0]"))
    assert_wrong(grade(engine, task, "[1, 2.0001]"), "values differ at [1]")


def test_value_booleans_are_exact(engine):
    task = Task("value", "out = jnp.array([1, 2, 3]) > 1")
    assert_right(grade(engine, task, "[False, True, True]"))
    assert_wrong(grade(engine, task, "[True, True, True]"), "values differ at [0]")


def test_value_tolerance_comes_from_the_question(engine):
    loose = Task("value", "out = jnp.array([1.0, 2.0])", rtol=0.1, atol=0.0)
    strict = Task("value", "out = jnp.array([1.0, 2.0])")
    assert_right(grade(engine, loose, "[1.05, 2.1]"))
    assert_wrong(grade(engine, strict, "[1.05, 2.1]"), "values differ at [0]")
    assert_wrong(grade(engine, loose, "[1.2, 2.0]"), "values differ at [0]: you said 1.2, it is 1.0")


def test_value_of_a_float32_sum_matches_the_decimal_answer(engine):
    assert_right(grade(engine, Task("value", "out = jnp.array([0.1, 0.2]) + 0.1"), "[0.2, 0.3]"))


def test_value_nan_matches_nan(engine):
    task = Task("value", "out = jnp.array([1.0, jnp.nan])")
    assert_right(grade(engine, task, "[1.0, nan]"))
    assert_right(grade(engine, task, "[1.0, jnp.nan]"))
    assert_wrong(grade(engine, task, "[1.0, 2.0]"), "values differ at [1]")


def test_value_a_list_is_not_a_tuple(engine):
    list_task = Task("value", "out = [1, 2]")
    assert_right(grade(engine, list_task, "[1, 2]"))
    said = "structure differs: the result is a list of 2, yours is a tuple: write it in square brackets"
    assert_wrong(grade(engine, list_task, "(1, 2)"), said)
    tuple_task = Task("value", "out = (jnp.zeros(2), 1)")
    assert_right(grade(engine, tuple_task, "([0.0, 0.0], 1)"))
    said = "the result is a tuple of 2, yours is a list: write it in round brackets, (...)"
    assert_wrong(grade(engine, tuple_task, "[jnp.zeros(2), 1]"), said)
    assert_wrong(grade(engine, tuple_task, "[jnp.zeros(2), 1, 2]"), "yours is list with 3 leaves")
    assert_wrong(grade(engine, tuple_task, "jnp.zeros(2)"), "yours is a single array")


def test_value_container_leaves_compare_as_arrays(engine):
    task = Task("value", "out = (jnp.zeros(2), 1)")
    assert_wrong(grade(engine, task, "([0, 1], 1)"), "at [0]: values differ at [1]: you said 1, it is 0.0")
    assert_wrong(grade(engine, task, "([0, 0, 0], 1)"), "at [0]: shape is (2,), yours is (3,)")


def test_value_dicts(engine):
    task = Task("value", "out = {'a': jnp.ones(2), 'b': 2}")
    assert_right(grade(engine, task, "{'a': [1.0, 1.0], 'b': 2}"))
    assert_right(grade(engine, task, "{'b': 2, 'a': jnp.ones(2)}"))
    assert_wrong(
        grade(engine, task, "{'a': [1.0, 1.0], 'b': 3}"), "at ['b']: values differ: you said 3, it is 2"
    )
    assert_wrong(grade(engine, task, "{'a': [1.0, 1.0]}"), "structure differs")
    assert_wrong(grade(engine, task, "{'a': [1.0, 1.0], 'c': 2}"), "structure differs")


def test_value_of_a_python_scalar(engine):
    task = Task("value", "out = jnp.arange(4).sum().item()")
    assert_right(grade(engine, task, "6"))
    assert_wrong(grade(engine, task, "5"), "values differ: you said 5, it is 6")


def test_value_of_keys_compares_their_data(engine):
    task = Task("value", "out = jr.split(jr.key(0))")
    assert_right(grade(engine, task, "jr.split(jr.key(0))"))
    assert_wrong(grade(engine, task, "jr.split(jr.key(1))"), "values differ at [0, ")
    data = Task("value", "out = jr.key_data(jr.key(0))")
    assert_wrong(grade(engine, data, "jr.key(0)"), "cannot be read as an array")  # not its data
    # nor its data a typed key: the mix-up the PRNG deck teaches
    key = Task("value", "out = jr.key(0)")
    numbers = "it is a typed key (dtype key<fry>, shape ()), you said [0, 0]: plain numbers"
    assert_wrong(grade(engine, key, "[0, 0]"), numbers)
    assert_wrong(grade(engine, key, "jr.PRNGKey(0)"), "you said Array([0, 0], dtype=uint32): plain numbers")


def test_value_of_a_pytree_that_cannot_be_rebuilt_is_still_compared(engine):
    # The truth is copied to the host when prepared by rebuilding the pytree around numpy
    # leaves: a class that refuses is compared as it is.
    task = Task(
        "value",
        "@jax.tree_util.register_pytree_node_class\n"
        "class Box:\n"
        "    def __init__(self, x):\n"
        "        self.x = x\n"
        "    def tree_flatten(self):\n"
        "        return (self.x,), None\n"
        "    @classmethod\n"
        "    def tree_unflatten(cls, aux, children):\n"
        "        raise ValueError('a Box is never rebuilt')\n"
        "out = Box(jnp.ones(2))",
    )
    verdict = engine.grade(task, "[1.0, 1.0]", engine.prepare(task))
    assert_wrong(verdict, "structure differs")


def test_value_typed_as_json_or_python_reads_the_same(engine):
    task = Task("value", "out = (jnp.arange(3) * 0.5, 2)")
    for answer in ("([0, 0.5, 1e0], 2)", "([0., .5, 1.], +2)", "[[0, 0.5, 1.0], 2]"):
        verdict = grade(engine, task, answer)
        if answer.startswith("("):
            assert_right(verdict)
        else:  # a list is not a tuple, however it is written
            assert_wrong(verdict, "structure differs")
    flat = Task("value", "out = jnp.array([-1.5, 2e3])")
    assert_right(grade(engine, flat, "[-1.5, 2e3]"))  # JSON's syntax
    assert_right(grade(engine, flat, "[-1.5, 2.e3]"))  # Python's only
    assert_wrong(grade(engine, flat, "[-1.5, 2e-3]"), "values differ at [1]")
    assert grade(engine, flat, "[[[" * 2000 + "]]]" * 2000).status == "unreadable"


# --- raises ---------------------------------------------------------------------------------

JIT_IF = Task(
    "raises",
    "@jax.jit\ndef f(x):\n    return 1.0 if x > 0 else -1.0\nf(1.0)",
    answer=None,
)
SET_ITEM = Task("raises", "x = jnp.zeros(3)\nx[0] = 1", answer=None)
NOTHING = Task("raises", "out = jnp.zeros(3)", answer=None)


@pytest.mark.parametrize(
    "answer",
    [
        "TracerBoolConversionError",
        "jax.errors.TracerBoolConversionError",
        "jax._src.errors.TracerBoolConversionError",  # where jax defines it
    ],
)
def test_raises_class_name_with_or_without_module(engine, answer):
    verdict = grade(engine, JIT_IF, answer)
    assert_right(verdict)
    assert verdict.understood == "jax.errors.TracerBoolConversionError"
    assert verdict.note == ""
    assert verdict.truth.exception == "jax.errors.TracerBoolConversionError"
    assert "jax.errors.ConcretizationTypeError" in verdict.truth.exception_bases


def test_raises_accepts_a_jax_base_class_and_says_so(engine):
    verdict = grade(engine, JIT_IF, "ConcretizationTypeError")
    assert_right(verdict)
    assert verdict.understood == "jax.errors.ConcretizationTypeError"
    assert "jax.errors.TracerBoolConversionError was raised" in verdict.note
    assert "subclass of jax.errors.ConcretizationTypeError" in verdict.note


CHECKIFY_THROW = Task(
    "raises",
    "from jax.experimental import checkify\n"
    "def positive(x):\n"
    "    checkify.check(x > 0, 'x must be positive')\n"
    "    return x\n"
    "err, out = checkify.checkify(positive)(-1.0)\n"
    "err.throw()",
)


def test_a_jax_error_is_named_where_it_is_public_not_after_another_class_of_its_name(engine):
    verdict = grade(engine, CHECKIFY_THROW, "JaxRuntimeError")
    assert_right(verdict)
    # checkify's JaxRuntimeError is a ValueError; jax.errors.JaxRuntimeError is a RuntimeError
    assert verdict.truth.exception == "jax.experimental.checkify.JaxRuntimeError"
    assert_wrong(grade(engine, CHECKIFY_THROW, "RuntimeError"), "it raises jax.experimental.checkify")
    # its module as the code imports it
    assert_right(grade(engine, CHECKIFY_THROW, "checkify.JaxRuntimeError"))
    assert_wrong(grade(engine, CHECKIFY_THROW, "errors.JaxRuntimeError"), "errors holds no such class")


@pytest.mark.parametrize(
    ("task", "answer", "difference"),
    [
        (JIT_IF, "TypeError", "it raises jax.errors.TracerBoolConversionError, not TypeError"),
        (JIT_IF, "none", "it raises jax.errors.TracerBoolConversionError"),
        (SET_ITEM, "ValueError", "it raises TypeError, not ValueError"),
        (NOTHING, "TypeError", "nothing was raised"),
        # the module is optional, but one written must hold the class
        (
            JIT_IF,
            "numpy.TracerBoolConversionError",
            "it raises jax.errors.TracerBoolConversionError: numpy holds no such class",
        ),
        (JIT_IF, "foo.bar.TracerBoolConversionError", "foo.bar holds no such class"),
        (JIT_IF, "jnp.ConcretizationTypeError", "jnp holds no such class"),
        (SET_ITEM, "np.TypeError", "it raises TypeError: np holds no such class"),
    ],
)
def test_raises_wrong(engine, task, answer, difference):
    assert_wrong(grade(engine, task, answer), difference)


def test_raises_builtin_with_module_prefix(engine):
    assert_right(grade(engine, SET_ITEM, "builtins.TypeError"))


@pytest.mark.parametrize("answer", ["none", "None", "nothing"])
def test_raises_none_when_nothing_is_raised(engine, answer):
    verdict = grade(engine, NOTHING, answer)
    assert_right(verdict)
    assert verdict.understood == "none"


# A bad reshape raises TypeError: whether it fails is the lesson, not which class JAX picked.
RESHAPE_ANY = Task("raises", "out = jnp.zeros(6).reshape(4, 2)", answer=None, exception="any")
RESHAPE_EXACT = replace(RESHAPE_ANY, exception="exact")
NOTHING_ANY = replace(NOTHING, exception="any")


@pytest.mark.parametrize("answer", ["error", "an error", "Exception", "ValueError", "EinopsError"])
def test_raises_any_accepts_error_or_any_class_and_names_the_real_one(engine, answer):
    verdict = grade(engine, RESHAPE_ANY, answer)
    assert_right(verdict)
    assert verdict.truth.exception == "TypeError"
    assert "it raises TypeError; this question asks only whether the code fails" in verdict.note


@pytest.mark.parametrize("answer", ["TypeError", "BaseException"])
def test_raises_any_naming_the_raised_class_or_a_base_is_read_as_named_with_no_note(engine, answer):
    verdict = grade(engine, RESHAPE_ANY, answer)
    assert_right(verdict)
    assert verdict.understood == answer and verdict.note == ""


@pytest.mark.parametrize(
    ("task", "answer", "difference"),
    [
        (RESHAPE_ANY, "none", "it raises TypeError"),
        (NOTHING_ANY, "error", "nothing was raised"),
        (NOTHING_ANY, "TypeError", "nothing was raised"),
        # under `exact` (the default) another real class, or `error`, stays wrong
        (RESHAPE_EXACT, "ValueError", "it raises TypeError, not ValueError"),
        (RESHAPE_EXACT, "error", "this question asks which class, so name it"),
    ],
)
def test_raises_any_and_exact_wrong(engine, task, answer, difference):
    assert_wrong(grade(engine, task, answer), difference)


@pytest.mark.parametrize("answer", ["Banana", "BlahError"])
def test_raises_any_sends_back_a_name_that_is_no_exception_class(engine, answer):
    """Under `any` a typo, or a class no module has, is not graded right just because the code
    raised: it is sent back."""
    verdict = grade(engine, RESHAPE_ANY, answer)
    assert verdict.status == "unreadable" and not verdict.correct
    assert f"'{answer}' is not the name of an exception class" in (verdict.error or "")


def test_raises_any_with_nothing_raised_takes_none(engine):
    assert_right(grade(engine, NOTHING_ANY, "none"))


def test_the_exception_key_reaches_the_task():
    fields = {"id": "q", "type": "raises", "prompt": "p", "code": "x = 1", "expect": "none"}
    assert task_of(RaisesQuestion.model_validate(fields)).exception == "exact"
    question = RaisesQuestion.model_validate({**fields, "exception": "any"})
    assert task_of(question).exception == "any"


def test_raises_from_the_answer_expression(engine):
    task = Task("raises", "out = [1, 2, 3]", answer="out[5]")
    assert_right(grade(engine, task, "IndexError"))


# --- fill -----------------------------------------------------------------------------------

AXES = Task(
    "fill",
    "pos = jnp.zeros((4, 2))\nout = jax.vmap(lambda p, dt: p + dt, in_axes=___)(pos, 0.1)",
    solution="(0, None)",
)


@pytest.mark.parametrize("answer", ["(0, None)", "[0, None]", "(0, None,)", " (0,None) "])
def test_fill_accepts_every_answer_with_the_same_result(engine, answer):
    verdict = grade(engine, AXES, answer)
    assert_right(verdict)
    assert verdict.understood == answer.strip()


def test_fill_rejects_a_different_result(engine):
    assert_wrong(grade(engine, AXES, "(1, None)"), "shape is (4, 2), yours is (2, 4)")


def test_fill_an_answer_that_raises_is_wrong_and_shows_the_error(engine):
    verdict = grade(engine, AXES, "(0, 0)")
    assert_wrong(verdict, "with your answer the code raises ValueError")
    assert "vmap" in verdict.error
    assert "line 2" in verdict.traceback


def test_fill_a_name_of_the_prelude_without_its_module_is_sent_back_with_it(engine):
    task = Task("fill", "img = jnp.array([1.7, 2.2])\nout = img.astype(___)\n", solution="jnp.int32")
    verdict = grade(engine, task, "int32")
    assert verdict.status == "unreadable" and not verdict.correct, verdict
    assert verdict.error == "name 'int32' is not defined: did you mean jnp.int32?"
    other = grade(engine, task, "undefined_thing")  # no such function: the answer is wrong
    assert other.status == "graded" and not other.correct and "NameError" in other.difference


def test_fill_an_answer_that_does_not_parse_is_wrong_with_the_syntax_error(engine):
    verdict = grade(engine, AXES, "(0, None")
    assert_wrong(verdict, "raises SyntaxError")
    assert "never closed" in verdict.error


def test_fill_output_of_the_learners_run_is_captured(engine):
    task = Task("fill", "out = ___", solution="1")
    verdict = grade(engine, task, "print('hello') or 1")
    assert_right(verdict)
    assert "hello" in verdict.output


BODY = Task(
    "fill",
    "def double(x):\n    ___\nout = double(jnp.arange(3))",
    solution="y = x * 2\nreturn y",
    input="block",
)


@pytest.mark.parametrize(
    "answer", ["y = x * 2\nreturn y", "return x + x", "\nreturn 2 * x\n", "if True:\n    return x * 2"]
)
def test_fill_block_lines_are_indented_to_the_blank(engine, answer):
    assert_right(grade(engine, BODY, answer))


def test_fill_block_wrong_body(engine):
    assert_wrong(grade(engine, BODY, "return x"), "values differ at [1]: yours gives 1, the solution 2")


def test_fill_block_bad_indentation_is_wrong_not_a_crash(engine):
    verdict = grade(engine, BODY, "y = 2\n  return y")
    assert_wrong(verdict, "IndentationError")


def test_fill_compare_shape(engine):
    task = Task("fill", "out = jnp.ones(___)", solution="(3, 2)", compare="shape")
    assert_right(grade(engine, task, "[3, 2]"))
    assert_right(
        grade(engine, Task("fill", "out = jnp.ones(___) * 5", solution="(3, 2)", compare="shape"), "(3, 2)")
    )
    assert_wrong(grade(engine, task, "(2, 3)"), "shape is (3, 2), yours is (2, 3)")


def test_fill_uses_the_deck_setup(engine):
    task = Task("fill", "out = base * ___", solution="2", setup="base = jnp.arange(3)")
    assert_right(grade(engine, task, "(1 + 1)"))
    assert_wrong(grade(engine, task, "3"), "values differ at [1]")


# --- options and parameters, from a deck ----------------------------------------------------


@pytest.fixture(scope="module")
def fixture_deck():
    return load_deck_file(FIXTURES / "every-type.yaml")


@pytest.mark.parametrize("n", [2, 5])
def test_options_are_graded_as_if_typed(engine, fixture_deck, n):
    question = instantiate(fixture_deck.deck.question("shape-param"), {"N": n})
    task = task_of(question, fixture_deck.deck.setup)
    prepared = engine.prepare(task)
    assert prepared.outcome.shape == (n, 2)
    verdicts = [engine.grade(task, option, prepared) for option in question.options]
    assert [v.correct for v in verdicts] == [True, False]
    assert all(v.timings.execute_ms == 0.0 for v in verdicts)  # prepared: only compared
    engine.forget(prepared)


def test_a_question_with_a_range_parameter_and_setup(engine, fixture_deck):
    question = instantiate(fixture_deck.deck.question("value-range"), {"K": 3})
    task = task_of(question, fixture_deck.deck.setup)
    assert (task.rtol, task.atol) == (0.0, 0.0)
    assert_right(grade(engine, task, question.expect))
    assert_right(grade(engine, task, "[3, 4, 5]"))
    assert_wrong(grade(engine, task, "[1, 2, 3]"), "values differ at [0]: you said 1, it is 3")


def test_the_verdict_says_which_device_ran_it_and_how_long(engine):
    verdict = grade(engine, SHAPE_3_2, "(3, 2)")
    assert verdict.device == verdict.truth.device
    assert verdict.device == "cpu" or ":" in verdict.device
    assert verdict.timings.total_ms > 0


# --- answers that cannot be read, and questions that fail ---------------------------------------


@pytest.mark.parametrize(
    ("task", "answer", "words"),
    [
        (SHAPE_3_2, "abc", "'abc' is not a whole number"),
        (SHAPE_3_2, "", "empty answer"),
        (SHAPE_3_2, "(3, 2", "unbalanced brackets"),
        (Task("dtype", "out = jnp.zeros(3)"), "floaty", "'floaty' is not a dtype JAX knows"),
        (Task("dtype", "out = jnp.zeros(3)"), "float 32", "is not a dtype name"),
        (FULL, "[3.0,", "cannot read '[3.0,'"),
        (FULL, "", "empty answer"),
        (FULL, "undefined_name", "NameError"),
        (FULL, "1 / 0", "ZeroDivisionError"),
        (JIT_IF, "Type Error", "is not an exception class name"),
        # a typo of a class name is sent back, whether the code raises or not
        (SET_ITEM, "TypeErorr", "'TypeErorr' is not the name of an exception class: did you mean TypeError?"),
        (NOTHING, "ValueEror", "'ValueEror' is not the name of an exception class: did you mean ValueError?"),
        (NOTHING, "Frobnicate", "'Frobnicate' is not the name of an exception class (in Python"),
        (SET_ITEM, "typeerror", "'typeerror' is not the name of an exception class: did you mean TypeError?"),
        (JIT_IF, "tracerboolconversionerror", "did you mean TracerBoolConversionError?"),
    ],
)
def test_an_unreadable_answer_gets_a_message_not_a_traceback(engine, task, answer, words):
    verdict = grade(engine, task, answer)
    assert verdict.status == "unreadable"
    assert not verdict.correct
    assert words in verdict.error
    assert "Traceback" not in verdict.error
    assert verdict.answer == answer


@pytest.mark.parametrize(
    ("task", "words"),
    [
        (Task("shape", "out = undefined_thing"), "the question's own code raised NameError"),
        (Task("value", "out = 1 / 0"), "the question's own code raised ZeroDivisionError"),
        (Task("shape", "out = 'text'"), "the result (str) has no shape"),
        (Task("dtype", "out = 3"), "the result (int) has no dtype"),
        (Task("fill", "out = undefined + ___", solution="1"), "the question's own code raised NameError"),
    ],
)
def test_a_failing_question_is_a_question_error(engine, task, words):
    verdict = grade(engine, task, "1")
    assert verdict.status == "question-error"
    assert not verdict.correct
    assert words in verdict.error


def test_a_question_error_shows_the_questions_own_line(engine):
    verdict = grade(engine, Task("shape", "x = 1\ny = x + undefined_thing\nout = y"), "()")
    assert verdict.status == "question-error"
    assert "line 2: y = x + undefined_thing" in verdict.traceback
