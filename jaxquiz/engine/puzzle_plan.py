"""The order in which a puzzle's checks run on its draws, and how many executions that makes.

Plain Python (no jax): the worker follows the plan, and the engine bounds from it how long a
request may take (each execution of a function gets the puzzle's `timeout`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jaxquiz.engine.puzzle_draws import Draws, draw_examples
from jaxquiz.engine.puzzle_spec import PuzzleSpec

DIRECT = "direct"  # the function called as written, before any transform
TRANSFORMS = ("jit", "vmap", "grad")
# A failure is shrunk to a smaller failing input in at most this many tries (each one runs the
# reference and the learner's function once).
SHRINK_TRIES = 40
# The rules are read from traced programs: the smallest draw, then two sizes for `loops`.
RULE_TRACES = 3


@dataclass(frozen=True)
class Step:
    """One check on the draws of one group (a group shares its sizes).

    `probe`: only whether the function goes through the transform, on the group's first draw:
    traced, compiling nothing, where the transform runs jitted. So a transform the function
    cannot go through (a Python `if` on a traced value under jit, an operation vmap cannot
    batch) is found before the slower passes on larger sizes.
    """

    check: str
    group: int
    members: tuple[int, ...]  # example indices; vmap runs them as one stacked batch
    probe: bool = False

    @property
    def executions(self) -> int:
        return 1 if self.probe or self.check == "vmap" else len(self.members)


def checks(spec: PuzzleSpec) -> list[str]:
    return [DIRECT, *(t for t in TRANSFORMS if t in spec.transforms)]


def plan(spec: PuzzleSpec, groups: list[tuple[int, ...]], *, loops: bool = False) -> list[Step]:
    """The steps in order, for groups of example indices given smallest first.

    Called directly on every draw first, smallest group first: most wrong answers fail there,
    often only at a larger size (a mean over the wrong axis is right for one row), and nothing
    of the transforms is compiled for them. The transforms are probed on the smallest draw in
    between, so that one the function cannot go through is found before the larger sizes run.
    Then each transform on every draw of the smallest and the largest group (vmap: each group
    stacked into one batch). A transform is checked for what it changes: tracing (jit), batching
    (vmap), differentiation (grad), which the sizes between do not change, while every group
    holds a draw at zero and one at the ends of the range, where a gradient breaks; the direct
    calls have checked every draw's values. Each group a transform runs on costs it one
    compilation, most of the time a right answer takes.

    `loops`: the reference loops (`scan`, `while`). Called directly, a loop's body is a new
    closure on every call and compiles again for every draw, so with `jit` among the transforms
    the direct calls cover the first draw of each size only, and `jit` (compiled once per size)
    every draw.
    """
    transforms = checks(spec)[1:]
    sampled = loops and "jit" in transforms
    ends = {0, len(groups) - 1}
    direct = [members[:1] if sampled else members for members in groups]
    steps = [Step(DIRECT, 0, direct[0])]
    steps += [Step(check, 0, groups[0][:1], probe=True) for check in transforms]
    steps += [Step(DIRECT, index, members) for index, members in enumerate(direct) if index > 0]
    for check in transforms:
        steps += [
            Step(check, index, members)
            for index, members in enumerate(groups)
            if index in ends or (sampled and check == "jit")
        ]
    return steps


def group_members(draws: Draws) -> list[tuple[int, ...]]:
    """The example indices of each group, smallest group first."""
    examples = draws.examples
    return [
        tuple(i for i, e in enumerate(examples) if e.group == group)
        for group in sorted({e.group for e in examples})
    ]


@lru_cache(maxsize=64)
def executions(spec: PuzzleSpec, *, learner: bool = True) -> int:
    """At most how many times one request runs a function: the reference's code and every step
    (prepare); for a learner's answer, its code, the rules' traces and the shrinking too."""
    groups = group_members(draw_examples(spec))
    steps = max(sum(step.executions for step in plan(spec, groups, loops=loops)) for loops in (False, True))
    return 1 + steps + (RULE_TRACES + SHRINK_TRIES if learner else 0)
