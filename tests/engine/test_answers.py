"""The parsers of typed answers for shape, dtype and raises questions (pure Python, no jax)."""

from __future__ import annotations

import pytest

from jaxquiz.engine.answers import (
    UnreadableAnswer,
    format_shape,
    normalise_dtype,
    parse_raises,
    parse_shape,
)


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        # every spelling DECK_FORMAT.md lists
        ("(100, 2)", (100, 2)),
        ("100, 2", (100, 2)),
        ("[100, 2]", (100, 2)),
        ("(100,2,)", (100, 2)),
        ("100", (100,)),
        ("()", ()),
        ("scalar", ()),
        # and their neighbours
        ("  ( 100 ,  2 )  ", (100, 2)),
        ("(100,)", (100,)),
        ("100,", (100,)),
        ("[100]", (100,)),
        ("[]", ()),
        ("( )", ()),
        ("Scalar", ()),
        ("(0, 3)", (0, 3)),
        ("(2, 3, 4, 5)", (2, 3, 4, 5)),
    ],
)
def test_parse_shape_accepts(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty answer"),
        ("   ", "empty answer"),
        ("(3, 2", "unbalanced brackets"),
        ("3, 2)", "unbalanced brackets"),
        ("(3, 2]", "unbalanced brackets"),
        ("abc", "'abc' is not a whole number"),
        ("(3.0, 2)", "'3.0' is not a whole number"),
        ("(-1, 2)", "'-1' is not a whole number"),
        ("(N, 2)", "'N' is not a whole number"),
        ("3,,2", "a size is missing between two commas"),
        ("(²,)", "'²' is not a whole number"),
        ("((3, 2))", "'(3' is not a whole number"),
        ("3 2", "'3 2' is not a whole number"),
    ],
)
def test_parse_shape_rejects_with_a_message_that_shows_how(text, words):
    with pytest.raises(UnreadableAnswer) as info:
        parse_shape(text)
    message = str(info.value)
    assert words in message
    assert "(100, 2)" in message  # the examples of what to write


def test_format_shape_prints_like_python():
    assert [format_shape(s) for s in [(), (3,), (2, 3)]] == ["()", "(3,)", "(2, 3)"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("float32", "float32"),
        ("jnp.float32", "float32"),
        ("jax.numpy.float32", "float32"),
        ("np.int32", "int32"),
        ("numpy.int32", "int32"),
        ("bool", "bool"),
        ("jnp.bool_", "bool"),
        ("np.bool_", "bool"),
        (" bool ", "bool"),
        ("`bfloat16`", "bfloat16"),
        ("'int8'", "int8"),
        ("dtype('float32')", "float32"),
        ("key<fry>", "key<fry>"),
        ("jax.dtypes.prng_key", "prng_key"),
        ("f4", "f4"),  # numpy's short names are left for the worker's dtype check
    ],
)
def test_normalise_dtype(text, name):
    assert normalise_dtype(text) == name


@pytest.mark.parametrize("text", ["", "  ", "float 32", "jnp.", "int32!", "key<Fry>", "key<>", "3"])
def test_normalise_dtype_rejects(text):
    with pytest.raises(UnreadableAnswer) as info:
        normalise_dtype(text)
    assert "is not a dtype name" in str(info.value)
    assert "float32" in str(info.value)


@pytest.mark.parametrize(
    ("text", "widths"),
    [("float", "float32 or float64"), ("jnp.int", "int32 or int64"), ("complex", "complex64")],
)
def test_a_dtype_without_its_width_is_sent_back(text, widths):
    """numpy reads `float` as float64 and JAX as float32: neither is what the learner said."""
    with pytest.raises(UnreadableAnswer) as info:
        normalise_dtype(text)
    assert f"{text!r} has no width: write {widths}" in str(info.value)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("TypeError", "TypeError"),
        (" TypeError ", "TypeError"),
        ("TypeError()", "TypeError"),
        ("`ValueError`", "ValueError"),
        ("jax.errors.TracerBoolConversionError", "jax.errors.TracerBoolConversionError"),
        ("ConcretizationTypeError", "ConcretizationTypeError"),
        ("none", None),
        ("None", None),
        ("NONE", None),
        ("nothing", None),
        ("no error", None),
        ("no exception", None),
        # "it fails", for `exception: any` questions
        ("error", "error"),
        ("An Error", "error"),
        ("it  raises", "error"),
        ("exception", "error"),
    ],
)
def test_parse_raises(text, name):
    assert parse_raises(text) == name


@pytest.mark.parametrize("text", ["", "Type Error", "TypeError: bad", "jax..errors.X", "1Error", "raise X"])
def test_parse_raises_rejects(text):
    with pytest.raises(UnreadableAnswer) as info:
        parse_raises(text)
    message = str(info.value)
    assert "is not an exception class name" in message
    assert "`none`" in message
