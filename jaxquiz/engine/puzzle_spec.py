"""What the worker needs to grade a puzzle, as plain data: the arguments to draw, the dims, the
transforms and the rules. Part of the wire protocol (`Task.puzzle`): only str, int, float, bool,
tuples and nested frozen dataclasses, so that it travels as JSON as well as pickled.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the deck models are pydantic, which the worker does not import
    from jaxquiz.decks.models import PuzzleQuestion
    from jaxquiz.decks.puzzle_inputs import ArrayInput, KeyInput, TreeInput, ValueInput

ArgKind = Literal["array", "tree", "key", "value"]


@dataclass(frozen=True)
class PuzzleArray:
    """One array to draw: a plain array argument (path ()) or a leaf of a tree argument."""

    path: tuple[str, ...] = ()  # keys from the tree's root to this leaf
    shape: tuple[str, ...] = ()  # dim names, or sizes written as digits
    dtype: str = "float32"
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class PuzzleArg:
    name: str
    kind: ArgKind
    arrays: tuple[PuzzleArray, ...] = ()  # array: one; tree: its leaves
    values: tuple[str, ...] = ()  # value: each choice as a Python literal (repr)


@dataclass(frozen=True)
class PuzzleDim:
    name: str
    low: int
    high: int


@dataclass(frozen=True)
class PuzzleSpec:
    function: str  # the name the learner's text must define
    args: tuple[PuzzleArg, ...]
    dims: tuple[PuzzleDim, ...] = ()
    examples: int = 25
    transforms: tuple[str, ...] = ("jit",)
    forbid: tuple[str, ...] = ()
    max_ops: int | None = None
    seed: int = 0  # the draws are the same for the reference and every answer

    @classmethod
    def from_question(cls, question: PuzzleQuestion) -> PuzzleSpec:
        args = tuple(_arg(name, spec) for name, spec in question.inputs.items())
        dims = tuple(PuzzleDim(name, lo, hi) for name, (lo, hi) in question.dim_ranges().items())
        return cls(
            function=question.function_name,
            args=args,
            dims=dims,
            examples=question.examples,
            transforms=tuple(question.transforms),
            forbid=tuple(question.forbid),
            max_ops=question.max_ops,
            # Stable across runs and machines (hash() of a str is not): the same draws each time.
            seed=zlib.crc32(f"{question.id}/{question.signature}".encode()),
        )


def _arg(name: str, spec: ArrayInput | KeyInput | TreeInput | ValueInput) -> PuzzleArg:
    from jaxquiz.decks.puzzle_inputs import ArrayInput, KeyInput, ValueInput, arrays_of

    if isinstance(spec, KeyInput):
        return PuzzleArg(name, "key")
    if isinstance(spec, ValueInput):
        return PuzzleArg(name, "value", values=tuple(repr(v) for v in spec.value))
    arrays = tuple(
        PuzzleArray(
            path=path,
            shape=tuple(str(size) for size in array.shape),
            dtype=array.dtype,
            low=None if array.range is None else array.range[0],
            high=None if array.range is None else array.range[1],
        )
        for path, array in arrays_of(spec)
    )
    return PuzzleArg(name, "array" if isinstance(spec, ArrayInput) else "tree", arrays)
