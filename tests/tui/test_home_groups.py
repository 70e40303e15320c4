"""The home screen groups the bundled decks (fundamentals, research) so that many decks stay
easy to scan at 80 × 24; a research deck runs on its several devices from the first question."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from jaxquiz.decks import discover
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.home import HomeScreen
from jaxquiz.tui.screens.lesson import LessonScreen
from jaxquiz.tui.screens.question import QuestionScreen
from jaxquiz.tui.screens.verdict import VerdictScreen

SIZE = (80, 24)


async def test_bundled_decks_are_grouped_and_the_cursor_skips_group_names(engine, store, clock, ui):
    decks = discover(user=False)
    app = make_app(engine, store, clock, decks, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        table = home.query_one("#decks", DataTable)
        rows = home.rows
        assert rows[0] == "Fundamentals" and "Research" in rows
        research = rows.index("Research")
        assert {d.id for d in rows[research + 1 :]} >= {"sharding", "collectives"}  # type: ignore[union-attr]
        assert all("research" not in d.deck.tags for d in rows[1:research])  # type: ignore[union-attr]
        assert "Fundamentals" in ui.shown(app)
        # The cursor rests on decks only: it starts on the first one, Home goes back there.
        assert table.cursor_row == 1 and home.selected is rows[1]
        await pilot.press("end", "home")
        assert table.cursor_row == 1
        # Up from the first research deck goes past the group's name to the last fundamental one.
        await pilot.press("end")
        for _ in range(len(rows) - 1 - (research + 1)):
            await pilot.press("up")
        assert home.selected is rows[research + 1]
        await pilot.press("up")
        assert table.cursor_row == research - 1 and home.selected is rows[research - 1]
        await pilot.press("down")
        assert table.cursor_row == research + 1
        assert "Research" in ui.shown(app)  # scrolled into view with its first deck
        assert home.selected.id == "collectives"  # type: ignore[union-attr]


# In the test process of tests/engine/test_devices.py's pools of several devices (one start each).
@pytest.mark.xdist_group("devices")
async def test_a_research_deck_is_answered_on_its_devices(engine, store, clock, ui):
    decks = discover(user=False)
    app = make_app(engine, store, clock, decks, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        await pilot.press("end")
        for _ in range(len(decks.decks)):  # up to collectives, the research group's first deck
            if home.selected.id == "collectives":  # type: ignore[union-attr]
                break
            await pilot.press("up")
        assert home.selected.id == "collectives"  # type: ignore[union-attr]
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, LessonScreen)
        assert 8 in engine.running  # its worker warms while the lesson is read
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, QuestionScreen)
        n = app.session.current().params["N"]
        pilot.app.screen.query_one("#answer-line", Input).value = f"({n // 4}, 6)"
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, VerdictScreen)
        text = ui.shown(app)
        assert "Right" in text
        assert "ran on 8 virtual CPU devices" in text


def test_the_learners_own_decks_come_after_the_bundled_groups(tmp_path):
    from jaxquiz.decks.loader import load_deck_text
    from jaxquiz.tui.screens.home import grouped

    bundled = discover(user=False).decks
    text = "format: 1\ndeck: mine\ntitle: Mine\ntags: [research]\nquestions:\n"
    text += "  - {id: a, type: card, prompt: p, back: b}\n"
    mine = load_deck_text(text, tmp_path / "mine.yaml", origin="user")
    rows = grouped([mine, *bundled])
    names = [row for row in rows if isinstance(row, str)]
    assert names == ["Fundamentals", "Research", "Your decks"]
    assert rows[-2:] == ["Your decks", mine]  # tagged research, but the learner's own
    # one group only: no names at all
    assert grouped([mine]) == [mine]
