"""The look of the main screens at 80x24, pinned with pytest-textual-snapshot.

Deterministic: a frozen clock (the timer reads 0:00), a fixed seed for parameter draws, the warm
engine (its state is "ready" from the first frame), no blinking cursors, no timings on screen.
Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`,
and look at the SVGs under __snapshots__ before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from jaxquiz.decks import load_decks
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.question import QuestionScreen
from jaxquiz.tui.screens.try_it import TryItScreen
from jaxquiz.tui.screens.verdict import VerdictScreen

SIZE = (80, 24)
PUZZLES = Path("puzzle-decks")  # beside this file: one small puzzle


def still(pilot: Pilot) -> None:
    """Stop cursor blinking, so that a screenshot does not depend on when it is taken."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        assert isinstance(widget, Input | TextArea)
        widget.cursor_blink = False


def test_home(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE)


def test_question(snap_compare, app, ui):
    async def run_before(pilot: Pilot) -> None:
        ui.start(app, ("tui-basics", "transpose-shape"), ("tui-basics", "sum-dtype"))
        await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("ctrl+t")  # with the hint
        still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_question_typed_first_with_its_options_hidden(snap_compare, app, ui):
    async def run_before(pilot: Pilot) -> None:
        ui.start(app, ("tui-basics", "sum-dtype"))
        await ui.wait_for_screen(pilot, QuestionScreen)
        still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_question_with_its_options_shown_on_request(snap_compare, app, ui):
    async def run_before(pilot: Pilot) -> None:
        ui.start(app, ("tui-basics", "sum-dtype"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("ctrl+o")
        await ui.wait_until(pilot, lambda: screen.query("#options"))
        await pilot.press("down")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_verdict(snap_compare, app, ui):
    async def run_before(pilot: Pilot) -> None:
        ui.start(app, ("tui-basics", "transpose-shape"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        screen.query_one("#answer-line", Input).value = "3, 3"
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, VerdictScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_try_it(snap_compare, app, ui):
    async def run_before(pilot: Pilot) -> None:
        ui.start(app, ("tui-basics", "transpose-shape"))
        await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("ctrl+r")
        screen = await ui.wait_for_screen(pilot, TryItScreen)
        still(pilot)  # now: the first run waits for the try-it worker, longer than a blink
        await pilot.press("ctrl+r")
        await ui.wait_until(pilot, lambda: ui.text_of(screen, "#run-status").startswith("ran"))
        still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.fixture
def puzzle_app(engine, store, clock, monkeypatch):
    monkeypatch.chdir(Path(__file__).parent)
    engine.wait_ready()
    return make_app(engine, store, clock, load_decks([(PUZZLES, "path")]), seed=0)


def test_puzzle_question(snap_compare, puzzle_app, ui):
    """The function is written in the editor, which starts with the signature and uses the space."""

    async def run_before(pilot: Pilot) -> None:
        ui.start(puzzle_app, ("tui-puzzles", "outer"))
        await ui.wait_for_screen(pilot, QuestionScreen)
        await ui.keys_at_once(pilot, *"return a[:, None] * b[None, :]")
        still(pilot)

    assert snap_compare(puzzle_app, terminal_size=SIZE, run_before=run_before)
