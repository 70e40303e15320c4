"""Recall first, driven like a person would on the real engine and a real SQLite file: typed
answers with options on request, "I don't know", undo, try-it counting as looking, typos sent back,
no accidental picks, several right options, leaving and resuming a quiz (in a new app on the same
file too), one "due" number.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from jaxquiz.decks.loader import LoadResult, load_deck_text
from jaxquiz.store import Store
from jaxquiz.study.drills import DrillSettings
from jaxquiz.study.scheduler import Rating, Scheduler
from jaxquiz.study.session import Entry, Session, record_answer
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.ask import AskScreen
from jaxquiz.tui.screens.drill import DrillScreen
from jaxquiz.tui.screens.home import HomeScreen
from jaxquiz.tui.screens.question import QuestionScreen
from jaxquiz.tui.screens.stats import StatsScreen
from jaxquiz.tui.screens.summary import SummaryScreen
from jaxquiz.tui.screens.try_it import TryItScreen
from jaxquiz.tui.screens.verdict import VerdictScreen

SIZE = (100, 30)

RECALL_DECK = """\
format: 1
deck: tui-recall
title: Recall (test deck)
questions:
  - id: ones-dtype
    type: dtype
    prompt: Which dtype does `out` have?
    code: out = jnp.ones(3)
    expect: float32
    options: ["`float32`", "`int32`", "`bool`"]
  - id: pure
    type: choice
    prompt: Which of these are pure functions?
    options: ["`jnp.cos`", "`print`", "`jnp.sin`"]
    correct: [0, 2]
  - id: square
    type: fill
    prompt: Make `out` the squares.
    code: out = jnp.arange(3) ___
    solution: "** 2"
    wrong: ["* 2"]
  - id: quiet-card
    type: card
    prompt: What does this code do?
    back: It binds a name; nothing to see.
    code: x = 1
"""


@pytest.fixture
def recall_app(engine, store, clock, monkeypatch):
    monkeypatch.chdir(Path(__file__).parent)
    deck = load_deck_text(RECALL_DECK, Path("decks/recall.yaml"))
    engine.wait_ready()
    return make_app(engine, store, clock, LoadResult([deck]), seed=0)


def ask(app, *ids: str) -> None:
    """A session of the recall deck's questions `ids`, as the home screen would start one."""
    loaded = app.decks.decks[0]
    entries = [Entry(loaded, loaded.deck.question(i)) for i in ids]
    app.start_session(Session(entries, app.services.rng, "quiz", "Test"))


def key_for(app, option: str) -> str:
    return str(app.screen.item.options.index(option) + 1)


async def type_answer(pilot, text: str) -> None:
    pilot.app.screen.query_one("#answer-line", Input).value = text
    await pilot.press("enter")


async def answer_the_first_right(pilot, ui) -> QuestionScreen:
    """From the home screen: quiz the deck, in order, and answer its first question right.
    Returns that question's screen, with the verdict on top of it."""
    await pilot.press("enter")
    question = await ui.wait_for_screen(pilot, QuestionScreen)
    await type_answer(pilot, "float32")
    await ui.wait_for_screen(pilot, VerdictScreen)
    return question


def keys_line(screen) -> str:
    return str(screen.query_one(".answer-keys").render())


# -- typed first --------------------------------------------------------------------------------


async def test_a_question_with_options_is_typed_first_and_a_typed_right_answer_is_easy(recall_app, store, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "ones-dtype")
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        assert screen.query("#answer-line") and not screen.query("#options")
        await type_answer(pilot, "float32")
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "Enter accepts Easy" in ui.shown(app)  # recalled at once: not capped
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, SummaryScreen)
    [review] = store.reviews()
    assert review.rating == 4


async def test_a_right_pick_among_the_options_is_recorded_hard_at_best_whatever_key(recall_app, store, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "ones-dtype")
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("ctrl+o")
        await ui.wait_until(pilot, lambda: screen.query("#options"))
        await pilot.press(key_for(app, "`float32`"))
        await ui.wait_for_screen(pilot, VerdictScreen)
        rating_bar = ui.text_of(app.screen, "#rating")
        assert "2 Hard   Enter accepts Hard (a pick among options)" in rating_bar
        assert "Easy" not in rating_bar and "Good" not in rating_bar
        await pilot.press("4")  # Easy: not open to a pick
        await ui.wait_for_screen(pilot, SummaryScreen)
    [review] = store.reviews()
    assert review.rating == 2


async def test_enter_on_options_picks_nothing_until_the_learner_moves(recall_app, store, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "ones-dtype")
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        await type_answer(pilot, "zzz")  # sent back: not a dtype
        await ui.wait_until(pilot, lambda: "Could not read that" in ui.text_of(screen, "#feedback"))
        await pilot.press("ctrl+o")
        await ui.wait_until(pilot, lambda: screen.query("#options"))
        assert ui.text_of(screen, "#feedback") == ""  # said of the typed answer, which is gone
        # option text renders its markdown: no raw backticks
        assert f"{key_for(app, '`float32`')}. float32" in ui.shown(app) and "`" not in ui.shown(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and "move to an option with ↑↓ first" in keys_line(screen)
        await pilot.press("x")
        assert "'x' is not a key here. 1-3 picks" in keys_line(screen)
        await pilot.press("7")
        assert "There is no option 7." in keys_line(screen)
        assert app.screen is screen and store.reviews() == []
        await pilot.press("down", "enter")  # moved to the first option: Enter picks it
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert screen.item.options[0] in ui.shown(app)


async def test_a_choice_with_several_right_options_is_marked_then_checked(recall_app, store, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "pure", "pure")
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        assert "Several are right" in keys_line(screen)
        await pilot.press(key_for(app, "`jnp.cos`"))  # marks, does not submit
        assert "[x] jnp.cos" in ui.shown(app) and app.screen is screen
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, VerdictScreen)
        text = ui.shown(app)
        assert "✘  Wrong" in text and "not picked: `jnp.sin`" in text
        await pilot.press("3")  # Good: not asked again
        await ui.wait_until(
            pilot, lambda: isinstance(app.screen, QuestionScreen) and app.screen is not screen
        )
        await pilot.press(key_for(app, "`jnp.sin`"), key_for(app, "`jnp.cos`"), "enter")
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "✔  Right" in ui.shown(app)
    # the second was left on its verdict when the app closed: saved at the rating proposed
    assert [r.correct for r in store.reviews()] == [False, True]


# -- I don't know, undo -------------------------------------------------------------------------


async def test_a_question_without_a_hint_offers_none_and_asking_weakens_nothing(recall_app, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "ones-dtype")  # it has no hint
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        assert "Hint" not in [command.title for command in screen.commands()]
        await screen.action_hint()  # what the palette's command ran
        assert not screen.looked and not screen.query("#hint")
        await type_answer(pilot, "float32")
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "Enter accepts Easy" in ui.shown(app)


async def test_i_dont_know_shows_the_truth_records_again_and_asks_later(recall_app, store, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "ones-dtype")
        await ui.wait_for_screen(pilot, QuestionScreen)
        assert "^g Don't know" in ui.shown(app)
        await pilot.press("ctrl+g")
        await ui.wait_for_screen(pilot, VerdictScreen)
        text = ui.shown(app)
        assert "I don't know" in text and "dtype float32" in text and "Enter accepts Again" in text
        verdict = app.screen
        await pilot.press("enter")
        await ui.wait_until(pilot, lambda: app.screen is not verdict)
        assert isinstance(app.screen, QuestionScreen) and app.screen.item.again  # back in the session
        assert "2/2" in ui.shown(app)
    [review] = store.reviews()
    assert (review.correct, review.rating, review.answer) == (False, 1, "")


async def test_undo_on_the_next_question_takes_back_the_answer_and_the_card(recall_app, store, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "ones-dtype", "square")
        first = await ui.wait_for_screen(pilot, QuestionScreen)
        assert "Undo" not in ui.shown(app)  # nothing to take back yet
        await type_answer(pilot, "int32")  # wrong: Again, and it would come back
        await ui.wait_for_screen(pilot, VerdictScreen)
        await pilot.press("enter")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, QuestionScreen) and app.screen is not first)
        assert len(store.reviews()) == 1 and store.card("tui-recall", "ones-dtype") is not None
        assert len(app.session) == 3
        await pilot.press("ctrl+z")
        await ui.wait_until(pilot, lambda: app.screen.item is first.item)
        assert store.reviews() == [] and store.card("tui-recall", "ones-dtype") is None
        assert len(app.session) == 2 and app.session.results == []  # its repeat is gone too
        assert "1/2" in ui.shown(app)
        line = app.screen.query_one("#answer-line", Input)
        assert line.value == "int32" and line.has_focus  # back in the field, as `u` on a verdict does
        await type_answer(pilot, "float32")
        await ui.wait_for_screen(pilot, VerdictScreen)
        await pilot.press("enter")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, QuestionScreen))
    [review] = store.reviews()
    assert review.correct is True


async def test_u_on_the_verdict_takes_the_answer_back_unrecorded(recall_app, store, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "ones-dtype")
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        await type_answer(pilot, "int32")
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "u Undo" in ui.shown(app)
        await pilot.press("u")
        await ui.wait_until(pilot, lambda: app.screen is screen)
        field = screen.query_one("#answer-line", Input)
        assert not field.disabled and field.has_focus
    assert store.reviews() == []


async def test_in_the_editor_ctrl_z_undoes_typing_and_the_palette_undoes_the_answer(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "doubled"), ("tui-basics", "body"))
        first = await ui.wait_for_screen(pilot, QuestionScreen)
        await type_answer(pilot, "[0, 2, 4]")
        await ui.wait_for_screen(pilot, VerdictScreen)
        await pilot.press("enter")
        editor = await next_question(pilot, ui, first)
        await pilot.press("x", "ctrl+z")  # the editor's own undo: the answer stays
        await pilot.pause()
        assert app.screen is editor and len(store.reviews()) == 1
        await pilot.press("ctrl+p")
        await pilot.press(*"Undo")
        await ui.wait_until(pilot, lambda: "Take back the last answer" in ui.shown(app))
        await pilot.press("enter")
        await ui.wait_until(pilot, lambda: app.screen.item is first.item)
        assert store.reviews() == []


# -- looking, typos, the solution ---------------------------------------------------------------


async def test_running_the_code_in_try_it_caps_the_rating_like_a_hint(recall_app, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "ones-dtype")
        await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("ctrl+r")
        try_it = await ui.wait_for_screen(pilot, TryItScreen)
        await pilot.press("ctrl+r")
        await ui.wait_until(pilot, lambda: ui.text_of(try_it, "#run-status").startswith("ran"))
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, QuestionScreen)
        await type_answer(pilot, "float32")
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "Enter accepts Good" in ui.shown(app)  # right at once, but after running it
        assert "3 Good   Enter accepts Good (after a hint or try-it)" in ui.text_of(app.screen, "#rating")


async def sent_back(pilot, ui) -> QuestionScreen:
    """The blank of `square` filled with code that does not parse: the question asks again."""
    ask(pilot.app, "square")
    screen = await ui.wait_for_screen(pilot, QuestionScreen)
    await type_answer(pilot, "** (2")
    await ui.wait_until(pilot, lambda: "Could not read that" in ui.text_of(screen, "#feedback"))
    return screen


async def test_a_fill_that_does_not_parse_is_sent_back_and_a_wrong_one_shows_the_solution(
    recall_app, store, ui
):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await sent_back(pilot, ui)
        assert "not valid Python" in ui.text_of(screen, "#feedback") and app.screen is screen
        await type_answer(pilot, "* 2")
        await ui.wait_for_screen(pilot, VerdictScreen)
        text = ui.shown(app)
        assert "✘  Wrong" in text and "Solution" in text and "** 2" in text
        # what the solution gives, under it, above the learner's code (which gives something else)
        assert " Solution    ** 2\n Gives       shape (3,), dtype int32" in text
        assert "Your code" in text and "out = jnp.arange(3) * 2" in text
    # the typo was never recorded; the wrong fill, left on its verdict when the app closed, was
    assert [(r.answer, r.correct) for r in store.reviews()] == [("* 2", False)]


async def test_a_fill_given_up_shows_its_code_with_the_solution(recall_app, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "square")
        await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("ctrl+g")
        await ui.wait_for_screen(pilot, VerdictScreen)
        text = ui.shown(app)
        assert "The code, with the solution" in text and "out = jnp.arange(3) ** 2" in text


async def test_an_answer_typed_over_a_rejected_one_in_one_burst_of_keys_is_the_one_checked(recall_app, ui):
    # ctrl+u, the answer and Enter arriving together (typed fast, or on a busy machine): the line
    # is cleared first, then the new answer typed and checked, as pressed.
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        await sent_back(pilot, ui)
        await ui.keys_at_once(pilot, "ctrl+u", "*", "*", "space", "2", "enter")
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "✔  Right" in ui.shown(app)


HINTED_CARD_DECK = """\
format: 1
deck: tui-hinted-card
title: A card with a hint (test deck)
questions:
  - id: first-call
    type: card
    prompt: Why is the first call of a jitted function slow?
    hint: Think of what happens once per input shape.
    back: It traces and compiles the function.
    explain: Later calls with the same shapes reuse the compiled program.
"""


async def test_a_card_turned_over_after_its_hint_shows_the_back_and_the_explanation_below_the_hint(
    engine, store, clock, ui
):
    deck = load_deck_text(HINTED_CARD_DECK, Path("hinted-card.yaml"))
    app = make_app(engine, store, clock, LoadResult([deck]), seed=0)
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "first-call")
        await ui.wait_for_screen(pilot, QuestionScreen)
        assert "compiles the function" not in ui.shown(app)
        await pilot.press("ctrl+t")
        await ui.wait_until(pilot, lambda: "once per input shape" in ui.shown(app))
        await pilot.press("space")
        await ui.wait_until(pilot, lambda: "compiles the function" in ui.shown(app))
        text = ui.shown(app)
        assert (
            text.index("once per input shape")
            < text.index("traces and compiles the function")
            < text.index("reuse the compiled program")
        )
        assert text.count("traces and compiles") == 1


async def test_a_card_whose_code_binds_no_out_shows_what_it_bound_not_an_empty_result(recall_app, ui):
    app = recall_app
    seen = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        ask(app, "quiet-card")
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("space")
        await ui.wait_until(pilot, lambda: any(isinstance(m, QuestionScreen.CardExecuted) for m in seen))
        text = ui.shown(app)
        assert "nothing to see" in text
        # no `out`, no `answer`: the live result is what the code bound, never an empty header
        assert "Live result" in text and "what the code bound" in text and "x: int = 1" in text
        assert not screen.query_one("#card-result").has_class("hidden")


# -- leaving, resuming, the setting, due ---------------------------------------------------------


async def test_leaving_counts_a_self_graded_card_apart_from_the_score(recall_app, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        ask(app, "quiet-card", "ones-dtype", "pure")
        card = await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("space")  # the back
        await ui.wait_until(pilot, lambda: not card.query_one("#card-result").has_class("hidden"))
        await pilot.press("3")  # rated by the learner
        await ui.wait_until(pilot, lambda: isinstance(app.screen, QuestionScreen) and app.screen is not card)
        second = app.screen
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)
        assert "Answered so far: 1 (1 not scored), all saved." in ui.shown(app)
        await pilot.press("n")
        await ui.wait_for_screen(pilot, QuestionScreen)
        await type_answer(pilot, "float32")
        await ui.wait_for_screen(pilot, VerdictScreen)
        await pilot.press("enter")
        await ui.wait_until(
            pilot, lambda: isinstance(app.screen, QuestionScreen) and app.screen is not second
        )
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)
        assert "Answered so far: 2 (1 of 1 right, 1 not scored), all saved." in ui.shown(app)


async def test_escape_asks_shows_the_summary_and_the_quiz_resumes_or_starts_over(recall_app, store, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        first = await answer_the_first_right(pilot, ui)
        await pilot.press("enter")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, QuestionScreen) and app.screen is not first)
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)
        assert "Answered so far: 1 (1 of 1 right)" in ui.shown(app)
        await pilot.press("n")  # stay
        await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)
        await pilot.press("y")
        await ui.wait_for_screen(pilot, SummaryScreen)
        assert "1 of 1 right" in ui.shown(app)
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, HomeScreen)

        await pilot.press("enter")  # the same deck again: resume?
        await ui.wait_for_screen(pilot, AskScreen)
        assert "You left this quiz at question 2 of 4" in ui.shown(app)
        await pilot.press("r")
        resumed = await ui.wait_for_screen(pilot, QuestionScreen)
        assert resumed.item.question.id == "pure" and "2/4" in ui.shown(app)
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)
        await pilot.press("y")
        await ui.wait_for_screen(pilot, SummaryScreen)
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, HomeScreen)

        await pilot.press("enter")
        await ui.wait_for_screen(pilot, AskScreen)
        await pilot.press("s")  # start over
        fresh = await ui.wait_for_screen(pilot, QuestionScreen)
        assert fresh.item.question.id == "ones-dtype" and "1/4" in ui.shown(app)
    assert len(store.reviews()) == 1


async def test_a_quiz_left_before_any_answer_keeps_no_place(recall_app, store, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, QuestionScreen)
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)
        assert app.screen.text == "Nothing answered yet."  # nothing to resume: not offered
        await pilot.press("y")
        await ui.wait_for_screen(pilot, HomeScreen)
        await ui.wait_until(pilot, lambda: app.screen.listed is not None)
        assert "⏸ left" not in ui.shown(app)
    assert store.paused_quiz("tui-recall") is None


async def test_escape_on_a_verdict_asks_and_leaving_saves_the_answer_at_the_rating_proposed(
    recall_app, store, ui
):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        await answer_the_first_right(pilot, ui)
        verdict = app.screen
        assert "Enter accepts Easy" in ui.shown(app) and "esc Leave" in ui.shown(app)
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)
        assert "Leaving saves this answer as Easy, the rating proposed." in ui.shown(app)
        await pilot.press("n")  # stay: the same verdict, its rating still to choose
        assert await ui.wait_for_screen(pilot, VerdictScreen) is verdict
        assert store.reviews() == []
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)
        await pilot.press("y")
        await ui.wait_for_screen(pilot, SummaryScreen)
        assert "1 of 1 right" in ui.shown(app)
        assert [type(screen) for screen in app.screen_stack] == [HomeScreen, SummaryScreen]
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, HomeScreen)
        await pilot.press("enter")  # the same deck again: it resumes after the answer left on
        await ui.wait_for_screen(pilot, AskScreen)
        assert "You left this quiz at question 2 of 4 (1 right so far)." in ui.shown(app)
    assert [(r.question, r.rating) for r in store.reviews()] == [("ones-dtype", Rating.Easy)]


async def test_an_app_quit_on_a_verdict_saves_its_answer_and_resumes_after_it(
    engine, clock, progress_file, ui
):
    with Store.open(progress_file) as store:
        app = app_on(engine, store, clock)
        async with app.run_test(size=SIZE) as pilot:
            await answer_the_first_right(pilot, ui)
        # closed with its verdict on screen, as ctrl+q or a closed terminal would
        assert [(r.question, r.rating) for r in store.reviews()] == [("ones-dtype", Rating.Easy)]
    with Store.open(progress_file) as store:
        app = app_on(engine, store, clock)
        async with app.run_test(size=SIZE) as pilot:
            await ui.wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.listed)
            await pilot.press("enter")
            await ui.wait_for_screen(pilot, AskScreen)
            assert "You left this quiz at question 2 of 4 (1 right so far)." in ui.shown(app)


async def test_the_home_setting_shows_options_at_once_and_a_drill_follows_it(recall_app, ui):
    app = recall_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "answers typed, options on request" in ui.shown(app)
        await pilot.press("c")
        assert "options shown at once (a right pick rates Hard at best)" in ui.shown(app)
        await pilot.press("enter")
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        assert screen.query("#options") and "^o Type it" in ui.shown(app)
        app.flow.end()
        await ui.wait_for_screen(pilot, HomeScreen)
        app.start_drill(DrillSettings(count=1, decks=("tui-recall",), interview=True, mode="choice"))
        drill = await ui.wait_for_screen(pilot, DrillScreen)
        # the interview is always typed; its question with options is the only one it can ask
        assert drill.query("#answer-line") and not drill.query("#options")


async def test_home_and_stats_count_due_questions_the_same_way(recall_app, store, clock, ui):
    app = recall_app
    deck = app.decks.decks[0]
    scheduler = Scheduler(clock)
    session = Session.quiz(deck, app.services.rng)
    item = session.item(0)
    record_answer(
        store, scheduler, item, answer="x", verdict=None, response_ms=0, rating=Rating.Again, at=ui.T0
    )
    # a card of a question no longer in any deck, due too: nobody can study it
    ghost = replace(item, question=item.question.model_copy(update={"id": "gone"}))
    record_answer(
        store, scheduler, ghost, answer="x", verdict=None, response_ms=0, rating=Rating.Again, at=ui.T0
    )
    clock.advance(hours=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "1 due" in ui.shown(app)
        assert str(app.screen.query_one("#decks", DataTable).get_row_at(0)[3]) == "1"
        await pilot.press("t")
        await ui.wait_for_screen(pilot, StatsScreen)
        assert "Due now     1" in ui.shown(app)
        await pilot.press("5")  # the forecast: its first bar holds what is due now, and later today
        await ui.wait_until(pilot, lambda: "(today: due now and later today)" in ui.shown(app))


# -- a deck quiz resumes after the app is closed -------------------------------------------------


@pytest.fixture
def progress_file(tmp_path, monkeypatch) -> Path:
    """A progress file that apps open in turn, as across restarts (decks read by a relative path)."""
    monkeypatch.chdir(Path(__file__).parent)
    return tmp_path / "progress.sqlite3"


def app_on(engine, store, clock, text: str = RECALL_DECK):
    """An app as `jaxquiz` builds it at start: the recall deck (as `text` says), on `store`."""
    deck = load_deck_text(text, Path("decks/recall.yaml"))
    return make_app(engine, store, clock, LoadResult([deck]), seed=0)


async def next_question(pilot, ui, after) -> QuestionScreen:
    app = pilot.app
    await ui.wait_until(pilot, lambda: isinstance(app.screen, QuestionScreen) and app.screen is not after)
    return app.screen


async def test_a_quiz_left_by_quitting_resumes_in_a_new_app_with_its_answers_and_undo(
    engine, clock, progress_file, ui
):
    with Store.open(progress_file) as store:
        app = app_on(engine, store, clock)
        async with app.run_test(size=SIZE) as pilot:
            first = await answer_the_first_right(pilot, ui)
            await pilot.press("enter")
            pure = await next_question(pilot, ui, first)
            await pilot.press(key_for(app, "`jnp.cos`"), "enter")  # half right: wrong
            await ui.wait_for_screen(pilot, VerdictScreen)
            await pilot.press("enter")  # Again: asked again at the end
            square = await next_question(pilot, ui, pure)
            assert square.item.question.id == "square" and "3/5" in ui.shown(app)
        # quit with ctrl+q on the question: no escape, no summary

    with Store.open(progress_file) as store:  # the next day, a new app on the same file
        clock.advance(days=1)
        app = app_on(engine, store, clock)
        async with app.run_test(size=SIZE) as pilot:
            await ui.wait_for_screen(pilot, HomeScreen)
            await ui.wait_until(pilot, lambda: app.screen.listed is not None)
            text = ui.shown(app)  # the home screen says which deck has a quiz to resume
            assert "⏸ left" in text and "A quiz of this deck was left before its end" in text
            await pilot.press("enter")
            await ui.wait_for_screen(pilot, AskScreen)
            assert "You left this quiz at question 3 of 5 (1 right so far)." in ui.shown(app)
            await pilot.press("r")
            resumed = await ui.wait_for_screen(pilot, QuestionScreen)
            assert resumed.item.question.id == "square" and "3/5" in ui.shown(app)
            left = [e.question.id + "*" * e.again for e in app.session.entries[app.session.position :]]
            assert left == ["square", "quiet-card", "pure*"]

            # undo reaches back before the restart: the miss leaves the store, the card and the queue
            assert "^z Undo" in ui.shown(app)
            await pilot.press("ctrl+z")
            again = await next_question(pilot, ui, resumed)
            assert again.item.question.id == "pure" and "2/4" in ui.shown(app)
            assert [r.question for r in store.reviews()] == ["ones-dtype"]
            assert store.card("tui-recall", "pure") is None

            await pilot.press(key_for(app, "`jnp.cos`"), key_for(app, "`jnp.sin`"), "enter")
            await ui.wait_for_screen(pilot, VerdictScreen)
            await pilot.press("enter")
            square = await next_question(pilot, ui, again)
            await type_answer(pilot, "** 2")
            await ui.wait_for_screen(pilot, VerdictScreen)
            await pilot.press("enter")
            await next_question(pilot, ui, square)
            await pilot.press("space", "enter")  # the card: turned, rated Good
            await ui.wait_for_screen(pilot, SummaryScreen)
            text = ui.shown(app)
            # the answer given before the restart is in the summary too
            assert "3 of 3 right · 1 card self-graded" in text and "tui-recall/ones-dtype" in text
        assert [r.question for r in store.reviews()] == ["ones-dtype", "pure", "square", "quiet-card"]
        assert store.paused_quiz("tui-recall") is None  # finished: nothing to resume
        app = app_on(engine, store, clock)
        async with app.run_test(size=SIZE) as pilot:
            await ui.wait_for_screen(pilot, HomeScreen)
            await ui.wait_until(pilot, lambda: app.screen.listed is not None)
            assert "⏸ left" not in ui.shown(app)


async def test_a_deck_edited_before_the_resume_says_so_and_start_over_forgets_the_place(
    engine, clock, progress_file, ui
):
    with Store.open(progress_file) as store:
        app = app_on(engine, store, clock)
        async with app.run_test(size=SIZE) as pilot:
            await answer_the_first_right(pilot, ui)
            await pilot.press("enter")
            await ui.wait_until(pilot, lambda: app.screen.item.question.id == "pure")
            await pilot.press("escape")
            await ui.wait_for_screen(pilot, AskScreen)
            assert app.screen.text.endswith("Open this quiz again, now or another day, to resume here.")
            await pilot.press("y")
            await ui.wait_for_screen(pilot, SummaryScreen)

    # `square` removed from the deck, and a new question at its end
    edited = RECALL_DECK.replace("  - id: square", "  - id: cube").replace("** 2", "** 3")
    with Store.open(progress_file) as store:
        app = app_on(engine, store, clock, edited)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            await ui.wait_for_screen(pilot, AskScreen)
            assert app.screen.text == (
                "You left this quiz at question 2 of 4 (1 right so far). The deck changed since:"
                " 1 question removed, 1 question new, asked at the end."
            )
            await pilot.press("r")
            resumed = await ui.wait_for_screen(pilot, QuestionScreen)
            assert resumed.item.question.id == "pure" and not resumed.can_take_back
            asked = [e.question.id for e in app.session.entries]
            assert asked == ["ones-dtype", "pure", "quiet-card", "cube"]
            await pilot.press("escape")
            await ui.wait_for_screen(pilot, AskScreen)
            await pilot.press("y")
            await ui.wait_for_screen(pilot, SummaryScreen)  # the quiz's answers, from before too
            assert "1 of 1 right" in ui.shown(app) and "tui-recall/ones-dtype" in ui.shown(app)
            await pilot.press("enter")
            await ui.wait_for_screen(pilot, HomeScreen)

            await pilot.press("enter")
            await ui.wait_for_screen(pilot, AskScreen)
            await pilot.press("s")  # start over
            fresh = await ui.wait_for_screen(pilot, QuestionScreen)
            assert fresh.item.question.id == "ones-dtype" and "1/4" in ui.shown(app)
            assert store.paused_quiz("tui-recall") is None


RAISES_DECK = """\
format: 1
deck: tui-raises
title: Raises (test deck)
questions:
  - id: whether
    type: raises
    exception: any
    prompt: What does this raise (`none` if it runs)?
    code: out = jnp.zeros(2, 3)
    expect: TypeError
  - id: which
    type: raises
    prompt: What does this raise (`none` if it runs)?
    code: out = jnp.zeros(2, 3)
    expect: TypeError
"""


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("whether", "error or none: whether it raises is the question, not which class"),
        ("which", "the exception class, like TypeError, or none"),
    ],
)
async def test_the_answer_line_says_whether_the_class_raised_is_asked_for(
    engine, store, clock, monkeypatch, ui, question, said
):
    monkeypatch.chdir(Path(__file__).parent)
    app = app_on(engine, store, clock, RAISES_DECK)
    async with app.run_test(size=SIZE) as pilot:
        loaded = app.decks.decks[0]
        app.start_session(
            Session([Entry(loaded, loaded.deck.question(question))], app.services.rng, "quiz", "T")
        )
        await ui.wait_for_screen(pilot, QuestionScreen)
        assert said in ui.shown(app)
