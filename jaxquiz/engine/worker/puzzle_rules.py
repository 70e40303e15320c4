"""A puzzle's rules, read from the learner's traced program (its jaxpr, sub-programs included):
forbidden primitives, Python loops (a program that grows with the input) and `max_ops`.

Each equation is tied to the learner's own line through the jaxpr's source info.
"""

from __future__ import annotations

import difflib
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jax
from jax.extend.core import Primitive

from jaxquiz.engine.worker.sandbox import QUESTION_FILE

LOOPS = "loops"
# What an author may write for a primitive with another name in a jaxpr (`dot` and `matmul`
# are names too: of jnp's jitted functions).
_MEANT = {
    "einsum": "dot_general",
    "loop": LOOPS,
    "for": LOOPS,
    "fori_loop": "while",
    "while_loop": "while",
    "sum": "reduce_sum",
    "max": "reduce_max",
    "min": "reduce_min",
    "multiply": "mul",
}
# Containers whose body may be a program jax traced earlier and cached (jnp's own jitted
# functions): the lines recorded in it can be from another run, so its container's line is used.
CACHED_BODIES = ("pjit", "jit")
# What learners write that makes a primitive, for the verdict.
MADE_BY = {
    "dot_general": "`@`, jnp.dot, jnp.matmul and jnp.einsum all make dot_general",
    "while": "lax.while_loop, and lax.fori_loop with traced bounds, make while",
    "scan": "lax.scan, and lax.fori_loop with fixed bounds, make scan",
    "cumsum": "jnp.cumsum makes cumsum",
    "cumprod": "jnp.cumprod makes cumprod",
    "gather": "indexing an array with another array (x[idx]) makes gather",
    "scatter-add": "x.at[idx].add(...) makes scatter-add",
    "cond": "lax.cond and lax.switch make cond",
    "select_n": "jnp.where and lax.select make select_n",
    "sort": "jnp.sort and jnp.argsort make sort",
}


@dataclass(frozen=True)
class Equation:
    primitive: str
    line: int | None  # the learner's line that made it, when known
    function: str | None = None  # the jitted function a jit equation calls (jnp.triu: "triu")


@dataclass(frozen=True)
class RuleBroken:
    rule: str  # the primitive, "loops" or "max_ops"
    text: str  # what the verdict says


def equations(fn: Callable[..., Any], args: tuple[Any, ...]) -> list[Equation]:
    """Every equation of the traced program of `fn(*args)`, sub-programs included."""
    closed = jax.make_jaxpr(fn)(*args)
    return list(_walk(closed.jaxpr, None, trusted=True))


def _walk(jaxpr: Any, container_line: int | None, trusted: bool) -> Iterator[Equation]:
    for eqn in jaxpr.eqns:
        own = _learner_line(eqn) if trusted else None
        line = own or container_line
        function = eqn.params.get("name") if eqn.primitive.name in CACHED_BODIES else None
        yield Equation(eqn.primitive.name, line, function if isinstance(function, str) else None)
        inner_trusted = trusted and eqn.primitive.name not in CACHED_BODIES
        for sub in _sub_jaxprs(eqn.params):
            yield from _walk(sub, line, inner_trusted)


def _sub_jaxprs(params: dict[str, Any]) -> Iterator[Any]:
    for value in params.values():
        for item in value if isinstance(value, tuple | list) else (value,):
            if hasattr(item, "eqns"):
                yield item
            elif hasattr(getattr(item, "jaxpr", None), "eqns"):
                yield item.jaxpr


def _learner_line(eqn: Any) -> int | None:
    try:
        frames = eqn.source_info.traceback.frames
    except AttributeError:
        return None
    for frame in frames:  # innermost first: the learner's deepest line
        if frame.file_name == QUESTION_FILE:
            return int(frame.line_num)
    return None


def check_names(forbid: tuple[str, ...]) -> None:
    """Raise ValueError for a name in `forbid` that is no primitive and no jitted function of
    the jax loaded here: a typo, and a rule that would never apply."""
    known = _primitive_names() | _jitted_function_names()
    unknown = sorted(set(forbid) - {LOOPS} - known)
    if not unknown:
        return
    said = []
    for name in unknown:
        close = [_MEANT[name]] if name in _MEANT else difflib.get_close_matches(name, [*known, LOOPS], n=1)
        said.append(f"`{name}`" + (f" (did you mean `{close[0]}`?)" if close else ""))
    raise ValueError(
        f"`forbid` names {', '.join(said)}: no JAX primitive or jitted function has that name, so "
        "the rule would never apply. Use a name as a jaxpr shows it (`jax.make_jaxpr`): a "
        f"primitive, a jitted function (`jit[name=triu]`), or `{LOOPS}`"
    )


def _primitive_names() -> set[str]:
    """The names of the primitives of every jax module loaded now (a solution may load more)."""
    names: set[str] = set()
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("jax"):
            for value in list(getattr(module, "__dict__", {}).values()):
                if isinstance(value, Primitive):
                    names.add(value.name)
    return names


def _jitted_function_names() -> set[str]:
    """The names jax's own jitted functions (jnp.triu, jnp.cumsum, ...) show in a jaxpr."""
    names: set[str] = set()
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("jax"):
            for value in list(getattr(module, "__dict__", {}).values()):
                if type(value).__name__ == "PjitFunction":
                    names.add(getattr(value, "__name__", ""))
    return names - {""}


def forbidden(found: list[Equation], forbid: tuple[str, ...], source: str) -> RuleBroken | None:
    """The first equation whose primitive, or the jitted function it calls, is forbidden."""
    names = set(forbid) - {LOOPS}
    # Primitives first: jnp.cumsum is a jitted `cumsum` that holds the primitive `cumsum`, which
    # the verdict can say more of (what makes it).
    primitive_found = any(eqn.primitive in names for eqn in found)
    for eqn in found:
        if eqn.function in names and not primitive_found:
            return RuleBroken(
                eqn.function,
                f"rule broken: `{eqn.function}` is not allowed in this puzzle; "
                f"{_where(eqn.line, source, 'it is called from')}",
            )
        if eqn.primitive in names:
            made = f" ({MADE_BY[eqn.primitive]})" if eqn.primitive in MADE_BY else ""
            return RuleBroken(
                eqn.primitive,
                f"rule broken: `{eqn.primitive}` is not allowed in this puzzle{made}; "
                f"{_where(eqn.line, source, 'it comes from')}",
            )
    return None


def grows(
    small: list[Equation], large: list[Equation], small_sizes: str, large_sizes: str, source: str
) -> RuleBroken | None:
    """A program that grows with the input: something loops in Python over its elements."""
    if len(large) <= len(small):
        return None
    before = Counter(eqn.line for eqn in small)
    after = Counter(eqn.line for eqn in large)
    line = max(after, key=lambda key: (after[key] - before.get(key, 0), key is not None))
    return RuleBroken(
        LOOPS,
        "rule broken: no Python loops over the elements. Your traced program has "
        f"{len(small)} operations for {small_sizes} and {len(large)} for {large_sizes}: it grows "
        "with the input, so a Python loop unrolls into it; "
        f"{_where(line, source, 'the extra ones come from')}. "
        "Broadcast, or use a jax loop (lax.scan, lax.fori_loop) where the puzzle allows one.",
    )


def too_many(found: list[Equation], max_ops: int, sizes: str, source: str) -> RuleBroken | None:
    if len(found) <= max_ops:
        return None
    lines = Counter(eqn.line for eqn in found)
    line = max(lines, key=lambda key: (lines[key], key is not None))
    return RuleBroken(
        "max_ops",
        f"rule broken: at most {max_ops} operations; your traced program has {len(found)} for "
        f"the smallest draw ({sizes}); {_where(line, source, 'the most come from')}",
    )


def _where(line: int | None, source: str, lead: str) -> str:
    lines = source.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return f"{lead} code that is not yours (setup or a library)"
    return f"{lead} your line {line}: `{lines[line - 1].strip()}`"
