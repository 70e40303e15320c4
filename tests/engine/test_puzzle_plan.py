"""The plan a puzzle is graded by: which checks run on which draws, in which order, and the
executions the engine gives time for. Plain Python: no worker needed."""

from __future__ import annotations

from jaxquiz.decks.models import PuzzleQuestion
from jaxquiz.engine.puzzle_draws import draw_examples
from jaxquiz.engine.puzzle_plan import SHRINK_TRIES, executions, group_members, plan
from jaxquiz.engine.tasks import task_of


def spec(**keys):
    question = PuzzleQuestion.model_validate(
        {
            "id": "p",
            "type": "puzzle",
            "prompt": "p",
            "signature": "def f(x):",
            "inputs": {"x": {"shape": ["N"]}},
            "dims": {"N": [1, 6]},
            "solution": "def f(x):\n    return x\n",
            "wrong": ["def f(x):\n    return None\n"],
            **keys,
        }
    )
    return task_of(question).puzzle


EVERY = spec(transforms=["jit", "vmap", "grad"])


def covered(steps, check):
    return {i for step in steps if step.check == check and not step.probe for i in step.members}


def test_every_draw_is_called_directly_first_smallest_size_first_then_each_transform():
    draws = draw_examples(EVERY)
    groups = group_members(draws)
    steps = plan(EVERY, groups)
    assert len(groups) == 4
    assert covered(steps, "direct") == set(range(25))
    order = [(s.check, s.group, s.probe) for s in steps]
    # The smallest size directly, the transforms probed on its first draw, the other sizes
    # directly, then each transform.
    assert order[:4] == [("direct", 0, False), ("jit", 0, True), ("vmap", 0, True), ("grad", 0, True)]
    assert order[4:7] == [("direct", 1, False), ("direct", 2, False), ("direct", 3, False)]
    assert [check for check, _, _ in order[7:]] == ["jit", "jit", "vmap", "vmap", "grad", "grad"]


def test_the_transforms_run_every_draw_of_the_smallest_and_largest_sizes_with_their_edge_values():
    draws = draw_examples(EVERY)
    groups = group_members(draws)
    steps = plan(EVERY, groups)
    ends = set(groups[0]) | set(groups[-1])
    for check in ("jit", "vmap", "grad"):
        assert covered(steps, check) == ends
    # Each of those sizes holds a draw at zero and one at the ends of the range, where a
    # gradient or a batched loop breaks.
    for members in (groups[0], groups[-1]):
        assert {draws.examples[i].kind for i in members} == {"random", "zeros", "extremes"}


def test_a_looping_reference_is_called_directly_once_per_size_and_jitted_on_every_draw():
    groups = group_members(draw_examples(EVERY))
    steps = plan(EVERY, groups, loops=True)
    assert covered(steps, "direct") == {members[0] for members in groups}
    assert covered(steps, "jit") == set(range(25))
    # Without jit among the transforms nothing is compiled as a whole: every draw directly.
    no_jit = spec(transforms=["vmap"])
    assert covered(plan(no_jit, group_members(draw_examples(no_jit)), loops=True), "direct") == set(range(25))


def test_the_engine_gives_time_for_every_execution_and_the_shrinking():
    # 25 direct, 3 probes, 11 draws under jit and under grad, 2 batches under vmap; a looping
    # reference makes fewer direct calls and more jitted ones: 4 + 3 + 25 + 2 + 11.
    assert executions(EVERY, learner=False) == 1 + 25 + 3 + 11 + 2 + 11
    assert executions(EVERY) == executions(EVERY, learner=False) + 3 + SHRINK_TRIES
