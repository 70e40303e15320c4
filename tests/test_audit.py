"""`jaxquiz check`'s audit: what it proves for each question, with several workers in parallel."""

from __future__ import annotations

from pathlib import Path

from jaxquiz.audit import audit
from jaxquiz.decks import load_deck_file

DECK = """\
format: 1
deck: audited
title: Audited
questions:
  - id: right
    type: shape
    prompt: p
    params: {N: [2, 3]}
    code: out = jnp.ones(($N, 4))
    expect: ($N, 4)
  - id: wrong-expect
    type: shape
    prompt: p
    code: out = jnp.ones((2, 4))
    expect: (4, 2)
  - id: wrong-accepted
    type: fill
    prompt: p
    code: out = jnp.zeros(___)
    solution: (3,)
    wrong: ["3", "(2,)"]
  - id: all-options-right
    type: dtype
    prompt: p
    code: out = jnp.ones(2)
    expect: float32
    options: [float32, jnp.float32]
  - id: raises-nothing
    type: raises
    prompt: p
    code: x = 1
    expect: TypeError
  - id: slow
    type: shape
    prompt: p
    timeout: 1
    code: |
      while True:
          pass
    expect: "1"
  - id: a-card
    type: card
    prompt: front
    back: back
    code: out = undefined_name
    answer: out
"""


def test_every_rule_is_proven_with_two_workers(tmp_path: Path):
    path = tmp_path / "audited.yaml"
    path.write_text(DECK)
    done = []
    reports = audit([load_deck_file(path)], jobs=2, on_done=done.append)
    by_id = {r.question.id: r for r in reports}
    assert [r.question.id for r in reports] == [
        "right",
        "wrong-expect",
        "wrong-accepted",
        "all-options-right",
        "raises-nothing",
        "slow",
        "a-card",
    ]
    assert len(done) == len(reports)
    assert by_id["right"].ok and by_id["right"].draws == 2
    assert "expect '(4, 2)' is graded wrong" in by_id["wrong-expect"].failures[0]
    assert "axis 0" in by_id["wrong-expect"].failures[0]
    [accepted] = by_id["wrong-accepted"].failures
    assert "'3' is accepted" in accepted  # jnp.zeros(3) is jnp.zeros((3,)): not a wrong answer
    assert by_id["all-options-right"].failures == [
        "every option is right: multiple choice needs at least one wrong option"
    ]
    assert "nothing was raised" in by_id["raises-nothing"].failures[0]
    assert "timeout" in by_id["slow"].failures[0]
    assert "card's code fails" in by_id["a-card"].failures[0]
    assert by_id["wrong-expect"].location == f"{path}:11"


PUZZLES = """\
format: 1
deck: audited-puzzles
title: Audited puzzles
questions:
  - id: sound
    type: puzzle
    prompt: p
    signature: "def double(x):"
    inputs: {x: {shape: [N]}}
    transforms: [jit, vmap, grad]
    solution: "def double(x):\\n    return 2 * x\\n"
    wrong: ["def double(x):\\n    return x * x\\n"]
  - id: wrong-passes
    type: puzzle
    prompt: p
    signature: "def double(x):"
    inputs: {x: {shape: [N]}}
    forbid: [mul]
    solution: "def double(x):\\n    return x + x\\n"
    wrong: ["def double(x):\\n    return 2 * x\\n", "def double(x):\\n    return x - x + x + x\\n"]
  - id: solution-breaks-a-rule
    type: puzzle
    prompt: p
    signature: "def double(x):"
    inputs: {x: {shape: [N]}}
    forbid: [add]
    solution: "def double(x):\\n    return x + x\\n"
    wrong: ["def double(x):\\n    return x\\n"]
"""


def test_a_puzzle_s_solution_must_pass_and_each_wrong_entry_fail(tmp_path: Path):
    path = tmp_path / "puzzles.yaml"
    path.write_text(PUZZLES)
    by_id = {r.question.id: r for r in audit([load_deck_file(path)], jobs=1)}
    assert by_id["sound"].ok, by_id["sound"].failures
    [accepted] = by_id["wrong-passes"].failures
    assert accepted.startswith("the wrong answer 'def double(x):\\n    return x - x + x + x\\n' is accepted")
    [broken] = by_id["solution-breaks-a-rule"].failures
    assert "the solution" in broken and "rule broken: `add` is not allowed in this puzzle" in broken
