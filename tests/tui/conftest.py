"""Fixtures of the app tests: the real engine (one per test process), a real SQLite store in
tmp_path, a clock that only moves when a test moves it, and the small decks beside this file."""

from __future__ import annotations

import gc
import html
import importlib.util
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from textual import events
from textual._styles_cache import StylesCache
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.screen import Screen

from jaxquiz.decks import LoadResult, load_decks
from jaxquiz.engine import Engine
from jaxquiz.store import Store
from jaxquiz.study.session import Entry, Session
from jaxquiz.tui import JaxQuizApp, make_app
from jaxquiz.tui.widgets.footer import AppFooter

HERE = Path(__file__).parent
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WAIT_S = 60.0  # a verdict on a busy two-core machine, with a worker being replaced


class Clock:
    """A frozen UTC clock that tests advance by hand (timers and response times stay exact)."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# `engine` comes from tests/conftest.py: one warm engine per test process, shared with the engine,
# audit and CLI tests (importing jax is the slow part). An app test whose question times out makes
# it replace its worker: its spare answers the next question at once, as in the app.


@pytest.fixture(autouse=True)
def drop_styles_caches() -> Iterator[None]:
    """Let the widgets of a finished app go. textual caches `StylesCache.get_inner_outer` with
    `lru_cache` on the method, so its cache keeps the last 1024 widgets' style caches (every
    rendered line of each) alive: held across tests, they made each full garbage collection of
    this test process walk them again."""
    yield
    StylesCache.get_inner_outer.cache_clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """Free a finished app at once, and keep what outlives it out of the garbage collector's
    later passes.

    An app's tens of thousands of objects in cycles live long enough to reach the collector's
    oldest generation, so only a full pass frees them, and each full pass walked everything that
    had lived since the tests began (caches, lazily imported modules, decks): about forty passes
    of 75 ms per test process. One pass here, once the test's fixtures are gone, walks little
    more than the app just finished; what survives it lives on to the end of the run, kept out of
    later passes like what was loaded before the tests (`pytest_collection_finish`)."""
    yield
    if item.path.is_relative_to(HERE):
        gc.collect()
        gc.freeze()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "progress.sqlite3") as opened:
        yield opened


@pytest.fixture
def decks(monkeypatch: pytest.MonkeyPatch) -> LoadResult:
    """The test decks, loaded by a relative path so that screens (and snapshots) show the same text."""
    monkeypatch.chdir(HERE)
    return load_decks([(Path("decks"), "path")])


@pytest.fixture
def app(engine: Engine, store: Store, clock: Clock, decks: LoadResult) -> JaxQuizApp:
    # Every app starts with JAX ready (a replaced worker would be warming up again).
    engine.wait_ready()
    return make_app(engine, store, clock, decks, seed=0)


async def wait_until(pilot: Pilot, condition: Callable[[], object], timeout: float = WAIT_S) -> None:
    """Let the app run until `condition()` holds (thread workers post back when they are done)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        await pilot.pause(0.05)
    await pilot.pause()


async def wait_for_screen(pilot: Pilot, kind: type[Screen], timeout: float = WAIT_S) -> Screen:
    """Let the app run until a `kind` screen is on top and its footer shows the screen's keys.

    A footer draws its keys at a frame of its own, a frame or more after the screen: a test
    that read the footer at once passed or failed with the load of the machine."""
    await wait_until(
        pilot, lambda: isinstance(pilot.app.screen, kind) and footer_shows_its_keys(pilot.app.screen), timeout
    )
    return pilot.app.screen


async def keys_at_once(pilot: Pilot, *keys: str) -> None:
    """Press `keys` as a terminal delivers a burst (a paste read as keys, a fast typist, a busy
    machine): all sent before the app handles the first, where `pilot.press` lets the app settle
    after each. One-character keys are typed characters (a newline is Enter, so `*text` types
    `text`); others are key names ("ctrl+u")."""
    for key in keys:
        key = "enter" if key == "\n" else key
        if len(key) == 1:
            name, character = (key if key.isalnum() else _character_to_key(key)), key
        else:
            name, character = key, " " if key == "space" else None
        event = events.Key(name, character)
        event.set_sender(pilot.app)
        pilot.app.post_message(event)
    await pilot.pause()


def footer_shows_its_keys(screen: Screen) -> bool:
    """Whether the screen's footer (if it has one) has drawn a key for each binding it is to show."""
    footers = screen.query(AppFooter)
    if not footers:
        return True
    shown = {key.action for key in footers.first().keys}
    wanted = [binding.action for _, binding, _, _ in screen.active_bindings.values() if binding.show]
    return all(action in shown for action in wanted)


def start(app: JaxQuizApp, *questions: tuple[str, str], title: str = "Test") -> Session:
    """Start a session on chosen (deck, question id) pairs, as the home screen would."""
    assert app.decks is not None
    by_id = {d.id: d for d in app.decks.decks}
    entries = [Entry(by_id[deck], by_id[deck].deck.question(qid)) for deck, qid in questions]
    session = Session(entries, app.services.rng, "quiz", title)
    app.start_session(session)
    return session


def text_of(screen: Screen, selector: str) -> str:
    """The plain text a widget shows."""
    widget = screen.query_one(selector)
    rendered = widget.render()
    return str(getattr(rendered, "plain", rendered))


_SVG_TEXT = re.compile(
    r'<text class="[^"]*-r\d+" x="([0-9.]+)" y="([0-9.]+)" textLength="([0-9.]+)"[^>]*>(.*?)</text>'
)


def shown(app: App) -> str:
    """What the terminal shows now, line by line (read back from an SVG screenshot of the app)."""
    rows: dict[float, dict[int, str]] = {}
    for x, y, length, raw in _SVG_TEXT.findall(app.export_screenshot()):
        text = html.unescape(raw).replace("\xa0", " ")
        cell = float(length) / max(1, len(text))  # every character is one cell here
        column = round(float(x) / cell)
        rows.setdefault(float(y), {})[column] = text
    lines = []
    for _, parts in sorted(rows.items()):
        line = ""
        for column, text in sorted(parts.items()):
            line = line.ljust(column) + text
        lines.append(line.rstrip())
    return "\n".join(lines)


@pytest.fixture
def ui() -> SimpleNamespace:
    """The helpers above, for test modules (conftest cannot be imported under importlib mode)."""
    return SimpleNamespace(
        wait_until=wait_until,
        wait_for_screen=wait_for_screen,
        keys_at_once=keys_at_once,
        start=start,
        text_of=text_of,
        shown=shown,
        T0=T0,
    )


def _load_history() -> ModuleType:
    # By path: under importlib mode a test module cannot import its neighbours, and
    # make_screenshots.py imports the same file as a plain module beside it.
    spec = importlib.util.spec_from_file_location("tui_made_up_history", HERE / "history.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_HISTORY = _load_history()


@pytest.fixture
def history() -> ModuleType:
    """history.py: made-up reviews and finished drills written straight into a store."""
    return _HISTORY
