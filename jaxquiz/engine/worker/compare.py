"""Comparing a learner's answer with the executed truth, per question type.

Each function returns a `Comparison`: right or not, the answer as understood, and the precise
difference in words. An answer that cannot be read raises `UnreadableAnswer`.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import difflib
import functools
import json
import re
import sys
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jaxquiz.engine import answers
from jaxquiz.engine.answers import UnreadableAnswer, format_shape
from jaxquiz.engine.worker import describe, sandbox


@dataclass(frozen=True)
class Comparison:
    correct: bool
    understood: str
    difference: str = ""
    note: str = ""


# --- shape ----------------------------------------------------------------------------------


def compare_shape(truth: Any, text: str) -> Comparison:
    actual = describe.shape_of(truth)
    if actual is None:  # a deck bug: say so whatever the learner typed
        raise QuestionError(f"the result ({type(truth).__name__}) has no shape")
    said = answers.parse_shape(text)
    return Comparison(said == actual, format_shape(said), shape_difference(said, actual))


def shape_difference(said: tuple[int, ...], actual: tuple[int, ...]) -> str:
    if said == actual:
        return ""
    if len(said) != len(actual):
        return f"it has {len(actual)} axes {format_shape(actual)}, you said {len(said)} {format_shape(said)}"
    # Every axis that differs: a swap, (4, 5) for (5, 4), is two.
    return "; ".join(
        f"axis {axis}: you said {a}, it is {b}"
        for axis, (a, b) in enumerate(zip(said, actual, strict=True))
        if a != b
    )


# --- dtype ----------------------------------------------------------------------------------


def compare_dtype(truth: Any, text: str) -> Comparison:
    # the result's dtype, or the result itself when it is one (`answer: x.dtype`)
    actual = truth if isinstance(truth, np.dtype) or _is_a_key_dtype(truth) else getattr(truth, "dtype", None)
    if actual is None:  # a deck bug: say so whatever the learner typed
        raise QuestionError(f"the result ({type(truth).__name__}) has no dtype")
    name = answers.normalise_dtype(text)
    if name.startswith("key<"):
        said_text = name
        correct = str(actual) == name
    else:
        try:
            said = jnp.dtype(name)
        except TypeError:
            meant = (
                difflib.get_close_matches(name.lower(), _DTYPE_NAMES, n=1, cutoff=0.75)
                if len(name) <= 40
                else []
            )
            if meant:
                raise UnreadableAnswer(
                    f"{text!r} is not a dtype JAX knows: did you mean {meant[0]}?"
                ) from None
            raise UnreadableAnswer(
                f"{text!r} is not a dtype JAX knows: try float32, int32, bool, bfloat16, "
                "or key<fry> (the dtype of jr.key(0))"
            ) from None
        said_text = str(said)
        correct = not is_key(actual) and np.dtype(actual) == said
    difference = "" if correct else f"dtype is {actual}, not {said_text}"
    return Comparison(correct, said_text, difference)


# What a dtype typo is compared with (as JAX prints dtypes).
_DTYPE_NAMES = [
    *(f"{kind}{bits}" for kind in ("int", "uint") for bits in (8, 16, 32, 64)),
    *(f"float{bits}" for bits in (16, 32, 64)),
    "bfloat16",
    "complex64",
    "complex128",
    "bool",
]


def is_key(dtype: Any) -> bool:
    """Whether `dtype` is that of PRNG keys (cached: asked of every result compared)."""
    try:
        return _is_key_dtype(dtype)
    except TypeError:  # not hashable: not a dtype of JAX or numpy
        return False


def _is_a_key_dtype(value: Any) -> bool:
    """Whether `value` is itself the dtype of PRNG keys (not an array of keys)."""
    return not hasattr(value, "dtype") and not isinstance(value, type) and is_key(value)


@functools.cache
def _is_key_dtype(dtype: Any) -> bool:
    return bool(jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key))


# --- raises ---------------------------------------------------------------------------------


def compare_raises(raised: BaseException | None, text: str, exception: str = "exact") -> Comparison:
    """`exception`: `exact` wants the raised class (or a JAX base of it) named; `any` wants only
    to hear that the code fails, so `error` or any exception class is right when it raised."""
    name = answers.parse_raises(text)
    if raised is None:
        if name is None:
            return Comparison(True, "none")
        if name != answers.ANY_ERROR:
            _check_names_an_exception(name)
        return Comparison(False, name, "nothing was raised: the code runs without an error")
    cls = type(raised)
    actual = describe.class_path(cls)
    if name is None:
        return Comparison(False, "none", f"it raises {actual}")
    short = name.rsplit(".", 1)[-1]
    if exception == "any":
        return _any_exception(cls, actual, name, short)
    if short == cls.__name__:
        return _with_its_prefix(name, cls) or Comparison(True, actual)
    bases = [b for b in cls.__mro__[1:] if b.__module__.startswith("jax")]
    for base in bases:
        if short == base.__name__:
            return _with_its_prefix(name, base) or Comparison(
                True,
                describe.class_path(base),
                note=f"{actual} was raised; it is a subclass of {describe.class_path(base)}, "
                "so your answer counts",
            )
    if name == answers.ANY_ERROR:
        return Comparison(False, name, f"it raises {actual}: this question asks which class, so name it")
    _check_names_an_exception(name)
    hint = (
        "" if _is_known_exception(short) else f" ({short} is not an exception class of Python or jax.errors)"
    )
    return Comparison(False, name, f"it raises {actual}, not {name}{hint}")


# How the prelude names modules, as a learner may write them before a class.
_MODULE_ALIASES = {"np": "numpy", "jnp": "jax.numpy", "lax": "jax.lax", "jr": "jax.random", "eqx": "equinox"}


def _with_its_prefix(name: str, cls: type) -> Comparison | None:
    """A wrong verdict when `name` puts the right class name after a module that does not hold
    that class (`numpy.TracerBoolConversionError`); None when it has no prefix or the prefix
    holds it. Only modules already imported are looked in: the class's own are."""
    prefix, _, short = name.rpartition(".")
    if not prefix:
        return None
    head, dot, rest = prefix.partition(".")
    written = _MODULE_ALIASES.get(head, head) + dot + rest
    # the whole name, or its end as code imports it (`checkify` for jax.experimental.checkify)
    homes = [module for found, module in list(sys.modules.items()) if f".{found}".endswith(f".{written}")]
    if any(getattr(module, short, None) is cls for module in homes):
        return None
    return Comparison(False, name, f"it raises {describe.class_path(cls)}: {prefix} holds no such class")


def _any_exception(cls: type, actual: str, name: str, short: str) -> Comparison:
    named = next((base for base in cls.__mro__ if base.__name__ == short), None)
    if named is not None:  # the class raised, or one of its bases (LookupError for IndexError)
        return Comparison(True, describe.class_path(named))
    if name != answers.ANY_ERROR:
        _check_names_an_exception(name)  # a typo, or a made-up class, is sent back, not graded
    return Comparison(
        True,
        name,
        note=f"it raises {actual}; this question asks only whether the code fails, "
        "so any exception class counts",
    )


def _is_known_exception(short: str) -> bool:
    known = getattr(builtins, short, None) or getattr(jax.errors, short, None)
    return isinstance(known, type) and issubclass(known, BaseException)


def _check_names_an_exception(name: str) -> None:
    """A name that is no exception class in any module loaded is a typo: sent back, not graded.

    Only asked of a wrong answer, so a right one never pays for the search.
    """
    short = name.rsplit(".", 1)[-1]
    for module in list(sys.modules.values()):
        found = getattr(module, short, None)
        if isinstance(found, type) and issubclass(found, BaseException):
            return
    meant = _exception_meant(short)
    if meant is not None:
        raise UnreadableAnswer(f"{name!r} is not the name of an exception class: did you mean {meant}?")
    raise UnreadableAnswer(
        f"{name!r} is not the name of an exception class (in Python, jax or any module loaded): "
        "check the spelling, e.g. TypeError or ConcretizationTypeError, `error` when any class will "
        "do, or `none` if nothing is raised"
    )


def _exception_meant(short: str) -> str | None:
    """The class of Python or jax.errors that `short` names but for its case (IndexError), or
    for a slip of the keys (TypeErorr)."""
    lowered = short.lower()
    known = [c for module in (builtins, jax.errors) for c in dir(module) if _is_known_exception(c)]
    for candidate in known:
        if candidate.lower() == lowered:
            return candidate
    close = difflib.get_close_matches(short, known, n=1, cutoff=0.85) if len(short) <= 100 else []
    return close[0] if close else None


# --- value ----------------------------------------------------------------------------------


def narrow_dtypes() -> dict[str, Any]:
    """The narrow types of ml_dtypes that jax.numpy exports (int4, float8_e4m3fn, ...), by the
    names JAX prints them with."""
    import ml_dtypes  # jax's own dependency

    found: dict[str, Any] = {}
    for name in dir(ml_dtypes):
        kind = getattr(jnp, name, None) if not name.startswith("_") else None
        with contextlib.suppress(TypeError):
            if kind is not None and np.dtype(kind).kind != "O":  # a scalar type, not finfo
                found[name] = kind
    return found


# What JAX and numpy print can be typed back: Array([3., 3.], dtype=float32).
_REPR_NAMES: dict[str, Any] = {
    "Array": lambda data, dtype=None, weak_type=None: np.asarray(data, dtype=dtype),
    "array": lambda data, dtype=None: np.asarray(data, dtype=dtype),
    "inf": np.inf,
    "nan": np.nan,
    **{
        name: getattr(jnp, name)
        for name in (
            "float16",
            "bfloat16",
            "float32",
            "float64",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "complex64",
            "complex128",
        )
    },
    **narrow_dtypes(),
}


# Only digits, signs, points, exponents, commas and brackets: no name, string or tuple (where
# JSON and Python read text differently: true, NaN, {"a": 1}).
_NUMBERS = re.compile(r"[\d.,eE+\-\[\]\s]+")


def read_value(text: str) -> Any:
    """Evaluate a learner's value answer: a literal, an expression, or a printed array."""
    if not text.strip():
        raise UnreadableAnswer("empty answer: type a value such as [1, 2] or jnp.ones(3)")
    text = text.strip()
    if _NUMBERS.fullmatch(text):
        # Numbers and lists of them, written as JSON writes them, read the same in JSON and in
        # Python, and JSON's reader is the quicker.
        with contextlib.suppress(ValueError, RecursionError):  # not JSON after all
            return json.loads(text)
    try:
        # Plain data ([1, 2], (3.0, True)) is the same in any namespace and runs no code: it needs
        # neither a fresh module nor the state guard around it, which cost most of a verdict.
        return ast.literal_eval(text)
    except Exception:
        pass  # code, or not readable: the sandbox evaluates it and words any error
    try:
        return sandbox.evaluate(text, _REPR_NAMES)
    except SyntaxError as error:
        raise UnreadableAnswer(f"cannot read {text!r}: {error.msg}") from None
    except Exception as error:
        meant = (
            _PYTHON_SPELLING.get(getattr(error, "name", None) or "") if isinstance(error, NameError) else None
        )
        hint = f": did you mean {meant}?" if meant else ""
        raise UnreadableAnswer(f"evaluating {text!r} raised {type(error).__name__}: {error}{hint}") from None


# Words of other languages (JSON, YAML) for Python's constants.
_PYTHON_SPELLING = {"true": "True", "false": "False", "null": "None", "none": "None", "nan": "jnp.nan"}


def on_host(truth: Any) -> Any:
    """The result with each array copied to the host as numpy, as `compare_value` reads it:
    done once when a question is prepared, while the learner reads, rather than in each verdict.
    Keys stay keys (a key is not its data); the result as it is when it cannot be copied."""

    def copy(leaf: Any) -> Any:
        if not describe.is_array(leaf) or is_key(leaf.dtype):
            return leaf
        return np.asarray(leaf)

    try:
        return copy(truth) if _is_leaf(truth) else jax.tree.map(copy, truth)
    except BaseException:  # a pytree of the question's own that does not rebuild (with anything)
        return truth


def compare_value(truth: Any, text: str, rtol: float, atol: float) -> Comparison:
    said = read_value(text)
    return compare_results(truth, said, rtol, atol, understood=describe.preview(said))


# How a difference names the two sides: a value typed, or the result a fill's answer gave.
TYPED = ("you said", "it is")
FILLED = ("yours gives", "the solution")


def compare_results(
    truth: Any,
    said: Any,
    rtol: float,
    atol: float,
    *,
    understood: str = "",
    sides: tuple[str, str] = TYPED,
) -> Comparison:
    """Structure must match exactly; leaves compare as arrays (allclose, exact for ints/bools)."""
    if _is_leaf(truth):
        difference = leaf_difference(truth, said, rtol, atol, sides)
        return Comparison(not difference, understood, difference)
    truth_leaves, truth_def = jax.tree_util.tree_flatten_with_path(truth)
    try:
        # Up to the result's structure: a leaf written as a list ([1., 1.]) is read as an array.
        said_leaves = truth_def.flatten_up_to(said)  # type: ignore[attr-defined]
    except (ValueError, TypeError):
        return Comparison(False, understood, _structure_difference(truth, said, typed=sides == TYPED))
    for (path, expected), given in zip(truth_leaves, said_leaves, strict=True):
        difference = leaf_difference(expected, given, rtol, atol, sides)
        if difference:
            where = jax.tree_util.keystr(path)  # none: the result is one leaf (a string, say)
            return Comparison(False, understood, f"at {where}: {difference}" if where else difference)
    return Comparison(True, understood)


def dtype_note(truth: Any, given: Any) -> str:
    """For a fill right by value: where yours gives another dtype than the solution, say so, so
    that the verdict (which shows the solution's result) does not let the learner believe their
    code gives the solution's dtype."""
    truth_leaves, given_leaves = jax.tree.leaves(truth), jax.tree.leaves(given)
    if len(truth_leaves) != len(given_leaves):
        return ""
    for expected, yours in zip(truth_leaves, given_leaves, strict=True):
        want, got = describe.dtype_name(expected), describe.dtype_name(yours)
        if want and got and want != got:
            return (
                f"yours gives dtype {got}, the solution {want}: this question compares values, so both count"
            )
    return ""


def compare_shapes_of(truth: Any, said: Any) -> Comparison:
    """For `fill` with `compare: shape`: same structure, and every leaf of the same shape."""
    truth_leaves, said_leaves = jax.tree.leaves(truth), jax.tree.leaves(said)
    said_shapes = [describe.shape_of(leaf) for leaf in said_leaves]
    shown = ", ".join(str(shape) for shape in said_shapes)
    if jax.tree.structure(truth) != jax.tree.structure(said):  # type: ignore[operator]
        return Comparison(False, shown, _structure_difference(truth, said, typed=False))
    for expected, given in zip(truth_leaves, said_shapes, strict=True):
        if describe.shape_of(expected) != given:
            return Comparison(False, shown, f"shape is {describe.shape_of(expected)}, yours is {given}")
    return Comparison(True, shown)


def _is_leaf(value: Any) -> bool:
    return describe.is_array(value) or isinstance(value, int | float | complex | bool)


_BRACKETS = {tuple: "round brackets, (...)", list: "square brackets, [...]"}


def _structure_difference(truth: Any, said: Any, *, typed: bool) -> str:
    kinds = (type(truth), type(said))
    if typed and kinds in ((tuple, list), (list, tuple)) and len(truth) == len(said):
        # The one mix-up of a learner who typed the values right: said without pytree jargon.
        return (
            f"structure differs: the result is a {kinds[0].__name__} of {len(truth)}, yours is a "
            f"{kinds[1].__name__}: write it in {_BRACKETS[kinds[0]]}"
        )
    return f"structure differs: the result is {_structure(truth)}, yours is {_structure(said)}"


def _structure(value: Any) -> str:
    if _is_leaf(value):
        return "a single array"
    count = len(jax.tree.leaves(value))
    leaves = "leaf" if count == 1 else "leaves"
    return f"{type(value).__name__} with {count} {leaves} ({jax.tree.structure(value)})"


def leaf_difference(
    expected: Any, given: Any, rtol: float, atol: float, sides: tuple[str, str] = TYPED
) -> str:
    """'' when equal; else what differs: shape, or the first differing index and values."""
    yours, truths = sides
    if not _is_leaf(expected):  # text, None, ...: equal or not, and both shown
        if _safe_equal(expected, given):
            return ""
        truth = "the truth is" if sides == TYPED else truths
        return f"{truth} {describe.preview(expected)}, {yours} {describe.preview(given)}"
    if describe.is_array(expected) and is_key(expected.dtype):
        if not (describe.is_array(given) and is_key(given.dtype)):  # raw numbers for a typed key
            truth = "it is" if sides == TYPED else f"{truths} gives"
            return (
                f"{truth} a typed key (dtype {expected.dtype}, shape {format_shape(expected.shape)}), "
                f"{yours} {describe.preview(given)}: plain numbers (`jax.random.key_data` gives a key's)"
            )
        expected, given = jax.random.key_data(expected), jax.random.key_data(given)
    try:
        want = np.asarray(expected)
        got = np.asarray(given)
    except Exception:
        return f"your answer ({type(given).__name__}) cannot be read as an array"
    if got.dtype.kind in "OUSV" and want.dtype.kind not in "OUSV":  # objects, text: not numbers
        return f"your answer ({describe.preview(given)}) cannot be read as an array of numbers"
    if want.shape != got.shape:
        return f"shape is {format_shape(want.shape)}, yours is {format_shape(got.shape)}"
    shown, truth_shown = got, want  # as given and as the result's dtype prints, before any cast
    try:
        cast, wide = _casts(want.dtype, got.dtype)
        if cast is not None:
            with np.errstate(all="ignore"):  # 1e39 for float32 is inf, as JAX would make it
                got = got.astype(cast)
        if wide is not None:
            want, got = want.astype(wide), got.astype(wide)
        # Exactly equal first: a right answer mostly is, once cast, and this is the cheap test
        # (a verdict is mostly the cold start of each step it takes).
        equal = want == got
        right = bool(equal.all())
        if not right and wide is not None:
            equal = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
            right = bool(equal.all())
    except (TypeError, ValueError) as error:
        return f"cannot compare: {error}"
    if right:
        return ""
    index = tuple(int(i) for i in np.argwhere(~equal)[0])
    at = f" at {list(index)}" if index else ""
    return f"values differ{at}: {yours} {_item(shown[index])}, {truths} {_item(truth_shown[index])}"


@functools.cache
def _casts(want: np.dtype, got: np.dtype) -> tuple[np.dtype | None, type | None]:
    """How a typed answer meets a result of dtype `want`: the dtype the answer is first rounded
    to (None: as it is), and the wide dtype both then compare in within tolerance (None: exactly,
    for integers and booleans).

    A typed number is rounded to the result's dtype (`1e-45` for a float32 result is the float32
    nearest to it, a subnormal); then both compare in float64 (complex128), so that the tolerance
    itself is not rounded to a narrow dtype such as bfloat16."""
    if want.kind in "biu":
        return None, None
    complex_result = jnp.issubdtype(want, jnp.complexfloating)
    cast = None
    if jnp.issubdtype(got, jnp.complexfloating) and not complex_result:
        pass  # never drop an imaginary part: it must make the answer differ
    elif (complex_result or jnp.issubdtype(want, jnp.floating)) and (
        jnp.issubdtype(got, jnp.number) or got == np.bool_
    ):
        cast = want
    wide = np.complex128 if complex_result or jnp.issubdtype(got, jnp.complexfloating) else np.float64
    return cast, wide


def _item(value: Any) -> Any:
    """A numpy scalar as Python prints it (0.5, not np.float32(0.5)); a float as its own dtype
    prints it (float32 1e-45, not 1.401298464324817e-45)."""
    if isinstance(value, np.generic) and value.dtype.kind in "fcV":
        return str(value)
    return value.item() if hasattr(value, "item") else value


def _safe_equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False


class QuestionError(Exception):
    """The question's own result cannot be asked about this way (a deck bug, not the learner's)."""
