"""Save SVG screenshots of the main screens into assets/ (for the README), on the bundled decks.

    .venv/bin/python tests/tui/make_screenshots.py [--size 100x30]

Uses the real engine, a throwaway store with some made-up history (so that the home screen has due
questions and mastery to show), a frozen clock and a fixed seed: the same decks give the same
pictures.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.widgets import Input

from jaxquiz.decks import LoadedDeck, content_hash, discover
from jaxquiz.engine import Engine
from jaxquiz.store import Review, Store
from jaxquiz.study.scheduler import Rating, Scheduler
from jaxquiz.study.session import Entry, Session
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.question import QuestionScreen
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
                card, due = Scheduler(lambda at=at: at).review(card, rating, at)
                store.record_review(
                    Review(
                        at=at,
                        deck=loaded.id,
                        question=question.id,
                        content_hash=content_hash(loaded.deck, question),
                        params={},
                        answer="",
                        correct=rating != Rating.Again,
                        verdict={"status": "graded"},
                        response_ms=9000,
                        rating=int(rating),
                    ),
                    card,
                )
                at = max(due, at + timedelta(minutes=1)) if index % 2 == 0 else NOW - timedelta(days=1)


def pick_question(decks: list[LoadedDeck]) -> Entry:
    """A typed shape question with code, preferably from the vmap deck."""
    ordered = sorted(decks, key=lambda d: d.id != "vmap")
    for loaded in ordered:
        for question in loaded.deck.questions:
            if question.type == "shape" and not question.options:  # type: ignore[attr-defined]
                return Entry(loaded, question)
    raise SystemExit("no shape question without options in the bundled decks")


async def shoot(size: tuple[int, int]) -> None:
    decks = discover(user=False)
    store = Store.open(":memory:")
    made_up_history(store, decks.decks)
    with Engine() as engine:
        engine.wait_ready()
        app = make_app(engine, store, lambda: NOW, decks, seed=7)
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
    print(f"saved home, question, verdict and try-it SVGs in {out}")


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
