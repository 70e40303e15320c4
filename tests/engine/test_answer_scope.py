"""`printed` and `warned` in scope for `answer`, through the real worker."""

from __future__ import annotations

from jaxquiz.decks.models import Deck
from jaxquiz.engine import Engine, Task
from jaxquiz.engine.tasks import task_of


def test_printed_counts_how_often_jit_traces(engine: Engine):
    code = "@jax.jit\ndef f(x):\n    print('tracing')\n    return x + 1\nf(1.0); f(2.0); f(jnp.ones(3))\n"
    verdict = engine.grade(Task("value", code, answer="printed.count('tracing')"), "2")
    assert verdict.status == "graded" and verdict.correct, verdict
    assert (
        "you said 3" in engine.grade(Task("value", code, answer="printed.count('tracing')"), "3").difference
    )


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
    code = "import warnings\nwarnings.warn('careful')\nwarnings.warn('old', DeprecationWarning)\nout = 1\n"
    task = Task("value", code, answer="warned")
    verdict = engine.grade(task, "['UserWarning', 'DeprecationWarning']")
    assert verdict.status == "graded" and verdict.correct, verdict
    assert "careful" in verdict.truth.output  # still printed for the learner
    # a second run sees the same: the once-per-line memory does not outlive a run
    again = engine.grade(Task("value", code + "\n", answer="warned"), "['UserWarning', 'DeprecationWarning']")
    assert again.correct, again


def test_warned_lists_a_warning_each_time_the_code_raises_it(engine: Engine):
    code = (
        "import warnings\n"
        "def careful():\n    warnings.warn('careful')\n"
        "for _ in range(3):\n    warnings.warn('again')\n"
        "careful()\ncareful()\nout = 1\n"
    )
    verdict = engine.grade(Task("value", code, answer="len(warned)"), "5")
    assert verdict.status == "graded" and verdict.correct, verdict


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


# --- `answer` defaults to `out` wherever code runs --------------------------------------------


def _question(**keys):
    deck = Deck.model_validate(
        {"format": 1, "deck": "d", "title": "t", "questions": [{"prompt": "p", **keys}]}
    )
    return deck.questions[0]


def test_a_card_shows_its_out_without_naming_answer(engine: Engine):
    card = _question(id="c", type="card", back="b", code="out = jnp.arange(3) * 2")
    task = task_of(card)
    assert task.answer == "out"
    outcome = engine.prepare(task).outcome
    assert outcome.shape == (3,) and "4" in outcome.preview, outcome


def test_a_card_without_out_shows_what_its_code_bound(engine: Engine):
    card = _question(id="c", type="card", back="b", code="x = jnp.ones(2)\nn = 3")
    outcome = engine.prepare(task_of(card)).outcome
    assert not outcome.raised, outcome
    assert "x: float32[2]" in outcome.preview and "n: int = 3" in outcome.preview


def test_a_card_naming_a_missing_answer_still_says_so(engine: Engine):
    card = _question(id="c", type="card", back="b", code="x = 1", answer="y")
    assert engine.prepare(task_of(card)).outcome.exception == "NameError"


def test_raises_none_without_out_is_about_the_code(engine: Engine):
    question = _question(id="r", type="raises", code="x = jnp.ones(2)", expect="none")
    verdict = engine.grade(task_of(question), "none")
    assert verdict.correct, verdict


def test_raises_evaluates_out_after_code_that_did_not_raise(engine: Engine):
    question = _question(id="r", type="raises", code="out = jnp.ones(2)", expect="none")
    verdict = engine.grade(task_of(question), "none")
    assert verdict.correct and verdict.truth.shape == (2,), verdict


def test_raises_truth_is_what_the_code_raised_not_out(engine: Engine):
    question = _question(id="r", type="raises", code="out = 1\nraise KeyError(1)", expect="KeyError")
    verdict = engine.grade(task_of(question), "KeyError")
    assert verdict.correct and verdict.truth.exception == "KeyError", verdict


def test_starter_card_of_jaxquiz_new_shows_a_live_result(engine: Engine, tmp_path):
    from jaxquiz.authoring.scaffold import render
    from jaxquiz.decks.loader import load_deck_text

    loaded = load_deck_text(render("starter", "Starter"), tmp_path / "starter.yaml")
    card = next(q for q in loaded.deck.questions if q.type == "card" and getattr(q, "code", None))
    outcome = engine.prepare(task_of(card, loaded.deck.setup)).outcome
    assert outcome.preview.strip() and not outcome.raised, outcome


def test_a_refused_write_is_the_codes_error_not_printeds(engine: Engine):
    code = "import sys\ntry:\n    sys.stdout.write(b'raw')\nexcept TypeError:\n    print('refused')\n"
    verdict = engine.grade(Task("value", code, answer="printed"), "'refused\\n'")
    assert verdict.correct, verdict


def test_printed_holds_a_long_output_whole_and_past_its_cap_says_so(engine: Engine):
    lines = "for i in range(20000):\n    print(i)\n"  # 108,890 characters: more than the output shown
    assert engine.grade(Task("value", lines, answer="len(printed.splitlines())"), "20000").correct
    flood = "print('y' * 2_000_000)\nout = 1\n"
    truth = engine.prepare(Task("value", flood, answer="len(printed)")).outcome
    assert truth.raised and truth.exception.endswith("PrintedTooLong"), truth
    assert "printed 2,000,001 characters" in (truth.error or ""), truth.error
    assert engine.grade(Task("value", flood), "1").correct  # an answer not about it runs on
