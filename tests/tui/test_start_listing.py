"""A start lists the decks from the deck cache's outlines before they are loaded: the list looks as
it will once they are, and a key pressed in that moment is acted on when the load is done."""

from __future__ import annotations

import threading

from jaxquiz.study.library import OpenedLibrary, open_library
from jaxquiz.study.listing import list_decks
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.help import HelpScreen
from jaxquiz.tui.screens.home import HomeScreen
from jaxquiz.tui.widgets.footer import AppFooter

SIZE = (100, 30)


def held_load(release: threading.Event):
    """The app's deck load, held back until the test releases it (the slow load of a busy start)."""

    def load() -> OpenedLibrary:
        assert release.wait(timeout=60), "the test never released the load"
        return open_library()

    return load


async def test_the_list_shows_before_the_load_and_looks_the_same_after_it(engine, store, clock, ui):
    open_library()  # an earlier start: the deck cache holds every bundled deck
    release = threading.Event()
    app = make_app(engine, store, clock, held_load(release), seed=0, listing=list_decks)
    async with app.run_test(size=SIZE) as pilot:
        # The footer draws its keys at its first frame, once the screen has its bindings.
        await ui.wait_until(pilot, lambda: "Quit" in ui.shown(app))
        assert isinstance(app.screen, HomeScreen) and app.decks is None
        before = ui.shown(app)
        assert "Creating and using arrays" in before and "Loading decks" not in before
        assert "Fundamentals" in before and "questions" in before  # the groups and the totals
        release.set()
        await ui.wait_until(pilot, lambda: app.decks is not None)
        assert ui.shown(app) == before


def study_key_enabled(app) -> bool | None:
    """Whether the footer shows the Study key enabled (None: it shows no such key)."""
    keys = [k for k in app.screen.query_one(AppFooter).keys if k.action == "study"]
    return None if not keys else keys[0].enabled


async def test_a_first_start_shows_the_loading_list_as_before(engine, store, clock, ui, private_deck_cache):
    release = threading.Event()
    app = make_app(engine, store, clock, held_load(release), seed=0, listing=list_decks)
    async with app.run_test(size=SIZE) as pilot:
        await ui.wait_until(pilot, lambda: study_key_enabled(app) is not None)
        assert "Loading decks" in ui.shown(app)  # an empty deck cache outlines nothing
        assert study_key_enabled(app) is False  # nothing to study yet: the footer says so
        release.set()
        await ui.wait_until(pilot, lambda: app.decks is not None)
        assert "Creating and using arrays" in ui.shown(app)
        # The footer follows the change of its keys (it draws them again when they change).
        await ui.wait_until(pilot, lambda: study_key_enabled(app))


async def test_a_key_pressed_before_the_load_is_acted_on_once_it_is_done(engine, store, clock, ui):
    open_library()
    release = threading.Event()
    app = make_app(engine, store, clock, held_load(release), seed=0, listing=list_decks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen) and home.selected is not None
        first = home.selected.title
        await pilot.press("enter")  # quiz the deck under the cursor
        await pilot.pause()
        assert app.session is None and app.screen is home  # nothing to quiz yet
        release.set()
        await ui.wait_until(pilot, lambda: app.session is not None)
        assert app.session.title == f"Quiz · {first}"


async def test_a_key_pressed_before_the_load_stays_behind_a_screen_opened_since(engine, store, clock, ui):
    open_library()
    release = threading.Event()
    app = make_app(engine, store, clock, held_load(release), seed=0, listing=list_decks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter", "question_mark")  # a quiz, then the help before the load is done
        await ui.wait_for_screen(pilot, HelpScreen)
        release.set()
        await ui.wait_until(pilot, lambda: app.decks is not None)
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and app.session is None
