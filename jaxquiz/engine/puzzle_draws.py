"""The inputs a puzzle is graded on, drawn with a seeded search, smallest shapes first.

Plain Python (no jax, no numpy), so that the UI process can show the smallest draw as code for
the try-it panel, and the worker grades on exactly the same draws.

The draws come in groups that share their sizes (and their static values): a group is one
compilation under `jit`, and one batch under `vmap`. Within a group, the first draw is random,
the second puts every value at zero (or the bound of its range nearest zero) and the third at the
ends of its range, where naive numerics break.
"""

from __future__ import annotations

import ast
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from jaxquiz.engine.puzzle_spec import PuzzleArray, PuzzleSpec

DEFAULT_FLOAT_RANGE = (-2.0, 2.0)
DEFAULT_INT_RANGE = (0, 5)
FLOAT_DTYPES = ("float32", "float16", "bfloat16")
# Each group of sizes costs compilations (of every operation at new shapes): a few sizes,
# several draws of each.
MAX_GROUPS = 4
DIGITS = 2  # drawn floats are rounded: the verdict and the try-it code stay readable


@dataclass(frozen=True)
class DrawnArray:
    """An array as plain data: its dims, shape, dtype and values in row-major order."""

    dims: tuple[str, ...]  # the dim name of each axis ('' for a fixed size)
    shape: tuple[int, ...]
    dtype: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class DrawnKey:
    seed: int


@dataclass(frozen=True)
class Example:
    """One draw: the sizes of the dims, and one value per argument (a tree is a dict)."""

    group: int
    sizes: dict[str, int]
    args: tuple[Any, ...]  # DrawnArray, DrawnKey, dict (a tree) or a Python value
    kind: str = "random"  # "random", "zeros" or "extremes"


@dataclass
class Draws:
    examples: list[Example] = field(default_factory=list)

    def groups(self) -> list[list[Example]]:
        by_group: dict[int, list[Example]] = {}
        for example in self.examples:
            by_group.setdefault(example.group, []).append(example)
        return list(by_group.values())


def draw_examples(spec: PuzzleSpec) -> Draws:
    """`spec.examples` draws, in groups of equal sizes, the smallest sizes first."""
    rng = random.Random(spec.seed)
    groups = max(1, min(spec.examples, MAX_GROUPS, round(math.sqrt(spec.examples))))
    configs = _size_configs(spec, rng, groups)
    per_group = math.ceil(spec.examples / len(configs))
    draws = Draws()
    for group, (sizes, statics) in enumerate(configs):
        for index in range(per_group):
            if len(draws.examples) == spec.examples:
                break
            kind = ("random", "zeros", "extremes")[index] if index < 3 else "random"
            args = tuple(
                statics[arg.name] if arg.kind == "value" else _draw_arg(arg, sizes, kind, rng)
                for arg in spec.args
            )
            draws.examples.append(Example(group, dict(sizes), args, kind))
    return draws


def sized(spec: PuzzleSpec, sizes: dict[str, int], seed: int = 0) -> tuple[Any, ...]:
    """Random arguments with the given sizes (the first listed static value): for reading the
    traced program at two sizes."""
    rng = random.Random(seed)
    return tuple(
        _literal(arg.values[0]) if arg.kind == "value" else _draw_arg(arg, sizes, "random", rng)
        for arg in spec.args
    )


def _size_configs(
    spec: PuzzleSpec, rng: random.Random, count: int
) -> list[tuple[dict[str, int], dict[str, Any]]]:
    smallest = {dim.name: dim.low for dim in spec.dims}
    first_values = {arg.name: _literal(arg.values[0]) for arg in spec.args if arg.kind == "value"}
    configs = [(smallest, first_values)]
    seen = {_key(smallest, first_values)}
    for _ in range(count * 8):
        if len(configs) == count:
            break
        sizes = {dim.name: rng.randint(dim.low, dim.high) for dim in spec.dims}
        values = {arg.name: _literal(rng.choice(arg.values)) for arg in spec.args if arg.kind == "value"}
        if _key(sizes, values) not in seen:
            seen.add(_key(sizes, values))
            configs.append((sizes, values))
    configs.sort(key=lambda config: (_elements(spec, config[0]), sorted(config[0].items())))
    return configs


def _key(sizes: dict[str, int], values: dict[str, Any]) -> str:
    return repr((sorted(sizes.items()), sorted(values.items())))


def _elements(spec: PuzzleSpec, sizes: dict[str, int]) -> int:
    return sum(math.prod(_shape(array, sizes)) for arg in spec.args for array in arg.arrays)


def _shape(array: PuzzleArray, sizes: dict[str, int]) -> tuple[int, ...]:
    return tuple(int(size) if size.isdigit() else sizes[size] for size in array.shape)


def _literal(text: str) -> Any:
    return ast.literal_eval(text)


def _draw_arg(arg: Any, sizes: dict[str, int], kind: str, rng: random.Random) -> Any:
    if arg.kind == "key":
        return DrawnKey(rng.randrange(2**31))
    if arg.kind == "array":
        return _draw_array(arg.arrays[0], sizes, kind, rng)
    tree: dict[str, Any] = {}
    for array in arg.arrays:
        node = tree
        for name in array.path[:-1]:
            node = node.setdefault(name, {})
        node[array.path[-1]] = _draw_array(array, sizes, kind, rng)
    return tree


def _draw_array(array: PuzzleArray, sizes: dict[str, int], kind: str, rng: random.Random) -> DrawnArray:
    shape = _shape(array, sizes)
    count = math.prod(shape)
    if array.dtype == "bool":
        values: list[Any] = [False] * count if kind == "zeros" else [rng.random() < 0.5 for _ in range(count)]
    elif array.dtype in FLOAT_DTYPES:
        lo, hi = _bounds(array, DEFAULT_FLOAT_RANGE)
        if kind == "zeros":
            values = [min(max(0.0, lo), hi)] * count
        elif kind == "extremes":
            values = [rng.choice((lo, hi)) for _ in range(count)]
        else:
            values = [round(rng.uniform(lo, hi), DIGITS) for _ in range(count)]
    else:
        low, high = _bounds(array, DEFAULT_INT_RANGE)
        lo = max(math.ceil(low), 0) if array.dtype.startswith("uint") else math.ceil(low)
        hi = max(lo, math.floor(high))
        if kind == "zeros":
            values = [min(max(0, lo), hi)] * count
        elif kind == "extremes":
            values = [rng.choice((lo, hi)) for _ in range(count)]
        else:
            values = [rng.randint(lo, hi) for _ in range(count)]
    dims = tuple("" if size.isdigit() else size for size in array.shape)
    return DrawnArray(dims, shape, array.dtype, tuple(values))


def _bounds(array: PuzzleArray, default: tuple[float, float]) -> tuple[float, float]:
    if array.low is None or array.high is None:
        return default
    return array.low, array.high


# --- the smallest draw as code, for the try-it panel ----------------------------------------------


def nested(array: DrawnArray) -> Any:
    """The values as nested lists of the array's shape (a bare number for a scalar)."""
    values = list(array.values)
    for size in reversed(array.shape[1:]):
        values = [values[i : i + size] for i in range(0, len(values), size)] if size else []
    return values[0] if not array.shape else values


def arg_code(value: Any) -> str:
    """Python that builds an argument, with the prelude in scope."""
    if isinstance(value, DrawnArray):
        return f"jnp.array({nested(value)!r}, dtype=jnp.{value.dtype})"
    if isinstance(value, DrawnKey):
        return f"jr.key({value.seed})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{name!r}: {arg_code(leaf)}" for name, leaf in value.items()) + "}"
    return repr(value)


def try_it_code(spec: PuzzleSpec, answer: str, setup_code: str | None = None) -> str:
    """Code that runs the learner's function on the smallest draw, for the try-it panel (the
    prelude in scope): the arguments, then the function's body run at the top level when it can
    be (its locals, every intermediate array, are then left behind to be described), with its
    result as `out`; else a call of the function."""
    example = draw_examples(spec).examples[0]
    names = [arg.name for arg in spec.args]
    lines = [setup_code.rstrip("\n")] if setup_code else []
    lines.append(answer.rstrip("\n"))
    lines.append("# the smallest draw the answer is graded on")
    lines += [f"{name} = {arg_code(value)}" for name, value in zip(names, example.args, strict=True)]
    body = _inlined_body(answer, spec.function)
    if body is None:
        lines.append(f"out = {spec.function}({', '.join(names)})")
    else:
        lines.append(f"# the body of {spec.function}, run here so that its intermediates stay")
        lines.append(body)
    return "\n".join(lines) + "\n"


def _inlined_body(answer: str, function: str) -> str | None:
    """The body of `def function(...)` as top-level code ending in `out = <returned value>`, or
    None when that would change what it does (a return before the end, `yield`, `nonlocal`)."""
    try:
        tree = ast.parse(answer)
    except SyntaxError:
        return None
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    if len(defs) != 1 or defs[0].decorator_list:
        return None
    body = defs[0].body
    last = body[-1]
    if not isinstance(last, ast.Return) or last.value is None:
        return None
    for statement in body:
        for node in _own_nodes(statement):
            if node is not last and isinstance(
                node, ast.Return | ast.Yield | ast.YieldFrom | ast.Nonlocal | ast.Global
            ):
                return None
    assign = ast.Assign(targets=[ast.Name("out", ast.Store())], value=last.value)
    module = ast.Module(body=[*body[:-1], assign], type_ignores=[])
    return ast.unparse(ast.fix_missing_locations(module))


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a statement, not descending into nested functions, lambdas or classes."""
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            yield from _own_nodes(child)
