"""Where material comes from (`source`) and the setup the questions depend on, in the real app:
the lesson shows the deck's source and its setup folded; the verdict shows the question's source
with the explanation."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Collapsible, Input

from jaxquiz.decks.loader import LoadResult, load_deck_text
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.lesson import LessonScreen
from jaxquiz.tui.screens.question import QuestionScreen
from jaxquiz.tui.screens.verdict import VerdictScreen

SIZE = (100, 40)

DECK = """\
format: 1
deck: sharp-bits
title: Sharp bits
description: Pure functions only.
source: JAX docs, Sharp Bits
setup: |
  def impure(x):
      print("side effect")
      return x
questions:
  - id: trace-once
    type: value
    prompt: How often does `impure` print?
    code: |
      f = jax.jit(impure)
      f(1.0); f(2.0)
    answer: printed.count("side effect")
    expect: "1"
    explain: The print runs while tracing, once per shape and dtype.
    source: https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html
  - id: no-own-source
    type: value
    prompt: What is `out`?
    code: out = 1 + 1
    expect: "2"
"""


@pytest.fixture
def sharp_app(engine, store, clock, tmp_path: Path):
    def make(text: str = DECK):
        loaded = load_deck_text(text, tmp_path / "sharp.yaml")
        engine.wait_ready()
        return make_app(engine, store, clock, LoadResult(decks=[loaded]), seed=0), loaded

    return make


async def test_the_lesson_shows_the_source_and_the_setup_folded(sharp_app, ui):
    app, loaded = sharp_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(LessonScreen(loaded))
        await ui.wait_for_screen(pilot, LessonScreen)
        text = ui.shown(app)
        assert "Source  JAX docs, Sharp Bits" in text
        assert "Setup, run before every question" in text
        assert 'print("side effect")' not in text  # folded
        app.screen.query_one(Collapsible).collapsed = False
        await pilot.pause()
        assert 'print("side effect")' in ui.shown(app)


async def test_a_setup_no_question_uses_stays_out_of_the_lesson(sharp_app, ui):
    app, loaded = sharp_app(DECK.replace("      f = jax.jit(impure)\n", "      f = jax.jit(abs)\n"))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(LessonScreen(loaded))
        await ui.wait_for_screen(pilot, LessonScreen)
        assert "Setup, run before every question" not in ui.shown(app)


async def test_the_verdict_shows_the_source_with_the_explanation(sharp_app, ui):
    app, _ = sharp_app()
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("sharp-bits", "trace-once"), ("sharp-bits", "no-own-source"))
        await ui.wait_for_screen(pilot, QuestionScreen)
        app.screen.query_one("#answer-line", Input).value = "1"
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, VerdictScreen)
        text = ui.shown(app)
        assert "✔  Right" in text  # `printed` graded through the real engine
        assert "once per shape and dtype" in text
        assert "Source  https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html" in text
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, QuestionScreen)
        app.screen.query_one("#answer-line", Input).value = "2"
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "Source  JAX docs, Sharp Bits" in ui.shown(app)  # the deck's, for want of its own
