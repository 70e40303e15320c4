"""Grading a puzzle like a property-based test: the learner's function against the reference on
seeded draws (smallest sizes first), called directly and under each transform, then the rules
read from the learner's jaxpr. The first failure is shrunk and told in plain words.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np

from jaxquiz.engine.answers import format_shape
from jaxquiz.engine.protocol import Task
from jaxquiz.engine.puzzle_draws import DrawnArray, DrawnKey, Draws, draw_examples, nested, sized
from jaxquiz.engine.puzzle_spec import PuzzleSpec
from jaxquiz.engine.worker import compare, puzzle_rules, sandbox
from jaxquiz.engine.worker.capture import CapturedOutput
from jaxquiz.engine.worker.guard import StateGuard

DIRECT = "direct"  # the function called as written, before any transform
TRACE_FAILED = "trace"
# Reference programs with these loop inside: their bodies are new closures on every call, so
# op by op every call compiles them again; compiled as a whole, once per group.
LOOP_PRIMITIVES = ("scan", "while")
# A smaller failing input is worth a fraction of a second, not more. Tests that pin what shrinking
# finds lift it (the tries still bound it), so that a busy machine's slower compiles change nothing.
SHRINK_BUDGET_S = float(os.environ.get("JAXQUIZ_SHRINK_BUDGET_S", "0.3"))
SHRINK_TRIES = 40
FLOATS = ("float32", "float16", "bfloat16")


# --- what prepare keeps --------------------------------------------------------------------------


@dataclass
class Reference:
    """The reference function, the draws, and its results on them (computed while the learner writes)."""

    spec: PuzzleSpec
    function: Callable[..., Any]
    draws: Draws
    inputs: list[tuple[Any, ...]]  # per example, as jax values
    expected: dict[tuple[str, int], Any] = field(default_factory=dict)  # (check, example or group)
    loops: bool = False  # its program loops (scan, while): checks then run compiled per group

    @property
    def statics(self) -> tuple[int, ...]:
        return tuple(i for i, arg in enumerate(self.spec.args) if arg.kind == "value")

    @property
    def differentiated(self) -> tuple[int, ...]:
        """Float arrays, and trees whose leaves are all float: what `grad` differentiates."""
        return tuple(
            i
            for i, arg in enumerate(self.spec.args)
            if arg.kind in ("array", "tree") and arg.arrays and all(a.dtype in FLOATS for a in arg.arrays)
        )


def setup_of(task: Task) -> str | None:
    """The deck's setup, then the puzzle's own `code` (shown above the editor)."""
    parts = [part for part in (task.setup, task.code) if part]
    return "\n".join(parts) or None


def prepare(task: Task) -> sandbox.Run:
    """Run the reference on every draw under every transform; `run.value` is the Reference."""
    spec = task.puzzle
    assert spec is not None
    run = sandbox.execute(task.solution or "", setup_of(task), spec.function)
    if run.exception is not None:
        return run
    start = time.perf_counter()
    draws = draw_examples(spec)
    reference = Reference(spec, run.value, draws, [to_jax(example.args) for example in draws.examples])
    with guarded() as state:
        try:
            reference.loops = _loops_inside(reference)
            for group, found in results_by_group(reference, reference.function):
                for check, results in found.items():
                    keys = [group.index] if check == "vmap" else group.members
                    for key, result in zip(keys, results, strict=True):
                        reference.expected[(check, key)] = result
        except Exception as error:
            run.exception = error
            run.traceback = sandbox.own_traceback(error)
    run.tainted = run.tainted or state.tainted
    run.value = reference
    run.elapsed_ms += (time.perf_counter() - start) * 1000
    return run


def _loops_inside(reference: Reference) -> bool:
    smallest = reference.inputs[0]
    try:
        found = puzzle_rules.equations(
            _closed(reference.function, smallest, reference.statics), _moving(smallest, reference.statics)
        )
    except Exception:  # a reference that cannot trace: its checks run op by op anyway
        return False
    return any(eqn.primitive in LOOP_PRIMITIVES for eqn in found)


# --- running a function under a transform --------------------------------------------------------


def checks(spec: PuzzleSpec) -> list[str]:
    return [DIRECT, *(t for t in ("jit", "vmap", "grad") if t in spec.transforms)]


@dataclass(frozen=True)
class Group:
    index: int
    members: list[int]  # example indices


def groups(reference: Reference) -> list[Group]:
    """The draws by size, smallest first."""
    examples = reference.draws.examples
    return [
        Group(group, [i for i, e in enumerate(examples) if e.group == group])
        for group in sorted({e.group for e in examples})
    ]


def results_by_group(
    reference: Reference, fn: Callable[..., Any], *, jitted: bool = True
) -> Iterator[tuple[Group, dict[str, list[Any]]]]:
    """Every check's results, group by group, smallest first: per member (vmap: one, for the
    whole batch), in the order of `checks`. Raises what the function raised. A generator, so
    that a wrong answer stops at its first failing group.

    Compiling dominates the time of a verdict. Op by op, jax caches each operation's compiled
    form by shape, and the reference has run the same operations on the same shapes while the
    learner was writing: so the checks run op by op on every draw, and `jit` compiles only for
    the smallest and the largest group (jit changes what tracing changes, which the size of the
    input does not). But when the reference loops (`scan`, `while`), the loop's body is a new
    closure on every call and op by op would compile it again for every draw: then, with `jit`
    among the transforms, vmap and grad run jitted too, one compilation per group, and the
    direct call runs on the smallest group only.
    """
    spec = reference.spec
    every = groups(reference)
    statics = reference.statics
    compiled = "jit" in spec.transforms and reference.loops
    calls: dict[str, Callable[..., Any]]
    if compiled:
        calls = {
            "jit": jax.jit(fn, static_argnums=statics),
            "vmap": jax.jit(lambda *args: apply("vmap", reference, fn, args), static_argnums=statics),
            "grad": jax.jit(lambda *args: _gradient(reference, fn, args), static_argnums=statics),
        }
    else:
        calls = {
            "jit": jax.jit(fn, static_argnums=statics),
            "vmap": lambda *args: apply("vmap", reference, fn, args),
            "grad": lambda *args: _gradient(reference, fn, args),
        }
    for group in every:
        args = [reference.inputs[i] for i in group.members]
        found: dict[str, list[Any]] = {}
        if group.index == every[0].index or not compiled:
            found[DIRECT] = [_ready(fn(*a)) for a in args]
        for check in checks(spec)[1:]:
            if check == "vmap":
                found[check] = [_ready(calls[check](*batch(args, statics)))]
            elif check == "jit" and group.index not in (every[0].index, every[-1].index):
                continue  # jit changes what tracing changes; the size of the input does not
            else:
                found[check] = [_ready(calls[check](*a)) for a in args]
        yield group, found


def _merge(template: tuple[Any, ...], moving: tuple[Any, ...], statics: tuple[int, ...]) -> tuple[Any, ...]:
    """The full argument tuple: statics from `template`, the rest from `moving`, in order."""
    it = iter(moving)
    return tuple(template[i] if i in statics else next(it) for i in range(len(template)))


def _gradient(reference: Reference, fn: Callable[..., Any], args: tuple[Any, ...]) -> dict[str, Any]:
    """The gradient of the sum of every float output with respect to each float input, by name."""
    wrt = reference.differentiated

    def total(*diff: Any) -> Any:
        full = list(args)
        for i, value in zip(wrt, diff, strict=True):
            full[i] = value
        leaves = [
            leaf for leaf in jax.tree.leaves(fn(*full)) if jnp.issubdtype(jnp.result_type(leaf), jnp.floating)
        ]
        return sum((jnp.sum(leaf) for leaf in leaves), jnp.float32(0))

    grads = jax.grad(total, argnums=tuple(range(len(wrt))))(*(args[i] for i in wrt))
    return {reference.spec.args[i].name: g for i, g in zip(wrt, grads, strict=True)}


def apply(check: str, reference: Reference, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """`fn` on `args` as `check` says: directly, jitted, vmapped over axis 0, or its gradient."""
    statics = reference.statics
    if check == DIRECT:
        return fn(*args)
    if check == "jit":
        return jax.jit(fn, static_argnums=statics)(*args)
    if check == "vmap":
        # Static arguments are closed over: vmap maps over arrays only.
        moving = [i for i in range(len(args)) if i not in statics]

        def mapped(*batched: Any) -> Any:
            full = list(args)
            for i, value in zip(moving, batched, strict=True):
                full[i] = value
            return fn(*full)

        return jax.vmap(mapped)(*(args[i] for i in moving))
    if check == "grad":
        return _gradient(reference, fn, args)
    raise ValueError(f"unknown check {check!r}")


def batch(examples: list[tuple[Any, ...]], statics: tuple[int, ...]) -> tuple[Any, ...]:
    """One argument tuple with a new leading axis on every array (statics shared by the group)."""
    first = examples[0]
    return tuple(
        first[i] if i in statics else jax.tree.map(lambda *xs: jnp.stack(xs), *(e[i] for e in examples))
        for i in range(len(first))
    )


def to_jax(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_to_jax(arg) for arg in args)


def _to_jax(value: Any) -> Any:
    if isinstance(value, DrawnArray):
        return jnp.asarray(np.asarray(nested(value), dtype=value.dtype).reshape(value.shape))
    if isinstance(value, DrawnKey):
        return jr.key(value.seed)
    if isinstance(value, dict):
        return {name: _to_jax(leaf) for name, leaf in value.items()}
    return value


# --- grading ---------------------------------------------------------------------------------------


@dataclass
class Failure:
    """The first thing that went wrong, on which inputs."""

    check: str
    index: int  # example (or group, for vmap)
    args: tuple[Any, ...]
    expected: Any = None
    got: Any = None
    difference: str = ""
    error: BaseException | None = None
    rule: puzzle_rules.RuleBroken | None = None


@dataclass
class Graded:
    """What grading found; `failure` None means right."""

    failure: Failure | None
    note: str = ""
    error: str | None = None  # the learner's code did not define the function
    traceback: str | None = None
    output: str = ""
    runs: list[sandbox.Run] = field(default_factory=list)
    shrunk: bool = False


def grade(task: Task, reference: Reference, answer: str) -> Graded:
    spec = reference.spec
    learner_run = sandbox.execute(answer, setup_of(task), None)
    graded = Graded(failure=None, runs=[learner_run], output=learner_run.output)
    if learner_run.exception is not None:
        graded.error = f"your code raised {type(learner_run.exception).__name__} before any draw: " + (
            sandbox.first_lines(str(learner_run.exception))
        )
        graded.traceback = learner_run.traceback
        return graded
    function = learner_run.namespace.get(spec.function)
    if not callable(function):
        graded.error = (
            f"your code does not define the function `{spec.function}`: start from its first line, "
            f"`def {spec.function}({', '.join(a.name for a in spec.args)}):`"
        )
        return graded
    with guarded() as state:
        # The rules first: reading them costs a trace and no compilation, while an answer that
        # breaks one (a Python loop above all) is the slowest to run on every draw. A trace that
        # raises is left to the draws, which say on which input and under which transform.
        rule = _rules(reference, function, answer)
        if rule is not None and rule.rule != TRACE_FAILED:
            graded.failure = Failure("rules", 0, reference.inputs[0], rule=rule)
        else:
            graded.failure = _first_failure(task, reference, function)
            if graded.failure is not None:
                graded.failure, graded.shrunk = _shrink(task, reference, function, graded.failure)
            elif rule is not None:
                graded.failure = Failure("rules", 0, reference.inputs[0], rule=rule)
    graded.runs.append(sandbox.Run(tainted=state.tainted))
    graded.output += state.output
    if graded.failure is None:
        graded.note = passed_note(reference)
    return graded


def _first_failure(task: Task, reference: Reference, function: Callable[..., Any]) -> Failure | None:
    """The first failing check, smallest group first; within a group directly, then each
    transform in order, then draw by draw."""
    every = results_by_group(reference, function)
    for group in groups(reference):
        try:
            _, results = next(every)
        except Exception:
            # Which check raised, on which draw: each alone, as the learner would call it.
            failure = _first_raise(task, reference, function, group)
            if failure is not None:
                return failure
            raise  # it raised only when run together: say so rather than pass
        for check, found in results.items():
            keys = [group.index] if check == "vmap" else group.members
            for key, got in zip(keys, found, strict=True):
                expected = reference.expected[(check, key)]
                difference = compare.compare_results(expected, got, task.rtol, task.atol).difference
                if difference:
                    return Failure(
                        check, key, _args_of(reference, check, group, key), expected, got, difference
                    )
    return None


def _first_raise(
    task: Task, reference: Reference, function: Callable[..., Any], group: Group
) -> Failure | None:
    for check in checks(reference.spec):
        for key in [group.index] if check == "vmap" else group.members:
            args = _args_of(reference, check, group, key)
            expected = reference.expected.get((check, key))
            if expected is None:  # not computed for this group (called directly: the smallest only)
                expected = _ready(apply(check, reference, reference.function, args))
            failure = _check(task, reference, function, check, key, args, expected)
            if failure is not None:
                return failure
    return None


def _args_of(reference: Reference, check: str, group: Group, key: int) -> tuple[Any, ...]:
    if check == "vmap":
        return batch([reference.inputs[i] for i in group.members], reference.statics)
    return reference.inputs[key]


def _check(
    task: Task,
    reference: Reference,
    function: Callable[..., Any],
    check: str,
    index: int,
    args: tuple[Any, ...],
    expected: Any,
) -> Failure | None:
    try:
        got = _ready(apply(check, reference, function, args))
    except Exception as error:
        return Failure(check, index, args, expected, error=error)
    difference = compare.compare_results(expected, got, task.rtol, task.atol).difference
    if difference:
        return Failure(check, index, args, expected, got, difference)
    return None


def _rules(reference: Reference, function: Callable[..., Any], source: str) -> puzzle_rules.RuleBroken | None:
    spec = reference.spec
    if not spec.forbid and spec.max_ops is None:
        return None
    smallest = reference.inputs[0]
    fn = _closed(function, smallest, reference.statics)
    moving = _moving(smallest, reference.statics)
    try:
        found = puzzle_rules.equations(fn, moving)
        broken = puzzle_rules.forbidden(found, spec.forbid, source)
        if broken is None and puzzle_rules.LOOPS in spec.forbid:
            broken = _loops(reference, function, found, source)
        if broken is None and spec.max_ops is not None:
            sizes = _sizes_text(reference.draws.examples[0].sizes)
            broken = puzzle_rules.too_many(found, spec.max_ops, sizes, source)
    except Exception as error:
        return puzzle_rules.RuleBroken(
            TRACE_FAILED,
            "the rules of this puzzle are read from your traced program (jax.make_jaxpr), and tracing "
            f"it raised {type(error).__name__}: {sandbox.first_lines(str(error), 4)}",
        )
    return broken


def _loops(
    reference: Reference, function: Callable[..., Any], smallest: list[puzzle_rules.Equation], source: str
) -> puzzle_rules.RuleBroken | None:
    """Compare the program at two sizes (at least 2, where a size-1 axis cannot change what jnp
    emits for broadcasting); a program that grows loops in Python."""
    spec = reference.spec
    small = {d.name: min(max(d.low, 2), d.high) for d in spec.dims}
    large = {d.name: min(d.high, small[d.name] + 3) for d in spec.dims}
    if small == large:
        return None  # every dim is fixed: nothing to grow with
    programs = []
    for sizes in (small, large):
        args = to_jax(sized(spec, sizes))
        programs.append(
            puzzle_rules.equations(
                _closed(function, args, reference.statics), _moving(args, reference.statics)
            )
        )
    return puzzle_rules.grows(programs[0], programs[1], _sizes_text(small), _sizes_text(large), source)


def _closed(
    function: Callable[..., Any], args: tuple[Any, ...], statics: tuple[int, ...]
) -> Callable[..., Any]:
    def fn(*moving: Any) -> Any:
        it = iter(moving)
        return function(*(args[i] if i in statics else next(it) for i in range(len(args))))

    return fn


def _moving(args: tuple[Any, ...], statics: tuple[int, ...]) -> tuple[Any, ...]:
    return tuple(a for i, a in enumerate(args) if i not in statics)


# --- shrinking ------------------------------------------------------------------------------------


def _shrink(
    task: Task, reference: Reference, function: Callable[..., Any], failure: Failure
) -> tuple[Failure, bool]:
    """A smaller input with the same kind of failure: rounder values, fewer elements along each
    dim (and a batch of one under vmap). Within a time budget; the draws are already
    smallest first, so this only trims what a draw had to spare."""
    deadline = time.perf_counter() + SHRINK_BUDGET_S
    tries = 0
    shrunk = False

    def attempt(args: tuple[Any, ...]) -> Failure | None:
        nonlocal tries
        tries += 1
        try:
            expected = _ready(apply(failure.check, reference, reference.function, args))
        except Exception:
            return None  # the reference itself cannot take this input: not a valid candidate
        found = _check(task, reference, function, failure.check, failure.index, args, expected)
        same_kind = found is not None and (found.error is None) == (failure.error is None)
        return found if same_kind else None

    def candidates(current: Failure) -> Iterator[tuple[Any, ...]]:
        batched = current.check == "vmap"
        yield tuple(_rounder(a) for a in current.args)  # first: same shapes, nothing to compile
        if batched:
            yield tuple(
                _take(a, 0, 1) if i not in reference.statics else a for i, a in enumerate(current.args)
            )
        for dim in reference.spec.dims:
            size = _size_of(reference, current.args, dim.name, batched)
            for smaller in range(dim.low, size) if size is not None else ():
                yield _slice_dim(reference, current.args, dim.name, smaller, batched)

    progress = True
    while progress and tries < SHRINK_TRIES and time.perf_counter() < deadline:
        progress = False
        for args in candidates(failure):
            if tries >= SHRINK_TRIES or time.perf_counter() > deadline:
                break
            if _same(args, failure.args):
                continue
            found = attempt(args)
            if found is not None:
                failure, shrunk, progress = found, True, True
                break
    return failure, shrunk


def _size_of(reference: Reference, args: tuple[Any, ...], dim: str, batched: bool) -> int | None:
    for arg, value in zip(reference.spec.args, args, strict=True):
        for array in arg.arrays:
            if dim in array.shape:
                leaf = _leaf(value, array.path)
                return int(leaf.shape[array.shape.index(dim) + batched])
    return None


def _slice_dim(
    reference: Reference, args: tuple[Any, ...], dim: str, size: int, batched: bool
) -> tuple[Any, ...]:
    out = list(args)
    for i, arg in enumerate(reference.spec.args):
        for array in arg.arrays:
            leaf = _leaf(out[i], array.path)
            for axis, name in enumerate(array.shape):
                if name == dim:
                    leaf = _take(leaf, axis + batched, size)
            out[i] = _put(out[i], array.path, leaf)
    return tuple(out)


def _leaf(value: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        value = value[name]
    return value


def _put(value: Any, path: tuple[str, ...], leaf: Any) -> Any:
    if not path:
        return leaf
    copy = dict(value)
    copy[path[0]] = _put(value[path[0]], path[1:], leaf)
    return copy


def _take(value: Any, axis: int, size: int) -> Any:
    return jax.lax.slice_in_dim(value, 0, size, axis=axis) if hasattr(value, "shape") else value


def _rounder(value: Any) -> Any:
    def leaf(x: Any) -> Any:
        if hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jnp.floating):
            return jnp.round(x)
        return x

    return jax.tree.map(leaf, value) if not isinstance(value, str | int | float | bool) else value


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    try:
        leaves_a, leaves_b = jax.tree.leaves(a), jax.tree.leaves(b)
        return len(leaves_a) == len(leaves_b) and all(
            getattr(x, "shape", None) == getattr(y, "shape", None) and _equal(x, y)
            for x, y in zip(leaves_a, leaves_b, strict=True)
        )
    except Exception:
        return False


def _equal(x: Any, y: Any) -> bool:
    if hasattr(x, "dtype") and jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
        x, y = jr.key_data(x), jr.key_data(y)
    return bool(np.array_equal(np.asarray(x), np.asarray(y)))


# --- the verdict in words -------------------------------------------------------------------------


def describe_failure(reference: Reference, failure: Failure) -> str:
    """Where it failed (the transform and the inputs), then expected against got, or the rule."""
    if failure.rule is not None:
        return failure.rule.text
    names = [arg.name for arg in reference.spec.args]
    lines = [_how(reference, failure)]
    lines += [
        f"  {name} = {text}"
        for name, value in zip(names, failure.args, strict=True)
        for name, text in _inputs(name, value)
    ]
    if failure.error is not None:
        lines.append(f"your function raised {type(failure.error).__name__}")
        return "\n".join(lines)
    lines.append(f"expected {short(failure.expected)}")
    lines.append(f"got      {short(failure.got)}")
    lines.append(failure.difference.replace("you said", "yours is"))
    return "\n".join(lines)


def _how(reference: Reference, failure: Failure) -> str:
    call = f"{reference.spec.function}({', '.join(a.name for a in reference.spec.args)})"
    if failure.check == DIRECT:
        return f"calling {call} directly, with"
    if failure.check == "jit":
        return f"under jax.jit: jax.jit({reference.spec.function})(...), with"
    if failure.check == "vmap":
        size = next(
            (
                leaf.shape[0]
                for leaf in jax.tree.leaves(_moving(failure.args, reference.statics))
                if hasattr(leaf, "shape")
            ),
            1,
        )
        return f"under jax.vmap, over a new leading batch axis of size {size} on every array, with"
    wrt = ", ".join(reference.spec.args[i].name for i in reference.differentiated)
    return f"under jax.grad: the gradient of the sum of your output with respect to {wrt}, with"


def _inputs(name: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for path, leaf in jax.tree_util.tree_flatten_with_path(value)[0]:
            yield name + jax.tree_util.keystr(path), short(leaf)
    else:
        yield name, short(value)


def short(value: Any) -> str:
    """One line: dtype and shape, then the values (long arrays cut)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple | list):
        return f"{type(value).__name__} of {len(value)}: " + ", ".join(short(v) for v in value[:4])
    if hasattr(value, "dtype") and jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
        return f"a PRNG key {format_shape(value.shape) if value.shape else ''}".rstrip()
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        with np.printoptions(precision=3, threshold=24, edgeitems=2, linewidth=10**6, suppress=True):
            text = np.array2string(np.asarray(value), separator=", ").replace("\n", "")
        text = " ".join(text.split())
        if len(text) > 120:
            text = text[:117] + "..."
        return f"{value.dtype}{format_shape(value.shape)} {text}"
    return repr(value)


def passed_note(reference: Reference) -> str:
    spec = reference.spec
    groups = len(reference.draws.groups())
    how = ", ".join(["directly", *(f"under {t}" for t in checks(spec)[1:])])
    rules = [r for r in spec.forbid if r != puzzle_rules.LOOPS]
    said = []
    if rules:
        said.append("no " + ", ".join(f"`{r}`" for r in rules))
    if puzzle_rules.LOOPS in spec.forbid:
        said.append("no Python loops")
    if spec.max_ops is not None:
        said.append(f"at most {spec.max_ops} operations")
    tail = f"; rules kept: {', '.join(said)}" if said else ""
    return f"passed {len(reference.draws.examples)} draws ({groups} sizes) {how}{tail}"


# --- helpers ----------------------------------------------------------------------------------------


@dataclass
class _State:
    tainted: str | None = None
    output: str = ""


@contextmanager
def guarded() -> Iterator[_State]:
    """Calls into the learner's or the reference's function, with the sandbox's protections: global
    state put back, output captured, the run's working directory."""
    state = _State()
    cwd = os.getcwd()
    with StateGuard() as guard, CapturedOutput() as captured:
        os.chdir(sandbox._workdir())
        sys.modules[sandbox.QUESTION_MODULE] = (
            sys.modules.get(sandbox.QUESTION_MODULE) or sandbox.fresh_module()
        )
        try:
            yield state
        finally:
            sys.modules.pop(sandbox.QUESTION_MODULE, None)
            os.chdir(cwd)
    state.output = captured.text
    state.tainted = guard.tainted


def _ready(value: Any) -> Any:
    try:
        return jax.block_until_ready(value)
    except (TypeError, ValueError):
        return value


def _sizes_text(sizes: dict[str, int]) -> str:
    return ", ".join(f"{name}={size}" for name, size in sizes.items()) or "fixed sizes"
