"""The bar at the top, one widget drawing its line: the place cut at a word when the line is short,
the progress, the question's timer and the engine's state on the right, each drawn again when it
changes. The layout at 80 columns is in every snapshot."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.reactive import reactive

from jaxquiz.tui.screens.question import QuestionScreen
from jaxquiz.tui.widgets.top_bar import TopBar


def top_line(ui, app) -> str:
    return ui.shown(app).splitlines()[0]


async def test_a_short_line_cuts_the_place_at_a_word_and_keeps_the_right_side(app, ui):
    async with app.run_test(size=(48, 20)) as pilot:
        ui.start(app, ("tui-basics", "transpose-shape"), title="A rather long session title")
        await ui.wait_for_screen(pilot, QuestionScreen)
        assert top_line(ui, app) == " A rather long         1/1  ◷ 0:00  ● JAX ready"


async def test_the_question_s_timer_is_drawn_again_as_it_runs(app, ui, clock):
    async with app.run_test(size=(100, 30)) as pilot:
        ui.start(app, ("tui-basics", "transpose-shape"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        assert " 1/1  ◷ 0:00  " in top_line(ui, app)
        clock.advance(seconds=65)
        await ui.wait_until(pilot, lambda: " 1/1  ◷ 1:05  " in top_line(ui, app))
        assert screen.query_one(TopBar).region.height == 1


class EngineApp(App[None]):
    """The app's engine state alone (the real app sets it as its worker starts)."""

    engine_state: reactive[str] = reactive("starting")

    def compose(self) -> ComposeResult:
        yield TopBar("Home")


async def test_the_engine_state_is_drawn_again_when_it_changes(ui):
    app = EngineApp()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        assert top_line(ui, app) == " Home                  ◌ JAX warming up"
        app.engine_state = "ready"
        await pilot.pause()
        assert top_line(ui, app) == " Home                       ● JAX ready"
        app.engine_state = "failed"
        await pilot.pause()
        assert top_line(ui, app) == " Home                 ✘ JAX unavailable"
