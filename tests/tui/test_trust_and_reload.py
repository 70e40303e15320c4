"""A deck from outside the bundle: the app shows its code and asks; edits on disk are reloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaxquiz.study.library import open_library
from jaxquiz.tui import app as app_module
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.home import HomeScreen
from jaxquiz.tui.screens.trust import TrustScreen

SIZE = (100, 30)
DECK = """\
format: 1
deck: mine
title: {title}
questions:
  - id: q
    type: shape
    prompt: What is the shape?
    code: out = jnp.ones(3)  # {title}
    expect: (3,)
"""


@pytest.fixture(autouse=True)
def quick_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deck files looked at every 0.1 s, not every second: an edit is seen sooner, nothing else."""
    monkeypatch.setattr(app_module, "WATCH_SECONDS", 0.1)


def write(path: Path, title: str) -> None:
    path.write_text(DECK.format(title=title))


def words(text: str) -> str:
    """The screen's text with line breaks and borders folded away (long paths wrap)."""
    return " ".join(text.replace("│", " ").split())


def titles(app) -> list[str]:
    return [d.deck.title for d in app.decks.decks]


async def test_the_app_asks_before_running_a_deck_and_asks_again_after_an_edit(
    engine, store, clock, tmp_path, ui
):
    deck = tmp_path / "mine.yaml"
    write(deck, "My deck")
    app = make_app(engine, store, clock, lambda: open_library([deck]), seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await ui.wait_for_screen(pilot, TrustScreen)
        text = words(ui.shown(app))
        assert "A deck is code" in text and "is not trusted yet" in text
        assert "out = jnp.ones(3)" in text  # its code, before it runs (a YAML comment is not code)
        assert "My deck" not in titles(app)
        await pilot.press("y")
        await ui.wait_for_screen(pilot, HomeScreen)
        assert "My deck" in titles(app)
        await pilot.press("end")  # the learner's own decks come after the bundled groups
        await ui.wait_until(pilot, lambda: "My deck" in ui.shown(app))

        write(deck, "My edited deck")  # seen at the next look: asked again, for the new content
        await ui.wait_for_screen(pilot, TrustScreen, timeout=10)
        assert "changed since you agreed" in words(ui.shown(app))
        await pilot.press("y")
        await ui.wait_until(pilot, lambda: "My edited deck" in titles(app), timeout=10)


async def test_refusing_leaves_the_deck_out_and_says_how_to_agree_later(engine, store, clock, tmp_path, ui):
    deck = tmp_path / "mine.yaml"
    write(deck, "My deck")
    app = make_app(engine, store, clock, lambda: open_library([deck]), seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await ui.wait_for_screen(pilot, TrustScreen)
        await pilot.press("n")
        await ui.wait_for_screen(pilot, HomeScreen)
        assert "My deck" not in titles(app)
        assert any(p.path == deck and "jaxquiz trust" in p.fix for p in app.decks.problems)
        assert "jaxquiz trust" in words(ui.shown(app))


async def test_a_trusted_folder_reloads_silently_and_a_broken_save_keeps_the_other_decks(
    engine, store, clock, tmp_path, ui
):
    from jaxquiz.trust import TrustStore

    folder = tmp_path / "authoring"
    folder.mkdir()
    deck = folder / "mine.yaml"
    write(deck, "My deck")
    TrustStore.load().trust_folder(folder)
    app = make_app(engine, store, clock, lambda: open_library([folder]), seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await ui.wait_until(pilot, lambda: app.decks is not None and "My deck" in titles(app))
        bundled = len(app.decks.decks) - 1
        write(deck, "Renamed")
        await ui.wait_until(pilot, lambda: "Renamed" in titles(app), timeout=10)
        assert not isinstance(app.screen, TrustScreen)
        deck.write_text("format: 1\ndeck: mine\ntitle: [oops\n")
        await ui.wait_until(pilot, lambda: any(p.path == deck for p in app.decks.problems), timeout=10)
        assert len(app.decks.decks) == bundled  # only the broken deck is gone
        assert "YAML syntax error" in words(ui.shown(app))
