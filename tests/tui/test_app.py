"""The app driven like a person would: keys in, then what the screen shows and what the database holds.

Every test runs the real app on the real engine (one warm worker per test process) and a real SQLite
file; the clock only moves when a test moves it.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from textual import events
from textual.widgets import DataTable, Input, OptionList

from jaxquiz.decks.loader import LoadResult, load_deck_text
from jaxquiz.engine import Engine
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.ask import AskScreen
from jaxquiz.tui.screens.help import HelpScreen
from jaxquiz.tui.screens.home import HomeScreen
from jaxquiz.tui.screens.lesson import LessonScreen
from jaxquiz.tui.screens.question import QuestionScreen
from jaxquiz.tui.screens.summary import SummaryScreen
from jaxquiz.tui.screens.try_it import TryItScreen
from jaxquiz.tui.screens.verdict import VerdictScreen
from jaxquiz.tui.widgets.python_editor import PythonEditor

SIZE = (100, 30)


def current_params(app) -> dict:
    return app.session.current().params


def key_for(app, option: str) -> str:
    """The number key of an option: options are shown in a new order every time."""
    return str(app.screen.item.options.index(option) + 1)


async def answer_line(pilot, text: str) -> None:
    field = pilot.app.screen.query_one("#answer-line", Input)
    field.value = text
    await pilot.press("enter")


# -- home ---------------------------------------------------------------------------------------


async def test_home_lists_decks_with_counts_and_the_load_problems(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#decks", DataTable)
        assert table.row_count == 2
        text = ui.shown(app)
        assert "Shapes and dtypes (test deck)" in text
        assert "Timeouts, choices and cards (test deck)" in text
        assert "2 decks · 7 questions · 0 due · 0 mastered" in text
        # the broken deck is reported with file:line and the rule, and hides no good deck
        assert "decks/c-broken.yaml:10" in text
        assert "unknown key `explian`" in text
        assert "● JAX ready" in text


async def test_home_and_end_go_to_the_first_and_the_last_deck(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#decks", DataTable)
        # the deck list's Enter, in the footer (drawn once the list has focus: a busy machine can
        # take more than one pause)
        await ui.wait_until(pilot, lambda: "⏎ Quiz" in ui.shown(app))
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        assert "Timeouts, choices and cards" in str(app.screen.query_one("#deck-info").render())
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_enter_right_after_a_cursor_key_quizzes_the_deck_the_cursor_moved_to(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # As a terminal delivers a fast typist's keys: both queued before either is handled.
        app.post_message(events.Key("down", None))
        app.post_message(events.Key("enter", "\r"))
        await ui.wait_for_screen(pilot, QuestionScreen)
        assert app.session.entries[0].deck.id == "tui-more"


async def test_home_shows_at_once_while_decks_load_in_the_background(engine, store, clock, decks, ui):
    app = make_app(engine, store, clock, lambda: decks, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await ui.wait_until(pilot, lambda: app.decks is not None)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#decks", DataTable).row_count == 2


async def test_help_lists_the_keys_of_the_screen(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await ui.wait_for_screen(pilot, HelpScreen)
        text = ui.shown(app)
        assert "Study" in text and "Shuffle" in text and "How grading works" in text
        assert "⏎  Quiz" in text  # the deck list's key, in the footer too
        assert "Copy selected text" not in text and "Focus Next" not in text  # textual's, everywhere
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, HomeScreen)


# -- a quiz from the home screen ----------------------------------------------------------------


async def test_open_a_deck_read_the_lesson_and_answer_right(app, store, clock, ui):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # quiz the first deck, in order
        await ui.wait_for_screen(pilot, LessonScreen)
        assert "A short lesson before the first question" in ui.shown(app)
        await pilot.press("enter")
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        n = current_params(app)["N"]
        text = ui.shown(app)
        assert "What is the shape of out?" in text
        assert f"x = jnp.ones(({n}, 3))" in text  # the drawn parameter, substituted
        assert "1/4" in text
        clock.advance(seconds=20)
        await answer_line(pilot, f"({3}, {n})")
        verdict = await ui.wait_for_screen(pilot, VerdictScreen)
        text = ui.shown(app)
        assert "✔  Right" in text
        assert f"shape (3, {n}), dtype float32" in text
        assert f"ran on {app.services.engine.wait_ready().device}" in text  # cpu, or cuda:0 on a GPU
        assert "reverses the axes" in text  # the explanation
        assert "Enter accepts Good" in text  # right in 20 s: Good
        await pilot.press("enter")
        await ui.wait_until(pilot, lambda: app.screen is not verdict and app.screen is not screen)
        assert isinstance(app.screen, QuestionScreen)
        assert "2/4" in ui.shown(app)

    [review] = store.reviews()
    assert (review.deck, review.question, review.params) == ("tui-basics", "transpose-shape", {"N": n})
    assert review.answer == f"(3, {n})"
    assert review.correct is True
    assert review.rating == 3
    assert review.response_ms == 20_000
    assert review.verdict["status"] == "graded"
    assert review.verdict["truth"] == f"shape (3, {n}), dtype float32"
    card = store.card("tui-basics", "transpose-shape")
    assert card is not None and card.due > ui.T0 and card.content_hash == review.content_hash


async def test_the_answer_has_the_focus_when_a_question_opens_and_when_a_screen_on_it_closes(app, ui):
    seen: list = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, LessonScreen)
        await pilot.press("enter")
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        line = screen.query_one("#answer-line", Input)
        assert app.focused is line
        await pilot.press("f1")
        await ui.wait_for_screen(pilot, HelpScreen)
        await pilot.press("escape")
        await ui.wait_until(pilot, lambda: app.screen is screen)
        assert app.focused is line
        # Straight to the answer: never first to the scrolling body above it (the first that can
        # take focus), which styled the body and all it holds again on the way.
        focused = [m.widget.id for m in seen if isinstance(m, events.DescendantFocus)]
        assert "answer-line" in focused and "body" not in focused


async def test_a_wrong_answer_shows_the_difference_and_a_rating_can_be_overridden(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "transpose-shape"))
        await ui.wait_for_screen(pilot, QuestionScreen)
        n = current_params(app)["N"]
        await answer_line(pilot, f"{n},3")
        await ui.wait_for_screen(pilot, VerdictScreen)
        text = ui.shown(app)
        assert "✘  Wrong" in text
        assert f"read as ({n}, 3)" in text
        assert "Difference" in text and f"you said {n}, it is 3" in text
        assert "Enter accepts Again" in text
        await pilot.press("2")  # Hard instead of the proposed Again
        await ui.wait_for_screen(pilot, SummaryScreen)
        assert "0 of 1 right" in ui.shown(app)
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, HomeScreen)

    [review] = store.reviews()
    assert review.correct is False and review.rating == 2
    assert "difference" in review.verdict


async def test_the_hint_shows_on_request_hides_again_and_caps_the_rating(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "transpose-shape"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        assert ".T reverses the order of the axes" not in ui.shown(app)
        await pilot.press("ctrl+t")
        await ui.wait_until(pilot, lambda: ".T reverses the order of the axes" in ui.shown(app))
        await pilot.press("ctrl+t")
        await ui.wait_until(pilot, lambda: ".T reverses the order of the axes" not in ui.shown(app))
        await pilot.press("ctrl+t")
        await ui.wait_until(pilot, lambda: ".T reverses the order of the axes" in ui.shown(app))
        assert len(screen.query("#hint")) == 1
        await answer_line(pilot, f"3,{current_params(app)['N']}")
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "Enter accepts Good" in ui.shown(app)  # right at once, but after the hint


async def test_an_unreadable_answer_is_sent_back_and_nothing_is_recorded(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "transpose-shape"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        await ui.keys_at_once(pilot, *"(3, 4", "enter")  # the closing bracket forgotten
        await ui.wait_until(pilot, lambda: "Could not read that" in ui.text_of(screen, "#feedback"))
        assert app.screen is screen
        line = screen.query_one("#answer-line", Input)
        assert not line.disabled and line.has_focus
        await pilot.press("right_parenthesis")  # typed at the end, not over a selected answer
        assert line.value == "(3, 4)"
        assert "Could not read that" in ui.text_of(screen, "#feedback")  # while it is being fixed
        await pilot.press("ctrl+u")  # cleared: what was said of it goes too
        assert line.value == "" and ui.text_of(screen, "#feedback") == ""
    assert store.reviews() == []


async def test_the_verdict_comes_when_the_worker_is_ready(store, clock, decks, ui, tmp_path):
    """Answered while JAX is still being imported: the question is there at once, the verdict later."""
    # The real worker, held at its start until the answer is in (a fast machine would otherwise
    # have it ready before the test looks).
    gate = tmp_path / "go"
    held = (
        "import os, runpy, time\n"
        f"while not os.path.exists({str(gate)!r}): time.sleep(0.02)\n"
        "runpy.run_module('jaxquiz.engine.worker', run_name='__main__', alter_sys=True)\n"
    )
    cold = Engine(spare=False, worker_command=(sys.executable, "-P", "-c", held))
    app = make_app(cold, store, clock, decks, seed=0)
    try:
        async with app.run_test(size=SIZE) as pilot:
            ui.start(app, ("tui-basics", "sum-dtype"))
            screen = await ui.wait_for_screen(pilot, QuestionScreen)
            assert app.engine_state == "starting"
            await answer_line(pilot, "int32")
            assert "JAX is still warming up" in ui.text_of(screen, "#feedback")
            gate.touch()
            await ui.wait_for_screen(pilot, VerdictScreen, timeout=180)
            assert "✔  Right" in ui.shown(app)
            # The app hears that the worker is warm by a message of its own, which may come a
            # little after the verdict.
            await ui.wait_until(pilot, lambda: app.engine_state == "ready")
    finally:
        cold.close()


# -- each kind of input -------------------------------------------------------------------------


async def test_options_are_picked_with_number_keys(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "sum-dtype"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        assert not screen.query("#options")  # recall first: typed, options on request
        assert "^o Options" in ui.shown(app)
        await pilot.press("ctrl+o")
        await ui.wait_until(pilot, lambda: screen.query("#options"))
        options = screen.query_one("#options", OptionList)
        assert options.option_count == 3
        assert sorted(screen.item.options) == ["bool", "float32", "int32"]
        assert f"{key_for(app, 'float32')}. float32" in ui.shown(app)
        # the footer rebuilds its keys after a refresh of its own
        await ui.wait_until(pilot, lambda: "^o Type it" in ui.shown(app))
        await pilot.press("down")  # the first move lands on the first option
        assert options.highlighted == 0
        await pilot.press(key_for(app, "int32"))
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "✔  Right" in ui.shown(app)
        assert "dtype int32" in ui.shown(app)
        assert "Enter accepts Hard" in ui.shown(app)  # picked after asking: Hard at best
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, SummaryScreen)
    [review] = store.reviews()
    assert review.answer == "int32" and review.correct is True and review.rating == 2


async def test_a_choice_question_is_graded_by_the_index(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-more", "batch-transform"))
        await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press(key_for(app, "jax.jit"))  # wrong
        await ui.wait_for_screen(pilot, VerdictScreen)
        text = ui.shown(app)
        assert "✘  Wrong" in text and "jax.vmap" in text
        verdict = app.screen
        await pilot.press("enter")  # Again: it comes back at once (no other question left)
        await ui.wait_until(pilot, lambda: app.screen is not verdict)
        assert isinstance(app.screen, QuestionScreen) and app.screen.item.again
        assert "again: missed earlier" in ui.shown(app) and "2/2" in ui.shown(app)
        await pilot.press(key_for(app, "jax.vmap"))
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "✔  Right" in ui.shown(app)
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, SummaryScreen)
        assert "1 of 2 right" in ui.shown(app)
    missed, right = store.reviews()
    assert (missed.answer, missed.correct, missed.rating) == ("jax.jit", False, 1)
    assert (right.answer, right.correct) == ("jax.vmap", True)


async def test_a_card_is_revealed_with_its_live_result_and_self_graded(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-more", "what-is-jit"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        assert "compiles it with XLA" not in ui.shown(app)
        await pilot.press("space")
        await ui.wait_until(pilot, lambda: "Array([0, 2, 4]" in ui.text_of(screen, "#card-result"))
        text = ui.shown(app)
        assert "compiles it with XLA" in text
        assert "Enter accepts Good" in text
        await pilot.press("4")
        await ui.wait_for_screen(pilot, SummaryScreen)
    [review] = store.reviews()
    assert review.correct is None and review.rating == 4
    assert review.verdict == {"status": "self-graded"}


async def test_a_block_fill_is_typed_in_the_editor(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "body"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        assert "___" in ui.shown(app)
        screen.query_one("#answer-block", PythonEditor).load_text("y = x * x\nreturn y")
        await pilot.press("ctrl+s")
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "✔  Right" in ui.shown(app)
        await pilot.press("enter")
    [review] = store.reviews()
    assert review.answer == "y = x * x\nreturn y" and review.correct is True


async def answer_and_see_the_verdict(pilot, ui, answer: str) -> str:
    """Type `answer` to the question being asked; what the verdict screen shows."""
    await ui.wait_for_screen(pilot, QuestionScreen)
    await answer_line(pilot, answer)
    await ui.wait_for_screen(pilot, VerdictScreen)
    return ui.shown(pilot.app)


async def answer_the_next_question_right(pilot, ui, progress: str = "2/2") -> None:
    """The second question of a session is tui-basics/sum-dtype: answer it right."""
    app = pilot.app
    await ui.wait_until(pilot, lambda: isinstance(app.screen, QuestionScreen) and progress in ui.shown(app))
    await answer_line(pilot, "int32")
    await ui.wait_for_screen(pilot, VerdictScreen)
    assert "✔  Right" in ui.shown(app)
    verdict = app.screen
    await pilot.press("enter")
    await ui.wait_until(pilot, lambda: app.screen is not verdict)


async def test_a_question_that_times_out_is_not_held_against_the_learner(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-more", "spin"), ("tui-basics", "sum-dtype"))
        text = await answer_and_see_the_verdict(pilot, ui, "1")
        assert "⚠  This question is broken (not your answer)" in text
        assert "the question's own code did not run to the end" in text
        assert "this answer is not recorded" in text
        assert "⏎ Next" in text and "Accept rating" not in text
        await pilot.press("enter")
        await answer_the_next_question_right(pilot, ui)
        await ui.wait_for_screen(pilot, SummaryScreen)
    [dtype] = store.reviews()  # the question that could not run is not recorded
    assert dtype.question == "sum-dtype" and dtype.correct is True


FILL_WITH_A_SHORT_TIMEOUT = """\
format: 1
deck: tui-short
title: A fill with a short timeout
questions:
  - id: count-to-three
    type: fill
    timeout: 0.5
    prompt: Fill the blank so that `out` is 3.
    code: out = jnp.asarray(___)
    solution: "1 + 2"
    wrong: ["2"]
"""


async def test_an_answer_that_times_out_is_wrong_and_shows_the_truth(engine, store, clock, decks, ui):
    short = load_deck_text(FILL_WITH_A_SHORT_TIMEOUT, Path("decks/short.yaml"))
    app = make_app(engine, store, clock, LoadResult([*decks.decks, short]), seed=0)
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-short", "count-to-three"), ("tui-basics", "sum-dtype"))
        text = await answer_and_see_the_verdict(pilot, ui, "next(x for x in iter(int, 1) if x)")
        assert "⏱  Timed out" in text
        assert "did not finish within 0.5 s" in text  # the question's limit, not the request's
        assert "Array(3, dtype=int32" in text  # what the question gives, from its own run
        await pilot.press("enter")
        # Rated Again: it comes back after the next question (a learning step)
        await answer_the_next_question_right(pilot, ui, progress="2/3")
        again = await ui.wait_for_screen(pilot, QuestionScreen)
        assert again.item.question.id == "count-to-three" and "again: missed earlier" in ui.shown(app)
    loop, dtype = store.reviews()
    assert loop.verdict["status"] == "timeout" and loop.correct is False and loop.rating == 1
    assert dtype.correct is True


# -- try it -------------------------------------------------------------------------------------


async def test_try_it_shows_every_binding_and_errors_with_their_line(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "transpose-shape"))
        question = await ui.wait_for_screen(pilot, QuestionScreen)
        n = current_params(app)["N"]
        await pilot.press("ctrl+r")
        screen = await ui.wait_for_screen(pilot, TryItScreen)
        editor = screen.query_one("#editor", PythonEditor)
        assert editor.text == f"x = jnp.ones(({n}, 3))\nout = x.T"

        editor.load_text("a = jnp.ones((4, 2))\nparams = {'w': a, 'b': jnp.zeros(2)}\nout = a.sum(0)")
        await pilot.press("ctrl+r")
        await ui.wait_until(pilot, lambda: ui.text_of(screen, "#run-status").startswith("ran"))
        table = screen.query_one("#bindings", DataTable)
        rows = {str(table.get_row_at(i)[0]): table.get_row_at(i) for i in range(table.row_count)}
        assert set(rows) == {"a", "params", "out"}
        assert [str(c) for c in rows["a"][1:4]] == ["array", "(4, 2)", "float32"]
        assert str(rows["params"][1]).startswith("pytree")
        assert "params  pytree" in ui.shown(app)  # a name longer than its column's title, in full
        assert "shape (2,), dtype float32" in ui.text_of(screen, "#answer-value")

        editor.load_text("a = jnp.ones(3)\nb = a @ jnp.ones(2)")
        await pilot.press("ctrl+r")
        await ui.wait_until(pilot, lambda: ui.text_of(screen, "#run-status").startswith("failed"))
        error = ui.text_of(screen, "#run-error")
        assert "TypeError" in error and "(line 2)" in error
        assert editor.cursor_location == (1, len("b = a @ jnp.ones(2)"))  # the failing line's end
        editor.cursor_location = (1, 4)
        await pilot.press("ctrl+r")  # fails on the same line: the cursor stays where it is
        await ui.wait_until(pilot, lambda: ui.text_of(screen, "#run-status").startswith("failed"))
        assert editor.cursor_location == (1, 4)

        await pilot.press("escape")
        await ui.wait_until(pilot, lambda: app.screen is question)


async def test_leaving_try_it_stops_a_run_that_loops(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "transpose-shape"))
        question = await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("ctrl+r")
        screen = await ui.wait_for_screen(pilot, TryItScreen)
        screen.query_one("#editor", PythonEditor).load_text("while True:\n    pass")
        await pilot.press("ctrl+r")
        await pilot.pause(0.5)
        engine = app.services.grader.engine
        assert engine.exploring
        await pilot.press("escape")
        await ui.wait_until(pilot, lambda: app.screen is question)
        await ui.wait_until(pilot, lambda: not engine.exploring, timeout=3)  # not the question's 10 s
        exploration = await asyncio.to_thread(engine.explore, "x = jnp.ones(2)")
        assert exploration.outcome.status == "ok"


async def test_try_it_from_a_verdict_runs_the_fill_with_your_answer(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "body"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        screen.query_one("#answer-block", PythonEditor).load_text("return x")
        await pilot.press("ctrl+s")
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "✘  Wrong" in ui.shown(app)
        await pilot.press("t")
        try_it = await ui.wait_for_screen(pilot, TryItScreen)
        assert try_it.query_one("#editor", PythonEditor).text == (
            "def f(x):\n    return x\nout = f(jnp.arange(3.0))"
        )


# -- studying what is due -----------------------------------------------------------------------


async def test_study_asks_the_due_questions_of_the_marked_decks(app, store, clock, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-more", "batch-transform"))
        await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("1")  # wrong: Again, due again soon
        verdict = await ui.wait_for_screen(pilot, VerdictScreen)
        await pilot.press("enter")
        await ui.wait_until(pilot, lambda: app.screen is not verdict)
        assert app.screen.item.again  # asked again in this session; leave instead
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)
        await pilot.press("y")
        await ui.wait_for_screen(pilot, SummaryScreen)
        clock.advance(days=1)
        await pilot.press("enter")
        home = await ui.wait_for_screen(pilot, HomeScreen)
        assert "1 due" in ui.shown(app)

        await pilot.press("down", "space")  # mark only the second deck
        assert home.marked == {"tui-more"}
        await pilot.press("s")
        await ui.wait_for_screen(pilot, QuestionScreen)
        session = app.session
        assert [(e.deck.id, e.question.id) for e in session.entries] == [
            ("tui-more", "batch-transform"),  # due first
            ("tui-more", "spin"),  # then the new ones
            ("tui-more", "what-is-jit"),
        ]
        assert "Which transformation maps a function over a batch axis?" in ui.shown(app)
        await pilot.press("escape")  # asks first
        await ui.wait_for_screen(pilot, AskScreen)
        await pilot.press("y")  # leave: nothing answered, so straight home
        await ui.wait_for_screen(pilot, HomeScreen)
    assert len(store.reviews()) == 1
    assert store.card("tui-more", "batch-transform").due <= ui.T0 + timedelta(days=1)


async def test_the_command_palette_offers_the_actions_of_the_screen(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home_titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Study due", "Quiz in order", "Quiz shuffled", "Drill", "Stats", "Help"} <= home_titles
        assert "Keys" not in home_titles  # Textual's panel of keys: Help replaces it
        ui.start(app, ("tui-basics", "transpose-shape"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        titles = {c.title for c in app.get_system_commands(screen)}
        assert {"Try it", "Hint", "Lesson", "Leave", "Help"} <= titles and "Keys" not in titles


async def test_the_app_follows_the_theme(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "body"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        editor = screen.query_one("#answer-block", PythonEditor)
        dark = app.get_css_variables()["text-accent"]
        keyword = editor._theme.syntax_styles["keyword"].color
        app.theme = "textual-light"
        await pilot.pause()
        light = app.get_css_variables()["text-accent"]
        assert light != dark
        assert editor._theme.syntax_styles["keyword"].color != keyword  # the editor's colours follow
