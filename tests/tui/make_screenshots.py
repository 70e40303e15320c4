"""Save SVG screenshots of the main screens into assets/ (for the README), on the bundled decks:
home, question, verdict, try-it, a question typed first and with its options shown, a puzzle and
the verdict of a wrong answer to it, drill, drill-summary and stats.

    .venv/bin/python tests/tui/make_screenshots.py [--size 100x30]

Uses the real engine, a throwaway store with some made-up history (so that the home screen has due
questions and mastery to show, and months of practice for the stats), a clock that moves only when
told and a fixed seed: the same decks give the same pictures.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import history  # beside this script: the made-up progress the snapshot tests use too
from textual.widgets import Input

from jaxquiz.decks import LoadedDeck, discover
from jaxquiz.engine import Engine
from jaxquiz.store import Store
from jaxquiz.study.drills import DrillSettings
from jaxquiz.study.scheduler import Rating
from jaxquiz.study.session import Entry, Session
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.drill import DrillScreen
from jaxquiz.tui.screens.drill_summary import DrillSummaryScreen
from jaxquiz.tui.screens.question import QuestionScreen
from jaxquiz.tui.screens.stats import StatsScreen
from jaxquiz.tui.screens.try_it import TryItScreen
from jaxquiz.tui.screens.verdict import VerdictScreen

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def made_up_history(store: Store, decks: list[LoadedDeck]) -> None:
    """Some questions mastered over weeks, some failed yesterday (due now)."""
    rng = random.Random(0)
    for index, loaded in enumerate(decks[:6]):
        questions = loaded.deck.questions
        for question in questions[: rng.randint(4, len(questions))]:
            card, at = None, NOW - timedelta(days=120)
            ratings = (
                [Rating.Good, Rating.Easy, Rating.Easy, Rating.Easy] if index % 2 == 0 else [Rating.Again]
            )
            for rating in ratings:
                right = rating != Rating.Again
                card, due = history.review(
                    store, loaded, question, at, rating, card, correct=right, response_ms=9000
                )
                at = max(due, at + timedelta(minutes=1)) if index % 2 == 0 else NOW - timedelta(days=1)


def months_of_practice(store: Store, decks: list[LoadedDeck]) -> None:
    """Twelve weeks of reviews, getting better with time, and drills with two settings."""
    rng = random.Random(1)
    cards: dict[tuple[str, str], str] = {}
    for day in range(84, 0, -1):
        if rng.random() < 0.3:
            continue
        at = NOW - timedelta(days=day, hours=rng.randint(0, 8))
        for _ in range(rng.randint(1, 12)):
            loaded = rng.choice(decks[:8])
            question = rng.choice(loaded.deck.questions)
            right = rng.random() < 0.55 + 0.4 * (84 - day) / 84
            rating = Rating.Good if right else Rating.Again
            key = (loaded.id, question.id)
            cards[key], _ = history.review(
                store, loaded, question, at, rating, cards.get(key), correct=right, response_ms=8000
            )
            at += timedelta(minutes=1)
    for n, (day, right) in enumerate([(40, 5), (33, 6), (26, 5), (20, 6), (12, 8), (5, 7), (2, 9)]):
        settings = DrillSettings(count=10) if n % 2 == 0 else DrillSettings(minutes=5, interview=True)
        started = NOW - timedelta(days=day)
        history.finished_drill(
            store,
            settings,
            started,
            started + timedelta(minutes=5),
            correct=right + (n % 2) * 3,
            answered=10 if n % 2 == 0 else 14,
        )


class Clock:
    """Frozen at NOW until the script moves it (the drill's response times)."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def answer_drill(pilot, screen: DrillScreen, n: int, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    """Answer the `n`th question like a learner who knows most shapes: the true shape for typed
    shape questions (worked out by the engine), the first or the second option otherwise."""
    clock.now += timedelta(seconds=6 + 5 * (n % 3))
    item = screen.item
    if screen.query("#options"):
        await pilot.press("2" if n % 3 == 1 else "1")
        if item.multiple:
            await pilot.press("enter")  # a number only marks an option when several are right
    elif screen.query("#answer-line"):
        if item.type == "shape":
            outcome = await asyncio.to_thread(pilot.app.services.grader.outcome, item)
            shape = outcome.shape if outcome is not None and outcome.shape is not None else (1,)
            typed = str(tuple(shape))
        elif item.options:  # recalled or not: one of its options, typed
            typed = item.options[n % len(item.options)]
        else:
            typed = ""
        if typed:
            screen.query_one("#answer-line", Input).value = typed
            await pilot.press("enter")
        else:
            await pilot.press("ctrl+g")  # I don't know
    else:
        screen.query_one("#answer-block").text = "pass"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
    while pilot.app.screen is screen:
        await pilot.pause(0.05)


def pick_question(decks: list[LoadedDeck]) -> Entry:
    """A typed shape question with code, preferably from the vmap deck."""
    ordered = sorted(decks, key=lambda d: d.id != "vmap")
    for loaded in ordered:
        for question in loaded.deck.questions:
            if question.type == "shape" and not question.options:
                return Entry(loaded, question)
    raise SystemExit("no shape question without options in the bundled decks")


def pick_question_with_options(decks: list[LoadedDeck]) -> Entry:
    """A dtype question with options: typed first, its options on request."""
    ordered = sorted(decks, key=lambda d: d.id != "dtypes")
    for loaded in ordered:
        for question in loaded.deck.questions:
            if question.type == "dtype" and question.options and len(question.prompt) < 80:
                return Entry(loaded, question)
    raise SystemExit("no dtype question with options in the bundled decks")


PUZZLE_BODY = "return b[:, None] * a[None, :]"  # typed after the signature: the transpose, wrong


def pick_puzzle(decks: list[LoadedDeck]) -> Entry:
    """The outer product puzzle: short, with rules, graded under jit, vmap and grad."""
    loaded = next(d for d in decks if d.id == "puzzles")
    return Entry(loaded, loaded.deck.question("outer-product"))


def keys_for(text: str) -> list[str]:
    """The keys a learner presses to type `text`."""
    names = {" ": "space", "\n": "enter", "[": "left_square_bracket", "]": "right_square_bracket"}
    return [names.get(c, c) for c in text]


async def shoot(size: tuple[int, int]) -> None:
    decks = discover(user=False)
    store = Store.open(":memory:")
    made_up_history(store, decks.decks)
    clock = Clock()
    with Engine() as engine:
        engine.wait_ready()
        app = make_app(engine, store, clock, decks, seed=7)
        out = ROOT / "assets"
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            app.save_screenshot("home.svg", path=out)

            entry = pick_question(decks.decks)
            app.start_session(Session([entry], app.services.rng, "study", "Study"))
            screen = await wait_for(pilot, QuestionScreen)
            for widget in screen.query(Input):
                widget.cursor_blink = False
            app.save_screenshot("question.svg", path=out)

            screen.query_one("#answer-line", Input).value = "(2, 3)"
            await pilot.press("enter")
            await wait_for(pilot, VerdictScreen)
            app.save_screenshot("verdict.svg", path=out)

            await pilot.press("t")
            try_it = await wait_for(pilot, TryItScreen)
            await pilot.press("ctrl+r")
            while not str(try_it.query_one("#run-status").render()).startswith(("ran", "failed")):
                await pilot.pause(0.05)
            try_it.query_one("#editor").cursor_blink = False  # type: ignore[attr-defined]
            await pilot.pause()
            app.save_screenshot("try-it.svg", path=out)

            app.end_session()
            entry = pick_question_with_options(decks.decks)
            app.start_session(Session([entry], app.services.rng, "study", "Study"))
            screen = await wait_for(pilot, QuestionScreen)
            for widget in screen.query(Input):
                widget.cursor_blink = False
            app.save_screenshot("question-recall.svg", path=out)
            await pilot.press("ctrl+o")
            while not screen.query("#options"):
                await pilot.pause(0.05)
            await pilot.pause()
            app.save_screenshot("question-options.svg", path=out)

            app.end_session()
            app.start_session(Session([pick_puzzle(decks.decks)], app.services.rng, "study", "Study"))
            screen = await wait_for(pilot, QuestionScreen)
            await pilot.press(*keys_for(PUZZLE_BODY))
            screen.query_one("#answer-block").cursor_blink = False  # type: ignore[attr-defined]
            await pilot.pause()
            app.save_screenshot("puzzle.svg", path=out)
            await pilot.press("ctrl+s")
            await wait_for(pilot, VerdictScreen)
            app.save_screenshot("puzzle-verdict.svg", path=out)

            app.end_session()
            DrillScreen.FLASH_S = 3600.0  # the flash stays for the picture
            app.start_drill(DrillSettings(count=6, decks=("shapes",)))
            for n in range(6):
                screen = await wait_for(pilot, DrillScreen)
                if n == 2:
                    for widget in screen.query("Input, TextArea"):
                        widget.cursor_blink = False  # type: ignore[attr-defined]
                    await pilot.pause()
                    app.save_screenshot("drill.svg", path=out)
                await answer_drill(pilot, screen, n, clock)
            await wait_for(pilot, DrillSummaryScreen)
            app.save_screenshot("drill-summary.svg", path=out)

            app.end_session()
            months_of_practice(store, decks.decks)
            clock.now = NOW
            app.open_stats()
            await wait_for(pilot, StatsScreen)
            await pilot.pause(0.2)
            app.save_screenshot("stats.svg", path=out)
            await pilot.press("2")
            await pilot.pause(0.2)
            app.save_screenshot("stats-accuracy.svg", path=out)
    print(
        "saved home, question, verdict, try-it, question-recall, question-options, puzzle, puzzle-verdict,"
        " drill, drill-summary"
        f" and stats SVGs in {out}"
    )


async def wait_for(pilot, kind):  # type: ignore[no-untyped-def]
    for _ in range(1200):
        if isinstance(pilot.app.screen, kind):
            await pilot.pause()
            return pilot.app.screen
        await pilot.pause(0.05)
    raise SystemExit(f"{kind.__name__} did not show")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="100x30", help="terminal size, COLUMNSxROWS")
    width, height = (int(n) for n in parser.parse_args().size.split("x"))
    asyncio.run(shoot((width, height)))


if __name__ == "__main__":
    main()
