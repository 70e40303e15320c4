"""`printed` and `warned` in scope for `answer`, through the real worker."""

from __future__ import annotations

from jaxquiz.engine import Engine, Task


def test_printed_counts_how_often_jit_traces(engine: Engine):
    code = (
        "@jax.jit\n"
        "def f(x):\n"
        "    print('tracing')\n"
        "    return x + 1\n"
        "f(1.0); f(2.0); f(jnp.ones(3))\n"
    )
    verdict = engine.grade(Task("value", code, answer="printed.count('tracing')"), "2")
    assert verdict.status == "graded" and verdict.correct, verdict
    assert "you said 3" in engine.grade(Task("value", code, answer="printed.count('tracing')"), "3").difference


def test_printed_holds_debug_print_and_not_stderr(engine: Engine):
    code = (
        "import sys\n"
        "print('to stderr', file=sys.stderr)\n"
        "@jax.jit\n"
        "def f(x):\n"
        "    jax.debug.print('x={x}', x=x)\n"
        "    return x\n"
        "f(jnp.int32(7))\n"
    )
    verdict = engine.grade(Task("value", code, answer="printed"), "'x=7\\n'")
    assert verdict.status == "graded" and verdict.correct, verdict
    assert "to stderr" in verdict.truth.output


def test_warned_lists_categories_of_the_code_and_of_jax(engine: Engine):
    code = (
        "import warnings\n"
        "warnings.warn('careful')\n"
        "warnings.warn('old', DeprecationWarning)\n"
        "out = 1\n"
    )
    task = Task("value", code, answer="warned")
    verdict = engine.grade(task, "['UserWarning', 'DeprecationWarning']")
    assert verdict.status == "graded" and verdict.correct, verdict
    assert "careful" in verdict.truth.output  # still printed for the learner
    # a second run sees the same: the once-per-line memory does not outlive a run
    again = engine.grade(Task("value", code + "\n", answer="warned"), "['UserWarning', 'DeprecationWarning']")
    assert again.correct, again


def test_a_warning_from_inside_jax_is_recorded_every_run(engine: Engine):
    code = "out = jnp.zeros(3, dtype=jnp.float64)\n"  # x64 is off: jax warns and truncates
    for _ in range(2):
        verdict = engine.grade(Task("value", code + " " * _, answer="warned"), "['UserWarning']")
        assert verdict.correct, verdict


def test_the_codes_own_name_printed_wins(engine: Engine):
    verdict = engine.grade(Task("value", "printed = 5\n", answer="printed"), "5")
    assert verdict.correct, verdict


def test_printed_and_warned_are_not_bindings_of_the_code(engine: Engine):
    exploration = engine.explore("x = 1\nprint('hi')", None, "printed", 10.0)
    assert exploration.answer is not None and "hi" in exploration.answer.preview
    assert [b.name for b in exploration.bindings] == ["x"]
