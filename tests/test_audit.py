"""`jaxquiz check`'s audit: what it proves for each question, with several workers in parallel."""

from __future__ import annotations

from pathlib import Path

from jaxquiz.audit import QuestionReport, audit, audit_question
from jaxquiz.decks import load_deck_file
from jaxquiz.engine import Engine

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
    params: {N: [1, 2, 3]}
    timeout: 0.3
    code: |
      while True:
          pass
    expect: "1"
  - id: two-right-on-one-draw
    type: value
    prompt: p
    params: {X: [2, 3]}
    code: out = 3 * $X ** 2
    expect: 3 * $X ** 2
    options: ["3 * $X ** 2", "6 * $X", "$X ** 3"]
  - id: raises-any-options
    type: raises
    prompt: p
    exception: any
    code: out = jnp.zeros(6).reshape(4, 2)
    expect: error
    options: [TypeError, ValueError, none]
  - id: raises-any-wrong-expect
    type: raises
    prompt: p
    exception: any
    code: out = jnp.zeros(6).reshape(4, 2)
    expect: ValueError
  - id: a-card
    type: card
    prompt: front
    back: back
    code: out = undefined_name
    answer: out
  - id: unreadable-option
    type: dtype
    prompt: p
    code: out = jnp.ones(2)
    expect: float32
    options: [float32, float33]
  - id: wrong-typo
    type: fill
    prompt: p
    code: out = jnp.zeros(___)
    solution: (3,)
    wrong: ["(2,)", "(3,", "int32"]
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
        "two-right-on-one-draw",
        "raises-any-options",
        "raises-any-wrong-expect",
        "a-card",
        "unreadable-option",
        "wrong-typo",
    ]
    assert len(done) == len(reports)
    assert by_id["right"].ok and by_id["right"].draws == 2
    assert "expect '(4, 2)' is graded wrong" in by_id["wrong-expect"].failures[0]
    assert "axis 0" in by_id["wrong-expect"].failures[0]
    [accepted] = by_id["wrong-accepted"].failures
    assert "'3' is accepted" in accepted  # jnp.zeros(3) is jnp.zeros((3,)): not a wrong answer
    [all_right] = by_id["all-options-right"].failures
    assert "2 options are right ('float32', 'jnp.float32'): exactly one must be" in all_right
    # 3·X² is 6·X at X=2 and X³ at X=3: each draw names itself and the two right options
    assert by_id["two-right-on-one-draw"].failures == [
        "[X=2] 2 options are right ('3 * 2 ** 2', '6 * 2'): exactly one must be. "
        "Fix: change the parameters or the option",
        "[X=3] 2 options are right ('3 * 3 ** 2', '3 ** 3'): exactly one must be. "
        "Fix: change the parameters or the option",
    ]
    # with `exception: any` every class is right once the code fails
    [any_class] = by_id["raises-any-options"].failures
    assert "2 options are right ('TypeError', 'ValueError')" in any_class
    # ... but the deck's own `expect` must still name what is raised
    [claim] = by_id["raises-any-wrong-expect"].failures
    assert "expect 'ValueError' is not the class raised: it raises TypeError, not ValueError" in claim
    assert "nothing was raised" in by_id["raises-nothing"].failures[0]
    # code that loops on its first draw is not run again on the others, each waiting its timeout
    timed_out, skipped = by_id["slow"].failures
    assert timed_out.startswith("[N=1] timed out: the code did not finish within 0.3 s")
    assert skipped == "2 more draws not run: this one timed out" and by_id["slow"].draws == 1
    assert "card's code fails" in by_id["a-card"].failures[0]
    assert by_id["wrong-expect"].location == f"{path}:11"
    # an option no learner could mean fails; a `wrong` typo passes with a warning (it is sent back)
    [unreadable] = by_id["unreadable-option"].failures
    assert unreadable.startswith("option 'float33' cannot be read ('float33' is not a dtype JAX knows")
    assert by_id["wrong-typo"].ok, by_id["wrong-typo"].failures
    typo, sent_back = by_id["wrong-typo"].warnings
    assert typo.startswith("the wrong answer '(3,' does not parse (")
    assert sent_back.startswith(
        "the wrong answer 'int32' is sent back (name 'int32' is not defined: did you mean jnp.int32?)"
    )


def test_an_option_written_twice_on_a_draw_fails_the_audit(tmp_path: Path, engine: Engine):
    """The loader rejects such a deck; the audit says the same of a question it is handed."""
    path = tmp_path / "twice.yaml"
    path.write_text(
        "format: 1\ndeck: twice\ntitle: T\nquestions:\n"
        "  - id: q\n    type: shape\n    prompt: p\n    code: out = jnp.zeros(2)\n    expect: (2,)\n"
        "    options: ['(2,)', '(3,)']\n"
    )
    loaded = load_deck_file(path)
    question = loaded.deck.questions[0].model_copy(update={"options": ["(2,)", "(3,)", "(3,)"]})
    report = QuestionReport(loaded, question)
    audit_question(engine, report)
    assert report.failures == ["the option '(3,)' appears twice: change the parameters or the option"]


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
  - id: forbids-a-typo
    type: puzzle
    prompt: p
    signature: "def double(x):"
    inputs: {x: {shape: [N]}}
    forbid: [mull, loop, loops]
    solution: "def double(x):\\n    return x + x\\n"
    wrong: ["def double(x):\\n    return x\\n"]
"""


def test_a_puzzle_s_solution_must_pass_and_each_wrong_entry_fail(tmp_path: Path, engine: Engine):
    path = tmp_path / "puzzles.yaml"
    path.write_text(PUZZLES)
    by_id = {r.question.id: r for r in audit([load_deck_file(path)], jobs=1, engine=engine)}
    assert by_id["sound"].ok, by_id["sound"].failures
    [accepted] = by_id["wrong-passes"].failures
    assert accepted.startswith("the wrong answer 'def double(x):\\n    return x - x + x + x\\n' is accepted")
    [broken] = by_id["solution-breaks-a-rule"].failures
    assert "the solution" in broken and "rule broken: `add` is not allowed in this puzzle" in broken
    # a rule that could never apply is the deck's error, not a rule kept
    [typo] = by_id["forbids-a-typo"].failures
    assert typo.startswith(  # in its own words: not "the code raised ValueError"
        "`forbid` names `loop` (did you mean `loops`?), `mull` (did you mean `mul`?): no JAX "
        "primitive or jitted function has that name"
    )


CODE_ERRORS = """\
format: 1
deck: code-errors
title: T
setup: |
  import math
  scale = math.nope
questions:
  - id: in-a-function
    type: value
    prompt: p
    code: |
      def f(a):
          return a.nope
      out = f(jnp.ones(3))
    expect: "1"
  - id: does-not-parse
    type: shape
    prompt: p
    code: out = jnp.ones((2,
    expect: "2"
"""


def test_a_failing_line_of_code_or_setup_is_named_by_its_place_in_the_file(tmp_path: Path, engine: Engine):
    path = tmp_path / "errors.yaml"
    path.write_text(CODE_ERRORS.replace("  scale = math.nope\n", "  scale = 2\n"))
    by_id = {r.question.id: r for r in audit([load_deck_file(path)], jobs=1, engine=engine)}
    [raised] = by_id["in-a-function"].failures
    assert f"line 3 ({path}:14): out = f(jnp.ones(3))" in raised
    assert f"line 2 ({path}:13), in f: return a.nope" in raised
    [typo] = by_id["does-not-parse"].failures
    assert f"'(' was never closed (line 1, {path}:19)" in typo
    path.write_text(CODE_ERRORS)  # the deck's setup fails first, for every question
    by_id = {r.question.id: r for r in audit([load_deck_file(path)], jobs=1, engine=engine)}
    assert f"setup line 2 ({path}:6): scale = math.nope" in by_id["in-a-function"].failures[0]
