"""Grading a puzzle like a property-based test: the learner's function against the reference on
seeded draws (smallest sizes first), called directly and under each transform, then the rules
read from the learner's jaxpr. The first failure is shrunk and told in plain words.

Each execution of a function (its code, one draw under one check, one trace) gets the puzzle's
`timeout`, kept by the worker's watchdog: past it, the watchdog answers for the request.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np

from jaxquiz.engine.answers import format_shape
from jaxquiz.engine.protocol import Task
from jaxquiz.engine.puzzle_draws import DrawnArray, DrawnKey, Draws, draw_examples, nested, sized
from jaxquiz.engine.puzzle_plan import DIRECT, SHRINK_TRIES, Step, checks, group_members, plan
from jaxquiz.engine.puzzle_spec import PuzzleSpec
from jaxquiz.engine.worker import compare, puzzle_rules, sandbox
from jaxquiz.engine.worker.capture import CapturedOutput
from jaxquiz.engine.worker.guard import StateGuard
from jaxquiz.engine.worker.watchdog import Watchdog

TRACE_FAILED = "trace"
# Reference programs with these loop inside: called directly, their bodies are new closures on
# every call, which compile again every time (the plan calls them directly less).
LOOP_PRIMITIVES = ("scan", "while")
# A smaller failing input is worth a fraction of a second, not more. Tests that pin what shrinking
# finds lift it (the tries still bound it), so that a busy machine's slower compiles change nothing.
SHRINK_BUDGET_ENV = "JAXQUIZ_SHRINK_BUDGET_S"  # read as the worker runs, not when it is imported
SHRINK_BUDGET_S = 0.3
FLOATS = ("float32", "float16", "bfloat16")


@dataclass(frozen=True)
class Limit:
    """`seconds` for each execution; past them, `overrun(text)` answers for the request (called
    from the watchdog's thread, with what was running in words)."""

    seconds: float
    watchdog: Watchdog
    overrun: Callable[[str], object]

    def execution(self, describe: Callable[[], str]) -> AbstractContextManager[None]:
        return self.watchdog.limit(self.seconds, lambda: self.overrun(describe()))


def _within(limit: Limit | None, describe: Callable[[str], str]) -> AbstractContextManager[None]:
    """The body as one execution under `limit` (none in-process); `describe(seconds)` says what
    did not finish."""
    if limit is None:
        return nullcontext()
    return limit.execution(partial(describe, f"{limit.seconds:g} s"))


# --- what prepare keeps --------------------------------------------------------------------------


@dataclass
class Reference:
    """The reference function, the draws, and its results on them (computed while the learner writes)."""

    spec: PuzzleSpec
    function: Callable[..., Any]
    draws: Draws
    inputs: list[tuple[Any, ...]]  # per example, as jax values
    expected: dict[tuple[str, int], Any] = field(default_factory=dict)  # (check, example or group)
    loops: bool = False  # its program loops (scan, while): the plan calls it directly less
    groups: list[tuple[int, ...]] = field(default_factory=list)  # example indices, smallest first
    batches: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # per group, stacked for vmap
    programs: Programs | None = None

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

    @property
    def steps(self) -> list[Step]:
        return plan(self.spec, self.groups, loops=self.loops)

    def calls(self, step: Step) -> list[tuple[int, tuple[Any, ...]]]:
        """(key, arguments) of each execution of a step: per draw, or one batch (vmap) whose key
        is the group."""
        if step.check == "vmap":
            if step.members == self.groups[step.group]:
                return [(step.group, self.batches[step.group])]
            return [(step.group, batch([self.inputs[i] for i in step.members], self.statics))]
        return [(i, self.inputs[i]) for i in step.members]


def setup_of(task: Task) -> str | None:
    """The deck's setup, then the puzzle's own `code` (shown above the editor)."""
    parts = [part for part in (task.setup, task.code) if part]
    return "\n".join(parts) or None


def prepare(task: Task, limit: Limit | None = None) -> sandbox.Run:
    """Run the reference on every draw under every transform; `run.value` is the Reference."""
    spec = task.puzzle
    assert spec is not None
    with _within(limit, lambda s: f"the reference solution's code did not finish within {s}"):
        run = sandbox.execute(task.solution or "", setup_of(task), spec.function)
    if run.exception is not None:
        return run
    try:
        puzzle_rules.check_names(spec.forbid)  # after the solution ran: it may load more of jax
    except ValueError as error:  # the deck's error, not its solution's
        run.exception, run.traceback = compare.QuestionError(str(error)), None
        return run
    start = time.perf_counter()
    draws = draw_examples(spec)
    reference = Reference(spec, run.value, draws, [to_jax(example.args) for example in draws.examples])
    reference.groups = group_members(draws)
    with guarded() as state:
        try:
            reference.batches = {
                index: batch([reference.inputs[i] for i in members], reference.statics)
                for index, members in enumerate(reference.groups)
            }
            reference.loops = _loops_inside(reference, limit)
            reference.programs = Programs(reference, reference.function)
            for step in reference.steps:
                if step.probe:
                    continue  # the reference runs every step in full
                for key, args in reference.calls(step):
                    describe = partial(_timed_out, reference, step.check, args, "the reference solution")
                    with _within(limit, describe):
                        reference.expected[(step.check, key)] = _ready(reference.programs(step.check, args))
        except Exception as error:
            run.exception = error
            run.traceback = sandbox.own_traceback(error)
    run.tainted = run.tainted or state.tainted
    run.value = reference
    run.elapsed_ms += (time.perf_counter() - start) * 1000
    return run


def _loops_inside(reference: Reference, limit: Limit | None) -> bool:
    smallest = reference.inputs[0]
    fn = _closed(reference.function, smallest, reference.statics)
    try:
        with _within(limit, lambda s: f"tracing the reference solution did not finish within {s}"):
            found = puzzle_rules.equations(fn, _moving(smallest, reference.statics))
    except Exception:  # a reference that cannot trace: the draws say where it fails
        return False
    return any(eqn.primitive in LOOP_PRIMITIVES for eqn in found)


# --- running a function under a check ------------------------------------------------------------


class Programs:
    """One function ready for every check: called as written, and under each transform.

    With `jit` among the puzzle's transforms, vmap and grad run jitted too, as in real work
    (`jax.jit(jax.vmap(f))`): one compilation per size of the draws, where op by op every
    operation compiles again for each size (and the body of a loop for every call). Without
    it they run op by op, since the puzzle does not ask the function to be jit-compatible.
    jit keeps one compiled program per shape, so shrinking reuses what the draws compiled.
    """

    def __init__(self, reference: Reference, fn: Callable[..., Any]) -> None:
        statics = reference.statics
        names = tuple(reference.spec.args[i].name for i in reference.differentiated)
        vmap = partial(_vmapped, fn, statics)
        grad = partial(_gradient, reference.differentiated, names, fn)
        jitted = "jit" in reference.spec.transforms
        jit = partial(jax.jit, static_argnums=statics)
        self.calls: dict[str, Callable[..., Any]] = {
            DIRECT: fn,
            "jit": jit(fn),
            "vmap": jit(vmap) if jitted else vmap,
            "grad": jit(grad) if jitted else grad,
        }

    def __call__(self, check: str, args: tuple[Any, ...]) -> Any:
        return self.calls[check](*args)

    def probe(self, check: str, args: tuple[Any, ...]) -> None:
        """Whether the function goes through `check` at all: raises what it raises. A jitted
        program is only traced (nothing compiles; its first call on these shapes reuses the
        trace); op by op, tracing is running (and what it compiles, the full pass reuses)."""
        call = self.calls[check]
        if hasattr(call, "trace"):
            call.trace(*args)
        else:
            _ready(call(*args))


def _vmapped(fn: Callable[..., Any], statics: tuple[int, ...], *args: Any) -> Any:
    """`fn` mapped over axis 0 of every argument but the static ones (closed over: vmap maps
    over arrays only)."""
    moving = [i for i in range(len(args)) if i not in statics]

    def mapped(*batched: Any) -> Any:
        full = list(args)
        for i, value in zip(moving, batched, strict=True):
            full[i] = value
        return fn(*full)

    return jax.vmap(mapped)(*(args[i] for i in moving))


def _gradient(
    wrt: tuple[int, ...], names: tuple[str, ...], fn: Callable[..., Any], *args: Any
) -> dict[str, Any]:
    """The gradient of the sum of every float output with respect to each float input, by name."""

    def total(*diff: Any) -> Any:
        full = list(args)
        for i, value in zip(wrt, diff, strict=True):
            full[i] = value
        leaves = [
            leaf for leaf in jax.tree.leaves(fn(*full)) if jnp.issubdtype(jnp.result_type(leaf), jnp.floating)
        ]
        return sum((jnp.sum(leaf) for leaf in leaves), jnp.float32(0))

    grads = jax.grad(total, argnums=tuple(range(len(wrt))))(*(args[i] for i in wrt))
    return dict(zip(names, grads, strict=True))


def batch(examples: list[tuple[Any, ...]], statics: tuple[int, ...]) -> tuple[Any, ...]:
    """One argument tuple with a new leading axis on every array (statics shared by the group)."""
    first = examples[0]
    return tuple(
        first[i] if i in statics else jax.tree.map(_stack, *(e[i] for e in examples))
        for i in range(len(first))
    )


def _stack(*leaves: Any) -> Any:
    # Stacked by numpy and put on the device at once: `jnp.stack` runs as a program of its own,
    # compiled for each new shape (tens of milliseconds each time). PRNG keys are no numpy data.
    if jax.dtypes.issubdtype(leaves[0].dtype, jax.dtypes.prng_key):
        return jnp.stack(leaves)
    return jax.device_put(np.stack([np.asarray(leaf) for leaf in leaves]))


def to_jax(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_to_jax(arg) for arg in args)


def _to_jax(value: Any) -> Any:
    if isinstance(value, DrawnArray):
        # device_put, not jnp.asarray: that compiles a copy for each new shape (about 13 ms)
        return jax.device_put(np.asarray(nested(value), dtype=value.dtype).reshape(value.shape))
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


def grade(task: Task, reference: Reference, answer: str, limit: Limit | None = None) -> Graded:
    spec = reference.spec
    with _within(limit, lambda s: f"your code did not finish within {s}, before any draw ran"):
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
        rule = _rules(reference, function, answer, limit)
        if rule is not None and rule.rule != TRACE_FAILED:
            graded.failure = Failure("rules", 0, reference.inputs[0], rule=rule)
        else:
            programs = Programs(reference, function)
            graded.failure = _first_failure(task, reference, programs, limit)
            if graded.failure is not None:
                graded.failure, graded.shrunk = _shrink(task, reference, programs, graded.failure, limit)
            elif rule is not None:
                graded.failure = Failure("rules", 0, reference.inputs[0], rule=rule)
    graded.runs.append(sandbox.Run(tainted=state.tainted))
    graded.output += state.output
    if graded.failure is None:
        graded.note = passed_note(reference)
    return graded


def _first_failure(
    task: Task, reference: Reference, programs: Programs, limit: Limit | None
) -> Failure | None:
    """The first failing execution, in the order of the plan (`puzzle_plan.plan`)."""
    for step in reference.steps:
        for key, args in reference.calls(step):
            if step.probe:
                failure = _probe(reference, programs, step.check, key, args, limit)
            else:
                expected = reference.expected[(step.check, key)]
                failure = _check(task, reference, programs, step.check, key, args, expected, limit)
            if failure is not None:
                return failure
    return None


def _probe(
    reference: Reference,
    programs: Programs,
    check: str,
    key: int,
    args: tuple[Any, ...],
    limit: Limit | None,
) -> Failure | None:
    try:
        with _within(limit, partial(_timed_out, reference, check, args, "your function")):
            programs.probe(check, args)
    except Exception as error:
        return Failure(check, key, args, error=error)
    return None


def _check(
    task: Task,
    reference: Reference,
    programs: Programs,
    check: str,
    index: int,
    args: tuple[Any, ...],
    expected: Any,
    limit: Limit | None,
) -> Failure | None:
    try:
        with _within(limit, partial(_timed_out, reference, check, args, "your function")):
            got = _ready(programs(check, args))
    except Exception as error:
        return Failure(check, index, args, expected, error=error)
    difference = compare.compare_results(expected, got, task.rtol, task.atol).difference
    if difference:
        return Failure(check, index, args, expected, got, difference)
    return None


def _timed_out(reference: Reference, check: str, args: tuple[Any, ...], whose: str, seconds: str) -> str:
    """What ran past its limit, then where: the call or transform and the inputs, as a failure
    is told. Called from the watchdog's thread while the execution still runs."""
    said = f"{whose} did not finish within {seconds} on this input, so it was stopped"
    try:
        return "\n".join([said, _how(reference, check, args), *_input_lines(reference, args)])
    except Exception:  # the inputs cannot be shown (the code broke numpy): say the rest
        return said


def _rules(
    reference: Reference, function: Callable[..., Any], source: str, limit: Limit | None
) -> puzzle_rules.RuleBroken | None:
    spec = reference.spec
    if not spec.forbid and spec.max_ops is None:
        return None
    smallest = reference.inputs[0]
    try:
        found = _equations(reference, function, smallest, limit)
        broken = puzzle_rules.forbidden(found, spec.forbid, source)
        if broken is None and puzzle_rules.LOOPS in spec.forbid:
            broken = _loops(reference, function, found, source, limit)
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


def _equations(
    reference: Reference, function: Callable[..., Any], args: tuple[Any, ...], limit: Limit | None
) -> list[puzzle_rules.Equation]:
    """The learner's traced program on `args`, read for the rules."""
    describe = partial(_timed_out, reference, "rules", args, "tracing your function (to read the rules)")
    with _within(limit, describe):
        return puzzle_rules.equations(
            _closed(function, args, reference.statics), _moving(args, reference.statics)
        )


def _loops(
    reference: Reference,
    function: Callable[..., Any],
    smallest: list[puzzle_rules.Equation],
    source: str,
    limit: Limit | None,
) -> puzzle_rules.RuleBroken | None:
    """Compare the program at two sizes (at least 2, where a size-1 axis cannot change what jnp
    emits for broadcasting); a program that grows loops in Python."""
    spec = reference.spec
    small = {d.name: min(max(d.low, 2), d.high) for d in spec.dims}
    large = {d.name: min(d.high, small[d.name] + 3) for d in spec.dims}
    if small == large:
        return None  # every dim is fixed: nothing to grow with
    programs = [
        _equations(reference, function, to_jax(sized(spec, sizes)), limit) for sizes in (small, large)
    ]
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
    task: Task, reference: Reference, programs: Programs, failure: Failure, limit: Limit | None
) -> tuple[Failure, bool]:
    """A smaller input with the same kind of failure: rounder values, fewer elements along each
    dim (and a batch of one under vmap). Within a time budget; the draws are already
    smallest first, so this only trims what a draw had to spare. Sizes the draws already had
    come first: both functions are compiled for them."""
    truth = reference.programs
    assert truth is not None
    deadline = time.perf_counter() + float(os.environ.get(SHRINK_BUDGET_ENV, SHRINK_BUDGET_S))
    tries = 0
    shrunk = False
    check = failure.check

    def attempt(args: tuple[Any, ...]) -> Failure | None:
        nonlocal tries
        tries += 1
        try:
            describe = partial(_timed_out, reference, check, args, "the reference solution")
            with _within(limit, describe):
                expected = _ready(truth(check, args))
        except Exception:
            return None  # the reference itself cannot take this input: not a valid candidate
        found = _check(task, reference, programs, check, failure.index, args, expected, limit)
        same_kind = found is not None and (found.error is None) == (failure.error is None)
        return found if same_kind else None

    def candidates(current: Failure) -> Iterator[tuple[Any, ...]]:
        batched = check == "vmap"
        yield tuple(_rounder(a) for a in current.args)  # first: same shapes, nothing to compile
        if batched:
            yield tuple(
                _take(a, 0, 1) if i not in reference.statics else a for i, a in enumerate(current.args)
            )
        yield from _at_drawn_sizes(reference, current.args, batched)
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


def _at_drawn_sizes(reference: Reference, args: tuple[Any, ...], batched: bool) -> Iterator[tuple[Any, ...]]:
    """`args` cut down to the sizes of each group of draws below theirs, smallest first: both
    functions are compiled for those sizes already."""
    now = {d.name: _size_of(reference, args, d.name, batched) for d in reference.spec.dims}
    for members in reference.groups:
        sizes = reference.draws.examples[members[0]].sizes
        if sizes == now or any(have is None or sizes[name] > have for name, have in now.items()):
            continue
        cut = args
        for name, size in sizes.items():
            cut = _slice_dim(reference, cut, name, size, batched)
        yield cut


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
    # Cut by numpy, as `_stack` stacks: a jax slice compiles for each new shape.
    if not hasattr(value, "shape"):
        return value
    if jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
        return jax.lax.slice_in_dim(value, 0, size, axis=axis)
    return jax.device_put(np.asarray(value)[(slice(None),) * axis + (slice(0, size),)])


def _rounder(value: Any) -> Any:
    def leaf(x: Any) -> Any:
        if hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jnp.floating):
            return jax.device_put(np.round(np.asarray(x)))  # half to even, as jnp.round
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
    lines = [_how(reference, failure.check, failure.args), *_input_lines(reference, failure.args)]
    if failure.error is not None:
        lines.append(f"your function raised {type(failure.error).__name__}")
        return "\n".join(lines)
    lines.append(f"expected {short(failure.expected)}")
    lines.append(f"got      {short(failure.got)}")
    lines.append(failure.difference.replace("you said", "yours is"))
    return "\n".join(lines)


def _how(reference: Reference, check: str, args: tuple[Any, ...]) -> str:
    call = f"{reference.spec.function}({', '.join(a.name for a in reference.spec.args)})"
    if check == DIRECT:
        return f"calling {call} directly, with"
    if check == "rules":
        return (
            f"reading the rules from the traced program, jax.make_jaxpr({reference.spec.function})(...), with"
        )
    if check == "jit":
        return f"under jax.jit: jax.jit({reference.spec.function})(...), with"
    if check == "vmap":
        size = next(
            (
                leaf.shape[0]
                for leaf in jax.tree.leaves(_moving(args, reference.statics))
                if hasattr(leaf, "shape")
            ),
            1,
        )
        return f"under jax.vmap, over a new leading batch axis of size {size} on every array, with"
    wrt = ", ".join(reference.spec.args[i].name for i in reference.differentiated)
    return f"under jax.grad: the gradient of the sum of your output with respect to {wrt}, with"


def _input_lines(reference: Reference, args: tuple[Any, ...]) -> list[str]:
    names = [arg.name for arg in reference.spec.args]
    return [
        f"  {name} = {text}"
        for name, value in zip(names, args, strict=True)
        for name, text in _inputs(name, value)
    ]


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
    """How many draws passed under what, as the plan ran them, and the rules kept."""
    spec = reference.spec
    total = len(reference.draws.examples)
    covered: dict[str, frozenset[int]] = {}
    for check in checks(spec):
        steps = [step for step in reference.steps if step.check == check and not step.probe]
        covered[check] = frozenset(i for step in steps for i in step.members)
    parts: list[tuple[frozenset[int], list[str]]] = []  # checks with the same draws, in order
    for check, members in covered.items():
        if parts and parts[-1][0] == members and parts[-1][1][0] != DIRECT:
            parts[-1][1].append(check)
        else:
            parts.append((members, [check]))
    if all(len(members) == total for members, _ in parts):
        how = ", each " + " and ".join(_under(names) for _, names in parts)
    else:
        how = ": " + "; ".join(
            f"{_which_draws(reference, members)} {_under(names)}" for members, names in parts
        )
    rules = [r for r in spec.forbid if r != puzzle_rules.LOOPS]
    said = []
    if rules:
        said.append("no " + ", ".join(f"`{r}`" for r in rules))
    if puzzle_rules.LOOPS in spec.forbid:
        said.append("no Python loops")
    if spec.max_ops is not None:
        said.append(f"at most {spec.max_ops} operations")
    tail = f"; rules kept: {', '.join(said)}" if said else ""
    return f"passed {total} draws of {len(reference.groups)} sizes{how}{tail}"


def _which_draws(reference: Reference, members: frozenset[int]) -> str:
    groups = reference.groups
    if len(members) == len(reference.draws.examples):
        return f"all {len(members)}"
    if members == {*groups[0], *groups[-1]}:
        return f"the {len(members)} of the smallest and largest sizes"
    if members == {group[0] for group in groups}:
        return f"{len(members)}, one of each size,"
    return str(len(members))


def _under(checks: list[str]) -> str:
    if checks == [DIRECT]:
        return "directly"
    return "under " + (checks[0] if len(checks) == 1 else f"{', '.join(checks[:-1])} and {checks[-1]}")


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
