"""A puzzle's `timeout` is for one execution (one draw under one check), as the deck format
says: graded by the real worker, whose watchdog answers when an execution runs past it, even
one stuck inside XLA where Python cannot interrupt it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jaxquiz.decks.models import PuzzleQuestion
from jaxquiz.engine import Engine, Task
from jaxquiz.engine.puzzle_plan import executions
from jaxquiz.engine.tasks import task_of

TIMEOUT = 1.0


@pytest.fixture(scope="module")
def engine(shared_compile_cache: Path) -> Iterator[Engine]:
    """An engine of its own with a spare: a timeout replaces the worker."""
    with Engine(compile_cache=shared_compile_cache) as warm:
        warm.wait_ready()
        yield warm


def puzzle(**keys: Any) -> Task:
    question = PuzzleQuestion.model_validate(
        {
            "id": "p",
            "type": "puzzle",
            "prompt": "p",
            "signature": "def f(x):",
            "inputs": {"x": {"shape": ["N"]}},
            "dims": {"N": [1, 4]},
            "transforms": ["jit", "vmap"],
            "solution": "def f(x):\n    return x * 2\n",
            "wrong": ["def f(x): return x"],
            "timeout": TIMEOUT,
            **keys,
        }
    )
    return task_of(question)


# Both are right for one element and never finish for more, which the second size of the
# draws has: one loops in Python, the other inside XLA (a while_loop whose counter stops).
HANGS = {
    "in Python": "def f(x):\n    while x.shape[0] > 1:\n        pass\n    return x * 2\n",
    "inside XLA": (
        "def f(x):\n"
        "    step = 1 if x.shape[0] == 1 else 0\n"
        "    c = lax.while_loop(lambda c: c[1] < 3, lambda c: (c[0] * 1.5, c[1] + step), (x, 0))\n"
        "    return x * 2 + 0 * c[0]\n"
    ),
}


@pytest.mark.parametrize("where", list(HANGS))
def test_a_function_that_hangs_on_one_draw_times_out_there_within_the_timeout(engine, where):
    task = puzzle()
    prepared = engine.prepare(task)
    assert prepared.outcome.status == "ok", prepared.outcome
    start = time.perf_counter()
    verdict = engine.grade(task, HANGS[where], prepared)
    took = time.perf_counter() - start
    assert verdict.status == "timeout" and not verdict.correct, verdict
    lines = (verdict.error or "").splitlines()
    assert (
        lines[0]
        == f"timed out: your function did not finish within {TIMEOUT:g} s on this input, so it was stopped"
    )
    # Where: called directly (the first check), on a draw of the second size.
    assert lines[1] == "calling f(x) directly, with"
    assert lines[2].startswith("  x = float32(") and not lines[2].startswith("  x = float32(1,)"), lines
    assert verdict.truth.status == "ok"  # the question is fine: the learner's function hung
    # Within about the timeout of that one execution, where a timeout per pass over the draws
    # (or per draw, summed) would have waited several times as long.
    assert took < 2.5 * TIMEOUT, took
    assert executions(task.puzzle) * TIMEOUT > 10 * took
    # The worker stuck in the code is replaced; the next verdict comes as usual.
    again = engine.grade(task, "def f(x):\n    return x + x\n", engine.prepare(task))
    assert again.status == "graded" and again.correct, again


def test_a_function_slow_on_every_draw_but_within_the_timeout_passes(engine):
    # 0.3 s for each call (tracing under jit sleeps too), where the timeout is 1 s: the direct
    # pass over the 8 draws alone takes 2.4 s, past a timeout for each pass (2 passes, 2.5 s in
    # all). Each execution is within the timeout: that is the contract.
    task = puzzle(examples=8, transforms=["jit"], timeout=1)
    slow = "import time\n\ndef f(x):\n    time.sleep(0.3)\n    return x * 2\n"
    start = time.perf_counter()
    verdict = engine.grade(task, slow, engine.prepare(task))
    assert verdict.status == "graded" and verdict.correct, verdict
    assert time.perf_counter() - start > 2.4


def test_a_reference_that_hangs_is_the_question_s_timeout(engine):
    task = puzzle(solution="def f(x):\n    while True:\n        pass\n")
    start = time.perf_counter()
    prepared = engine.prepare(task)
    assert time.perf_counter() - start < 2.5 * TIMEOUT
    assert prepared.outcome.status == "timeout", prepared.outcome
    # It never returns from tracing, the first thing prepare does with it.
    assert (
        prepared.outcome.error
        == f"timed out: tracing the reference solution did not finish within {TIMEOUT:g} s"
    )
    # Grading it does not wait again: the question is at fault.
    verdict = engine.grade(task, "def f(x):\n    return x * 2\n", prepared)
    assert verdict.status == "question-error", verdict
