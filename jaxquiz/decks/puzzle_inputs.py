"""The inputs of a `puzzle` question: what each argument is drawn as, and the rules that tie the
signature, the inputs, the dims and the transforms together.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WrapValidator,
    field_validator,
)
from typing_extensions import TypeAliasType

DIM_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
# jaxpr primitive names are lowercase words, some with dashes (`scatter-add`); `loops` is a rule.
PRIMITIVE_PATTERN = r"^[a-z_][a-z0-9_-]*$"
DEFAULT_DIM = (1, 5)
MAX_DIM = 64  # a draw stays small: the verdict shows its values

# JAX's default types (64-bit ones need jax_enable_x64, which a question cannot rely on).
DTYPES = ("float32", "float16", "bfloat16", "int32", "int16", "int8", "uint32", "uint8", "bool")
FLOAT_DTYPES = ("float32", "float16", "bfloat16")

Transform = Literal["jit", "vmap", "grad"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _dim_range(value: Any, handler: Any) -> tuple[int, int]:
    lo, hi = handler(value)
    if not 0 <= lo <= hi <= MAX_DIM:
        raise ValueError(
            f"[{lo}, {hi}] is not a range of sizes: write [lo, hi] with 0 <= lo <= hi <= {MAX_DIM}"
        )
    return lo, hi


# A dim's sizes, written [lo, hi].
DimRange = Annotated[tuple[int, int], WrapValidator(_dim_range)]


def _size_or_dim(value: Any) -> Any:
    """One entry of a shape, checked here so that a mistake is one error, not one per way of
    writing an entry that it failed (`[2.5]` was both not an integer and not a dim name)."""
    if type(value) is int or (isinstance(value, str) and re.fullmatch(DIM_PATTERN, value)):
        return value
    raise ValueError(f"{value!r} is neither a size (a whole number) nor a dim name; fix: write e.g. [N, 3]")


# An entry of a shape: a size or a dim's name.
SizeOrDim = Annotated[int | Annotated[str, Field(pattern=DIM_PATTERN)], BeforeValidator(_size_or_dim)]


class ArrayInput(_Strict):
    """An array argument: its shape (dim names or sizes), dtype and the range of its values."""

    shape: list[SizeOrDim] = Field(description="sizes or dim names from `dims`, e.g. [N, 3]; [] for a scalar")
    dtype: str = Field("float32", description=f"one of {', '.join(DTYPES)}")
    range: tuple[float, float] | None = Field(
        None, description="[lo, hi]: values are drawn in it (default [-2, 2], or [0, 5] for integers)"
    )

    @field_validator("dtype")
    @classmethod
    def _known_dtype(cls, dtype: str) -> str:
        name = dtype.removeprefix("jnp.").removeprefix("np.")
        if name not in DTYPES:
            raise ValueError(f"dtype {dtype!r} is not one a puzzle can draw: use one of {', '.join(DTYPES)}")
        return name

    @field_validator("shape")
    @classmethod
    def _sizes(cls, shape: list[int | str]) -> list[int | str]:
        for size in shape:
            if isinstance(size, int) and not 0 <= size <= MAX_DIM:
                raise ValueError(f"size {size} is out of range: a size is 0 to {MAX_DIM}, or a dim name")
        return shape

    @field_validator("range")
    @classmethod
    def _ordered(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and value[0] > value[1]:
            raise ValueError(f"range [{value[0]}, {value[1]}] is empty: write the smaller bound first")
        return value


class KeyInput(_Strict):
    """A PRNG key argument (a new key per draw)."""

    key: Literal[True] = Field(description="true")


class ValueInput(_Strict):
    """A Python value argument, drawn from a list; static under `jit`."""

    value: Annotated[list[int | float | bool | str], Field(min_length=1)] = Field(
        description="the values to draw from"
    )


def _tree_node_kind(value: Any) -> str:
    is_array = isinstance(value, ArrayInput) or (isinstance(value, dict) and "shape" in value)
    return "tree-array" if is_array else "tree-dict"


# A tree's node: an array (it has `shape`) or a dict of nodes.
# mypy cannot follow this recursive alias.
TreeNode = TypeAliasType(  # type: ignore[misc]
    "TreeNode",
    Annotated[
        Annotated[ArrayInput, Tag("tree-array")]
        | Annotated[dict[Annotated[str, Field(pattern=DIM_PATTERN)], "TreeNode"], Tag("tree-dict")],  # type: ignore[misc]
        Discriminator(_tree_node_kind),
    ],
)


class TreeInput(_Strict):
    """A dict of arrays (nested dicts allowed): a pytree argument."""

    tree: dict[str, TreeNode] = Field(description="name: {shape: ...} or name: {nested: ...}")


def _input_kind(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("key", "tree", "value"):
            if key in value:
                return f"{key}-input"
    for kind, model in (("key", KeyInput), ("tree", TreeInput), ("value", ValueInput)):
        if isinstance(value, model):
            return f"{kind}-input"
    return "array-input"


# A callable discriminator: a mistake is reported against the spelling used, not against all four.
PuzzleInput = Annotated[
    Annotated[ArrayInput, Tag("array-input")]
    | Annotated[KeyInput, Tag("key-input")]
    | Annotated[TreeInput, Tag("tree-input")]
    | Annotated[ValueInput, Tag("value-input")],
    Discriminator(_input_kind),
]
# Parts of an error's location that name a member of the unions above, not a key of the data.
PUZZLE_TAGS = ("array-input", "key-input", "tree-input", "value-input", "tree-array", "tree-dict")


def parse_signature(signature: str) -> tuple[str, list[str]]:
    """The function name and argument names of a `def name(a, b):` line; ValueError otherwise."""
    line = signature.strip()
    if "\n" in line or not line.startswith("def ") or not line.endswith(":"):
        raise ValueError(f'{signature!r} is not one `def name(args):` line; fix: write e.g. "def f(x, y):"')
    try:
        tree = ast.parse(line + "\n    pass\n")
    except SyntaxError as error:
        raise ValueError(f"{signature!r} is not a valid def line: {error.msg}") from None
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    args = function.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or args.defaults:
        raise ValueError(
            f"{signature!r}: a puzzle's function takes plain positional arguments (no defaults, *, **)"
        )
    return function.name, [arg.arg for arg in args.args]


def check_defines(signature: str, code: str, which: str = "it") -> None:
    """`code` (the solution, or a wrong entry: `which`) must define the function `signature`
    names: a wrong entry that defines another would be rejected for its name, proving nothing."""
    name = parse_signature(signature)[0]
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return  # with parameters still to draw, or a typo that `jaxquiz check` reports at its line
    defined: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined += [target.id for target in targets if isinstance(target, ast.Name)]
    if name not in defined:
        found = f"it defines {', '.join(f'`{d}`' for d in defined)}" if defined else "it defines nothing"
        raise ValueError(
            f"{which} must define `{name}`, the function `signature` names, but {found}; "
            f"fix: write it as `def {name}(...):`, or rename the function in `signature`"
        )


def arrays_of(
    spec: ArrayInput | KeyInput | TreeInput | ValueInput,
) -> Iterator[tuple[tuple[str, ...], ArrayInput]]:
    """(path, array) for every array of an input: one with path () for an array, the leaves of a tree."""
    if isinstance(spec, ArrayInput):
        yield (), spec
    elif isinstance(spec, TreeInput):
        yield from _leaves(spec.tree, ())


def _leaves(node: Mapping[str, Any], path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], ArrayInput]]:
    for name, child in node.items():
        if isinstance(child, ArrayInput):
            yield (*path, name), child
        else:
            yield from _leaves(child, (*path, name))


# Errors say "rule; fix: how": the loader shows the two parts on their own lines.


def check_inputs(signature: str, inputs: Mapping[str, Any]) -> None:
    """One input per argument of the signature, in order."""
    name, args = parse_signature(signature)
    if list(inputs) != args:
        raise ValueError(
            f"`inputs` must list the arguments of `{name}` in order: the signature takes "
            f"({', '.join(args)}), `inputs` has ({', '.join(inputs)}); fix: "
            "write one entry per argument, named and ordered as in `signature`"
        )
    for arg, spec in inputs.items():
        for path, array in arrays_of(spec):
            if array.range is not None and array.dtype == "bool":
                where = ".".join((arg, *path))
                raise ValueError(f"`{where}` is a bool array and takes no `range`; fix: remove its `range`")


def check_dims(dims: Mapping[str, tuple[int, int]], inputs: Mapping[str, Any]) -> None:
    """Written out, dims must match the shapes exactly: a typo must not pass silently."""
    used: dict[str, str] = {}  # dim name -> where it is first used
    for arg, spec in inputs.items():
        for path, array in arrays_of(spec):
            for size in array.shape:
                if isinstance(size, str):
                    used.setdefault(size, ".".join(("inputs", arg, *path, "shape")))
    for dim, where in used.items():
        if dim not in dims:
            raise ValueError(
                f"dim `{dim}` (used in `{where}`) is not in `dims` ({', '.join(dims)}); "
                f"fix: add `{dim}: [lo, hi]` to `dims`, or correct the name in `{where}`"
            )
    for dim in dims:
        if dim not in used:
            raise ValueError(f"dim `{dim}` is used by no input's shape; fix: remove `{dim}` from `dims`")


def check_transforms(transforms: list[str], inputs: Mapping[str, Any]) -> None:
    """Something to differentiate under `grad` and to batch under `vmap`."""
    arrays = [array for spec in inputs.values() for _, array in arrays_of(spec)]
    if "grad" in transforms and not any(a.dtype in FLOAT_DTYPES for a in arrays):
        raise ValueError(
            "`transforms` has grad, but no input is a float array to differentiate; "
            "fix: remove grad, or give an input a float dtype"
        )
    if "vmap" in transforms and not arrays:
        raise ValueError("`transforms` has vmap, but no input is an array to batch; fix: remove vmap")


def dim_ranges(dims: Mapping[str, tuple[int, int]], inputs: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Every dim used by the inputs with its range (DEFAULT_DIM when `dims` is not written)."""
    ranges: dict[str, tuple[int, int]] = {}
    for spec in inputs.values():
        for _, array in arrays_of(spec):
            for size in array.shape:
                if isinstance(size, str):
                    ranges[size] = tuple(dims.get(size, DEFAULT_DIM))  # type: ignore[assignment]
    return ranges
