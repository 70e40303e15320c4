"""Puzzles, answered like a person would on the real engine and a real SQLite file: the function
is written in the editor from its signature, checked with ctrl+s under jit, vmap and grad, its
rules read from the jaxpr, and tried with ctrl+r on the smallest draw. Also: the deck's lesson
opens for a deck with only a source, or a setup its questions use."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from jaxquiz.decks import LoadResult, load_decks
from jaxquiz.decks.loader import load_deck_text
from jaxquiz.study.session import Session
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.ask import AskScreen
from jaxquiz.tui.screens.lesson import LessonScreen
from jaxquiz.tui.screens.question import QuestionScreen
from jaxquiz.tui.screens.try_it import TryItScreen
from jaxquiz.tui.screens.verdict import VerdictScreen
from jaxquiz.tui.widgets.python_editor import PythonEditor

SIZE = (100, 40)
PUZZLES = Path("puzzle-decks")  # one puzzle, small draws; the snapshot tests use it too


# Typed after the starter (the signature and an indented empty line), as a learner would.
RIGHT_BODY = "return a[:, None] * b[None, :]"
TRANSPOSED_BODY = "return b[:, None] * a[None, :]"  # (M, N): wrong whenever N != M
MATMUL_BODY = "return a[:, None] @ b[None, :]"  # the right values, through dot_general


@pytest.fixture
def puzzle_app(engine, store, clock, monkeypatch):
    monkeypatch.chdir(Path(__file__).parent)  # relative: the screens show the same path everywhere
    engine.wait_ready()
    return make_app(engine, store, clock, load_decks([(PUZZLES, "path")]), seed=0)


async def open_puzzle(pilot, ui) -> QuestionScreen:
    ui.start(pilot.app, ("tui-puzzles", "outer"))
    screen = await ui.wait_for_screen(pilot, QuestionScreen)
    assert isinstance(screen, QuestionScreen)
    return screen


async def write_and_check(pilot, ui, body: str) -> str:
    """Type the body after the signature the editor starts with, as a learner does, and check it."""
    await ui.keys_at_once(pilot, *body)
    await pilot.press("ctrl+s")
    await ui.wait_for_screen(pilot, VerdictScreen)
    return ui.shown(pilot.app)


async def test_a_right_function_written_from_its_signature_is_right(puzzle_app, store, ui):
    app = puzzle_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_puzzle(pilot, ui)
        text = ui.shown(app)
        assert "WRITE THE FUNCTION" in text and "Your function" in text
        editor = screen.query_one("#answer-block", PythonEditor)
        assert editor.text == "def outer(a, b):\n    " and editor.has_focus
        text = await write_and_check(pilot, ui, RIGHT_BODY)
        assert "✔  Right" in text
        # how it was checked: the draws, each transform and the rule kept
        flat = " ".join(line.strip() for line in text.splitlines())
        assert "passed 6 draws of 2 sizes, each directly and under jit, vmap and grad" in flat
        assert "rules kept: no `dot_general`" in flat
        assert "Solution" not in text  # the reference is shown after a miss only
        assert "Ran on      cpu" in text
        await pilot.press("enter")  # accepts the proposed rating
        await ui.wait_until(pilot, lambda: not isinstance(app.screen, VerdictScreen))
    [review] = store.reviews()
    assert review.correct is True
    assert review.answer == "def outer(a, b):\n    return a[:, None] * b[None, :]"


async def test_escape_in_the_editor_asks_to_leave_as_the_footer_says(puzzle_app, ui):
    app = puzzle_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_puzzle(pilot, ui)
        assert screen.query_one("#answer-block", PythonEditor).has_focus and "esc Leave" in ui.shown(app)
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)


async def test_a_wrong_function_shows_the_smallest_failing_inputs_and_the_solution(puzzle_app, store, ui):
    app = puzzle_app
    async with app.run_test(size=SIZE) as pilot:
        await open_puzzle(pilot, ui)
        text = await write_and_check(pilot, ui, TRANSPOSED_BODY)
        assert "✘  Wrong" in text
        lines = text.splitlines()
        # the difference: how it was called, on which inputs, expected against got
        difference = next(i for i, line in enumerate(lines) if line.startswith(" Difference"))
        assert "calling outer(a, b) directly, with" in lines[difference]
        shown_inputs = "\n".join(lines[difference + 1 : difference + 3])
        assert "a = float32(" in shown_inputs and "b = float32(" in shown_inputs
        assert "expected float32(" in text and "got      float32(" in text
        # the reference, under "Solution", every line of it
        solution = next(i for i, line in enumerate(lines) if line.startswith(" Solution"))
        assert lines[solution].endswith("def outer(a, b):")
        assert lines[solution + 1].strip() == "return a[:, None] * b[None, :]"
        await pilot.press("enter")
        await ui.wait_until(pilot, lambda: not isinstance(app.screen, VerdictScreen))
    [review] = store.reviews()
    assert review.correct is False


async def test_a_function_that_does_not_parse_is_sent_back_with_where_and_kept_in_the_editor(
    puzzle_app, store, ui
):
    app = puzzle_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_puzzle(pilot, ui)
        await ui.keys_at_once(pilot, *"column = a[:, None]\nreturn column * b[None, :] +")
        await pilot.press("ctrl+s")
        await ui.wait_until(pilot, lambda: "Could not read that" in ui.text_of(screen, "#feedback"))
        assert "your code is not valid Python: invalid syntax (line 3)" in ui.text_of(screen, "#feedback")
        assert app.screen is screen and "Solution" not in ui.shown(app)
        editor = screen.query_one("#answer-block", PythonEditor)
        assert editor.text.endswith("return column * b[None, :] +") and not editor.disabled
    assert store.reviews() == []


async def test_a_function_that_breaks_a_rule_is_wrong_and_names_the_rule_and_its_line(puzzle_app, ui):
    app = puzzle_app
    async with app.run_test(size=SIZE) as pilot:
        await open_puzzle(pilot, ui)
        text = await write_and_check(pilot, ui, MATMUL_BODY)
        assert "✘  Wrong" in text
        flat = " ".join(line.strip() for line in text.splitlines())
        assert "rule broken: `dot_general` is not allowed in this puzzle" in flat
        assert "it comes from your line 2: `return a[:, None] @ b[None, :]`" in flat


async def test_try_it_runs_the_body_on_the_smallest_draw_and_lists_every_array(puzzle_app, ui):
    app = puzzle_app
    async with app.run_test(size=SIZE) as pilot:
        question = await open_puzzle(pilot, ui)
        await ui.keys_at_once(pilot, *"column = a[:, None]\nreturn column * b[None, :]")
        await pilot.press("ctrl+r")
        screen = await ui.wait_for_screen(pilot, TryItScreen)
        code = screen.query_one("#editor", PythonEditor).text
        assert "the smallest draw" in code and "column = a[:, None]" in code
        await pilot.press("ctrl+r")
        await ui.wait_until(pilot, lambda: ui.text_of(screen, "#run-status").startswith(("ran", "failed")))
        assert ui.text_of(screen, "#run-status").startswith("ran"), ui.shown(app)
        table = screen.query_one(DataTable)
        rows = {
            str(table.get_row_at(i)[0]): [str(cell) for cell in table.get_row_at(i)[1:]]
            for i in range(table.row_count)
        }
        # the inputs of the smallest draw (one element each), the body's intermediate, the result
        assert rows["a"][:2] == ["array", "(1,)"] and rows["b"][:2] == ["array", "(1,)"]
        assert rows["column"][:2] == ["array", "(1, 1)"]
        assert rows["out"][:2] == ["array", "(1, 1)"]
        await pilot.press("escape")
        await ui.wait_until(pilot, lambda: app.screen is question)
        assert question.looked  # running it shows the answer, as a hint does


# -- the lesson -----------------------------------------------------------------------------------

PLAIN_DECK = """\
format: 1
deck: tui-plain
title: Plain (test deck)
questions:
  - id: two
    type: value
    prompt: What is `out`?
    code: out = one + 1
    expect: "2"
"""
WITH_SOURCE = PLAIN_DECK.replace("questions:", "source: The JAX docs, Thinking in JAX\nquestions:").replace(
    "one + 1", "1 + 1"
)
WITH_SETUP = PLAIN_DECK.replace("questions:", "setup: one = 1\nquestions:")


@pytest.fixture
def deck_app(engine, store, clock, tmp_path: Path):
    def make(text: str):
        loaded = load_deck_text(text, tmp_path / "plain.yaml")
        engine.wait_ready()
        app = make_app(engine, store, clock, LoadResult([loaded]), seed=0)
        return app, Session.quiz(loaded, app.services.rng, store=store, now=clock())

    return make


@pytest.mark.parametrize(
    ("text", "shows"),
    [
        (WITH_SOURCE, "Source  The JAX docs, Thinking in JAX"),
        (WITH_SETUP, "Setup, run before every question"),
    ],
    ids=["only-a-source", "only-a-setup-its-questions-use"],
)
async def test_a_deck_without_a_description_opens_its_lesson_for_a_source_or_setup(deck_app, ui, text, shows):
    app, session = deck_app(text)
    async with app.run_test(size=SIZE) as pilot:
        app.start_session(session)
        await ui.wait_for_screen(pilot, LessonScreen)
        assert shows in ui.shown(app) and "Enter start" in ui.shown(app)
        await pilot.press("enter")
        question = await ui.wait_for_screen(pilot, QuestionScreen)
        assert "^l Lesson" in ui.shown(app)
        await pilot.press("ctrl+l")  # and again on request
        await ui.wait_for_screen(pilot, LessonScreen)
        assert "Enter back to the question" in ui.shown(app)
        await pilot.press("escape")
        await ui.wait_until(pilot, lambda: app.screen is question)


async def test_a_deck_with_nothing_to_teach_first_has_no_lesson(deck_app, ui):
    app, session = deck_app(PLAIN_DECK.replace("one + 1", "1 + 1"))
    async with app.run_test(size=SIZE) as pilot:
        app.start_session(session)
        question = await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("ctrl+l")  # dimmed in the footer: opens nothing
        await pilot.pause(0.2)
        assert app.screen is question
