"""Reading what a learner typed for shape, dtype and raises questions (pure Python, no jax).

Each parser returns the normalised answer or raises `UnreadableAnswer` with a message that says
what was expected; the verdict shows that message instead of a traceback.
"""

from __future__ import annotations

import re

SHAPE_EXAMPLES = "write it like (100, 2) or [100, 2], brackets optional; `()` or `scalar` for a scalar"
_DTYPE_PREFIXES = ("jax.numpy.", "jnp.", "numpy.", "np.", "jax.dtypes.", "jax.")
_NO_EXCEPTION = {"none", "nothing", "no error", "no exception"}
# Said instead of a class, for a question that asks only whether the code fails.
ANY_ERROR = "error"
_SOME_EXCEPTION = {
    "error",
    "an error",
    "exception",
    "an exception",
    "raises",
    "it raises",
    "fails",
    "it fails",
}
_DOTTED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_KEY_DTYPE = re.compile(r"^key<[a-z0-9_]+>$")
_CLOSING = {"(": ")", "[": "]"}


class UnreadableAnswer(ValueError):
    """The learner's text cannot be read as an answer of that type."""


def parse_shape(text: str) -> tuple[int, ...]:
    """`(100, 2)`, `100, 2`, `[100, 2]`, `(100,2,)`, `100` -> a tuple; `()`/`scalar` -> ()."""
    body = text.strip()
    if not body:
        raise UnreadableAnswer(f"empty answer: {SHAPE_EXAMPLES}")
    if body.lower() == "scalar":
        return ()
    opened, closed = body[0] in "([", body[-1] in ")]"
    if opened or closed:
        if not (opened and closed) or _CLOSING[body[0]] != body[-1]:
            raise UnreadableAnswer(f"unbalanced brackets in {text!r}: {SHAPE_EXAMPLES}")
        body = body[1:-1].strip()
        if body in ("", ","):
            return ()
    parts = [part.strip() for part in body.split(",")]
    if parts[-1] == "":
        parts.pop()  # a trailing comma, as in (100,)
    dims = []
    for part in parts:
        # isascii: str.isdigit() also accepts characters such as '²' that int() rejects
        if not part:
            raise UnreadableAnswer(f"a size is missing between two commas in {text!r}: {SHAPE_EXAMPLES}")
        if not (part.isascii() and part.isdigit()):
            raise UnreadableAnswer(
                f"{part!r} is not a whole number: a shape lists the size of each axis; " + SHAPE_EXAMPLES
            )
        dims.append(int(part))
    return tuple(dims)


def format_shape(shape: tuple[int, ...]) -> str:
    """A shape the way Python prints a tuple: (3,), (2, 3), ()."""
    return str(tuple(shape))


# Python's type names, which are no one dtype: the bits are what a dtype question asks.
_WIDTHLESS = {
    "float": "float32 or float64 (or float16, bfloat16)",
    "int": "int32 or int64 (or int8, int16)",
    "uint": "uint32 or uint8 (or uint16, uint64)",
    "complex": "complex64 or complex128",
}


def normalise_dtype(text: str) -> str:
    """`jnp.float32`, `np.int32`, ` bool ` -> `float32`, `int32`, `bool`. `key<fry>` stays."""
    name = text.strip().strip("'\"`")
    if name.startswith("dtype(") and name.endswith(")"):
        name = name[len("dtype(") : -1].strip("'\"")
    for prefix in _DTYPE_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    if name == "bool_":
        name = "bool"
    if name in _WIDTHLESS:  # numpy reads `float` as float64, JAX as its default float32
        raise UnreadableAnswer(f"{text!r} has no width: write {_WIDTHLESS[name]}, as JAX prints the dtype")
    if not name or not (name.isidentifier() or _KEY_DTYPE.match(name)):
        raise UnreadableAnswer(
            f"{text!r} is not a dtype name: write one like float32, jnp.int32, bool, "
            "or key<fry> (the dtype of jr.key(0))"
        )
    return name


def parse_raises(text: str) -> str | None:
    """An exception class name (module prefix optional), `error` for "it fails", or None for 'none'."""
    name = text.strip().strip("`'\"").removesuffix("()")
    if name.lower() in _NO_EXCEPTION:
        return None
    if " ".join(name.lower().split()) in _SOME_EXCEPTION:
        return ANY_ERROR
    if not _DOTTED_NAME.match(name):
        raise UnreadableAnswer(
            f"{text!r} is not an exception class name: write one like TypeError or "
            "jax.errors.TracerBoolConversionError, `error` if it fails, or `none` if nothing is raised"
        )
    return name
