"""A card's live result in the real app: `out` without naming `answer` (the starter card of
`jaxquiz new`), and what the code bound when it binds no `out`."""

from __future__ import annotations

from pathlib import Path

from jaxquiz.authoring.scaffold import render
from jaxquiz.decks.loader import LoadResult, load_deck_text
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.question import QuestionScreen

CARDS = """\
format: 1
deck: cards
title: Cards
questions:
  - id: no-out
    type: card
    prompt: What do `x` and `n` hold?
    back: Ones, and three.
    code: |
      x = jnp.ones(2)
      n = 3
"""


def result_text(ui, app) -> str:
    return ui.text_of(app.screen, "#card-result")


async def reveal(pilot, ui, app) -> str:
    await ui.wait_for_screen(pilot, QuestionScreen)
    await pilot.press("space")
    await ui.wait_until(pilot, lambda: "Live result" in result_text(ui, app))
    return result_text(ui, app)


async def test_the_starter_card_shows_its_live_result(engine, store, clock, tmp_path: Path, ui):
    loaded = load_deck_text(render("starter", "Starter"), tmp_path / "starter.yaml")
    engine.wait_ready()
    app = make_app(engine, store, clock, LoadResult(decks=[loaded]), seed=0)
    async with app.run_test(size=(100, 40)) as pilot:
        ui.start(app, ("starter", "what-grad-returns"))
        text = await reveal(pilot, ui, app)
        assert "Array(6., dtype=float32" in text, text  # jax.grad(x ** 2) at 3.0


async def test_a_card_without_out_shows_what_its_code_bound(engine, store, clock, tmp_path: Path, ui):
    loaded = load_deck_text(CARDS, tmp_path / "cards.yaml")
    engine.wait_ready()
    app = make_app(engine, store, clock, LoadResult(decks=[loaded]), seed=0)
    async with app.run_test(size=(100, 40)) as pilot:
        ui.start(app, ("cards", "no-out"))
        text = await reveal(pilot, ui, app)
        assert "x: float32[2]" in text and "n: int = 3" in text, text
        assert "NameError" not in text
