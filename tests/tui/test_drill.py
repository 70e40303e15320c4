"""Drills and stats driven like a person would, on the real engine and a real SQLite file: the
summary's numbers are checked against what the test answered and against the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.notifications import Notify
from textual.widgets import Input, SelectionList

from jaxquiz.study.drills import DrillSettings
from jaxquiz.study.scheduler import Rating
from jaxquiz.study.statistics import EMPTY_MESSAGE
from jaxquiz.tui import make_app
from jaxquiz.tui.screens.ask import AskScreen
from jaxquiz.tui.screens.drill import DrillScreen
from jaxquiz.tui.screens.drill_setup import DrillSetupScreen
from jaxquiz.tui.screens.drill_summary import DrillSummaryScreen
from jaxquiz.tui.screens.help import HelpScreen
from jaxquiz.tui.screens.home import HomeScreen
from jaxquiz.tui.screens.stats import StatsScreen
from jaxquiz.tui.screens.verdict import VerdictScreen

SIZE = (100, 30)
BASICS = ("tui-basics",)


@pytest.fixture(autouse=True)
def hold_the_flash(monkeypatch):
    """The verdict's flash stays until the test has read it: it lasts 2 s of real time, and on a busy
    machine (the tests run in parallel) the next question can take longer than that to show."""
    monkeypatch.setattr(DrillScreen, "FLASH_S", 3600.0)


async def answer(pilot, ui, right: bool, seconds: float) -> DrillScreen:
    """Answer the drill's current question (of the tui-basics deck) right or wrong after `seconds`;
    return the screen that asked it, once the next one (or the summary) has replaced it."""
    screen = pilot.app.screen
    assert isinstance(screen, DrillScreen)
    item = screen.item
    pilot.app.services.clock.advance(seconds=seconds)
    qid = item.question.id
    if qid == "body":
        screen.query_one("#answer-block").text = "return x ** 2" if right else "return x"
        await pilot.press("ctrl+s")
    else:
        n = item.params.get("N")
        text = {
            "transpose-shape": (f"(3, {n})", "(1, 1)"),
            "doubled": ("[0, 2, 4]", "[0, 1, 2]"),
            "sum-dtype": ("int32", "float32"),  # typed: recall first
        }[qid][0 if right else 1]
        screen.query_one("#answer-line", Input).value = text
        await pilot.press("enter")
    await ui.wait_until(pilot, lambda: pilot.app.screen is not screen)
    return screen


async def test_a_drill_by_count_from_the_home_screen_summed_up_and_stored(app, store, ui, history):
    # an earlier finished drill with the same settings: 1 right is the best to beat
    yesterday = ui.T0 - timedelta(days=1)
    settings = DrillSettings(count=3, decks=BASICS)
    history.finished_drill(store, settings, yesterday, yesterday, correct=1, answered=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")  # mark the first deck: the drill covers it only
        await pilot.press("d")
        setup = await ui.wait_for_screen(pilot, DrillSetupScreen)
        assert list(setup.query_one("#drill-decks", SelectionList).selected) == ["tui-basics"]
        count = setup.query_one("#drill-count", Input)
        assert count.value == "10" and count.has_focus
        count.value = ""
        await pilot.press("3")
        await ui.wait_until(pilot, lambda: "your best with these settings: 1 right" in ui.shown(app))
        assert "4 questions match" in ui.shown(app)
        await pilot.press("enter")
        await ui.wait_for_screen(pilot, DrillScreen)
        text = ui.shown(app)
        assert "question 1 of 3" in text and "✔ 0  ✘ 0" in text
        assert app.screen.query_one("#drill-status").progress == 0

        asked = [await answer(pilot, ui, True, 4)]
        assert "question 2 of 3" in ui.shown(app) and "✔  Right" in ui.shown(app)
        asked.append(await answer(pilot, ui, False, 10))
        assert "✘  Wrong" in ui.shown(app) and "✔ 1  ✘ 1" in ui.shown(app)
        asked.append(await answer(pilot, ui, True, 6))

        await ui.wait_for_screen(pilot, DrillSummaryScreen)
        text = ui.shown(app)
        assert "★ New best: 2 right (previous best 1)" in text
        # 3 answered in 20 s: 9 per minute; median of 4, 10 and 6 s is 6 s
        assert "Score 2/3" in text and "Accuracy 67%" in text and "Pace 9.0 questions/min" in text
        assert "Time 0:20" in text and "Median 6.0 s" in text and "Slowest 10.0 s" in text
        assert "tui-basics      2/3  █████░░░  67%" in text and "test            2/3  █████░░░  67%" in text
        missed = asked[1].item
        assert "Missed (1)" in text and f"tui-basics/{missed.question.id}" in text

        await pilot.press("enter")  # the missed question's verdict, with its explanation
        await ui.wait_for_screen(pilot, VerdictScreen)
        assert "✘  Wrong" in ui.shown(app) and "Rate:" not in ui.shown(app)
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, DrillSummaryScreen)
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, HomeScreen)

    drills = store.drills()
    assert len(drills) == 2
    stored = drills[-1]
    assert stored.settings == {
        "count": 3,
        "decks": ["tui-basics"],
        "tags": [],
        "minutes": None,
        "interview": False,
        "mode": "recall",
    }
    summary = stored.summary
    assert (summary["answered"], summary["correct"], summary["completed"]) == (3, 2, True)
    assert summary["elapsed_s"] == 20 and summary["median_ms"] == 6000 and summary["slowest_ms"] == 10000
    assert summary["new_best"] and summary["previous_best"] == 1
    assert summary["missed"] == [["tui-basics", missed.question.id]]
    assert stored.finished_at == ui.T0 + timedelta(seconds=20)

    reviews = store.reviews()
    assert [r.drill_id for r in reviews] == [stored.id] * 3
    assert [r.question for r in reviews] == [s.item.question.id for s in asked]
    assert [r.correct for r in reviews] == [True, False, True]
    assert [r.response_ms for r in reviews] == [4000, 10000, 6000]
    assert reviews[1].rating == 1  # wrong: Again, scheduled like any review
    for screen in asked:
        card = store.card("tui-basics", screen.item.question.id)
        assert card is not None and card.due > ui.T0


async def test_a_drill_ended_midway_is_saved_as_interrupted(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        app.start_drill(DrillSettings(count=4, decks=BASICS))
        await ui.wait_for_screen(pilot, DrillScreen)
        first = await answer(pilot, ui, True, 5)
        await ui.wait_for_screen(pilot, DrillScreen)
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, AskScreen)  # asks first
        await pilot.press("y")
        await ui.wait_for_screen(pilot, DrillSummaryScreen)
        text = ui.shown(app)
        assert "Ended early after 1 of 4" in text and "Score 1/1" in text
    [drill] = store.drills()
    assert drill.summary is not None
    assert (drill.summary["answered"], drill.summary["completed"], drill.summary["new_best"]) == (
        1,
        False,
        False,
    )
    [review] = store.reviews()
    assert (review.question, review.drill_id) == (first.item.question.id, drill.id)


async def test_an_answer_sent_back_while_the_verdict_flashes_stays_said_when_the_flash_ends(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        app.start_drill(DrillSettings(count=4, decks=BASICS))
        await ui.wait_for_screen(pilot, DrillScreen)
        await answer(pilot, ui, True, 5)
        screen = await ui.wait_for_screen(pilot, DrillScreen)
        assert "✔  Right" in ui.text_of(screen, "#feedback")  # the flash
        if screen.item.question.id == "body":
            screen.query_one("#answer-block").text = "return ("
            await pilot.press("ctrl+s")
        else:
            screen.query_one("#answer-line", Input).value = "zzz"
            await pilot.press("enter")
        await ui.wait_until(pilot, lambda: "Could not read that" in ui.text_of(screen, "#feedback"))
        screen._end_flash()  # the flash's time is up
        await pilot.pause()
        assert "Could not read that" in ui.text_of(screen, "#feedback")


async def test_a_question_given_up_in_a_drill_is_missed_with_i_dont_know(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        app.start_drill(DrillSettings(count=1, decks=BASICS))
        await ui.wait_for_screen(pilot, DrillScreen)
        await pilot.press("ctrl+g")
        await ui.wait_for_screen(pilot, DrillSummaryScreen)
        assert "you said I don't know" in ui.shown(app) and "(nothing)" not in ui.shown(app)


async def test_quitting_the_app_in_a_drill_still_saves_it(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        app.start_drill(DrillSettings(count=4, decks=BASICS))
        await ui.wait_for_screen(pilot, DrillScreen)
        await answer(pilot, ui, False, 3)
        await ui.wait_for_screen(pilot, DrillScreen)
    [drill] = store.drills()
    assert drill.summary is not None
    assert (drill.summary["answered"], drill.summary["correct"], drill.summary["completed"]) == (1, 0, False)


async def test_a_timed_drill_ends_on_time_from_the_command_line(engine, store, clock, decks, ui):
    """`jaxquiz drill --minutes 1`: the app opens on the drill once the decks are loaded."""
    app = make_app(engine, store, clock, lambda: decks, seed=0, drill=DrillSettings(minutes=1, decks=BASICS))
    async with app.run_test(size=SIZE) as pilot:
        await ui.wait_for_screen(pilot, DrillScreen)
        assert "◷ 1:00 left" in ui.shown(app) and "0 answered" in ui.shown(app)
        await answer(pilot, ui, True, 15)
        await ui.wait_until(pilot, lambda: "◷ 0:45 left" in ui.shown(app))
        assert "1 answered" in ui.shown(app)
        assert app.screen.query_one("#drill-status").progress == 15
        clock.advance(seconds=44)
        await pilot.pause(0.5)
        assert isinstance(app.screen, DrillScreen) and "◷ 0:01 left" in ui.shown(app)
        clock.advance(seconds=1)
        await ui.wait_for_screen(pilot, DrillSummaryScreen, timeout=5)
        text = ui.shown(app)
        assert "Score 1/1" in text and "Time 1:00" in text and "Pace 1.0 questions/min" in text
    [drill] = store.drills()
    assert drill.summary is not None and drill.summary["completed"] and drill.summary["elapsed_s"] == 60
    assert drill.finished_at == ui.T0 + timedelta(minutes=1)


async def test_time_running_out_under_the_help_ends_the_drill_once_the_help_closes(app, store, clock, ui):
    async with app.run_test(size=SIZE) as pilot:
        app.start_drill(DrillSettings(minutes=1, decks=BASICS))
        await ui.wait_for_screen(pilot, DrillScreen)
        await answer(pilot, ui, True, 5)
        await pilot.press("f1")  # the next question is typed: `?` would go into its input
        help_screen = await ui.wait_for_screen(pilot, HelpScreen)
        text = ui.shown(app)
        assert "Escape asks, then ends the drill" in text and "the clock runs on" in text
        clock.advance(seconds=90)
        await pilot.pause(0.6)
        assert app.screen is help_screen  # not replaced under the learner's eyes
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, DrillSummaryScreen, timeout=5)
        assert "Time 1:00" in ui.shown(app) and "Score 1/1" in ui.shown(app)
    [drill] = store.drills()
    assert drill.summary is not None and drill.summary["elapsed_s"] == 60 and drill.summary["completed"]


async def test_interview_mode_hides_hints_and_keeps_the_truth_for_the_end(app, store, ui):
    async with app.run_test(size=SIZE) as pilot:
        app.start_drill(DrillSettings(count=4, decks=BASICS, interview=True))
        screen = await ui.wait_for_screen(pilot, DrillScreen)
        assert "Hint" not in ui.shown(app)
        await pilot.press("ctrl+t")
        assert not screen.query("#hint")  # nothing was shown
        await answer(pilot, ui, False, 2)
        await ui.wait_for_screen(pilot, DrillScreen)
        text = ui.shown(app)
        assert "✘  Wrong  · explained at the end" in text and "it is" not in text


async def test_undo_in_a_drill_takes_the_answer_back_from_the_score_and_the_store_not_the_clock(
    app, store, ui
):
    async with app.run_test(size=SIZE) as pilot:
        app.start_drill(DrillSettings(minutes=2, count=3, decks=BASICS))
        await ui.wait_for_screen(pilot, DrillScreen)
        assert "Undo" not in ui.shown(app)  # nothing to take back yet
        first = await answer(pilot, ui, True, 4)
        missed = await answer(pilot, ui, False, 10)
        third = await ui.wait_for_screen(pilot, DrillScreen)
        assert "✘  Wrong" in ui.shown(app) and "^z Undo" in ui.shown(app)
        assert "◷ 1:46 left" in ui.shown(app) and "✔ 1  ✘ 1" in ui.shown(app)
        assert len(store.reviews()) == 2

        await pilot.press("ctrl+z")
        await ui.wait_until(pilot, lambda: app.screen is not third)
        again = app.screen
        assert isinstance(again, DrillScreen) and again.item is missed.item  # the same draw
        text = ui.shown(app)
        assert "Took back your answer to tui-basics/" in text and "the clock kept running" in text
        # the score forgets it; the clock does not give the 10 s back
        assert "question 2 of 3" in text and "✔ 1  ✘ 0" in text and "◷ 1:46 left" in text
        assert [r.question for r in store.reviews()] == [first.item.question.id]
        assert store.card("tui-basics", missed.item.question.id) is None  # never reviewed before

        await answer(pilot, ui, True, 5)
        await answer(pilot, ui, True, 6)
        await ui.wait_for_screen(pilot, DrillSummaryScreen)
        text = ui.shown(app)
        assert "Score 3/3" in text and "Time 0:25" in text
        assert "Undo was used once: saved, but a drill with a second try sets no best." in text
        assert "New best" not in text
    [drill] = store.drills()
    assert drill.summary is not None
    assert (drill.summary["answered"], drill.summary["correct"], drill.summary["missed"]) == (3, 3, [])
    reviews = store.reviews()
    assert [r.correct for r in reviews] == [True, True, True] and {r.drill_id for r in reviews} == {drill.id}
    assert [r.response_ms for r in reviews] == [4000, 5000, 6000]


async def test_an_interview_drill_has_no_undo_and_says_so(app, store, ui):
    seen: list = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        app.start_drill(DrillSettings(count=3, decks=BASICS, interview=True))
        await ui.wait_for_screen(pilot, DrillScreen)
        await answer(pilot, ui, False, 3)
        screen = await ui.wait_for_screen(pilot, DrillScreen)
        assert "Undo" not in ui.shown(app)
        await pilot.press("ctrl+z")
        said = lambda: [m.notification.message for m in seen if isinstance(m, Notify)]  # noqa: E731
        await ui.wait_until(pilot, said)
        assert said() == ["No undo in an interview drill: answers are final, as in an interview."]
        assert app.screen is screen and len(store.reviews()) == 1
        await pilot.press("f1")
        await ui.wait_for_screen(pilot, HelpScreen)
        text = ui.shown(app)
        assert "^z  No undo" in text and "there is no undo: answers are final" in text


async def test_the_setup_says_what_is_wrong_with_the_settings(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        setup = await ui.wait_for_screen(pilot, DrillSetupScreen)
        assert "6 questions match" in ui.shown(app)  # the card is left out
        setup.query_one("#drill-count", Input).value = "0"
        await ui.wait_until(pilot, lambda: "Questions must be more than 0" in ui.shown(app))
        assert setup.query_one("#drill-start").disabled
        await pilot.press("ctrl+s")
        assert app.screen is setup
        setup.query_one("#drill-count", Input).value = "5"
        decks = setup.query_one("#drill-decks", SelectionList)
        decks.deselect_all()
        await ui.wait_until(pilot, lambda: "Mark at least one deck" in ui.shown(app))
        decks.select("tui-more")
        await ui.wait_until(pilot, lambda: "2 questions match" in ui.shown(app))
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, HomeScreen)


# -- stats ----------------------------------------------------------------------------------------


async def test_stats_on_an_empty_database_say_what_to_do_first(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await ui.wait_for_screen(pilot, StatsScreen)
        assert "No reviews yet" in ui.shown(app) and "press Enter to quiz it" in ui.shown(app)
        assert "No reviews yet" in EMPTY_MESSAGE  # the same first step as `jaxquiz stats`
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, HomeScreen)


async def test_stats_after_a_drill_show_its_figures(app, store, clock, ui):
    async with app.run_test(size=SIZE) as pilot:
        app.start_drill(DrillSettings(count=2, decks=BASICS))
        await ui.wait_for_screen(pilot, DrillScreen)
        await answer(pilot, ui, True, 3)
        await answer(pilot, ui, False, 3)
        await ui.wait_for_screen(pilot, DrillSummaryScreen)
        await pilot.press("escape")
        await ui.wait_for_screen(pilot, HomeScreen)
        clock.advance(days=1)
        await pilot.press("t")
        await ui.wait_for_screen(pilot, StatsScreen)
        text = ui.shown(app)
        assert "Streak      1 day" in text and "Reviews     2" in text and "Last 7 days 2" in text
        await pilot.press("4")
        await pilot.pause()
        text = ui.shown(app)
        assert "2025-03-01    1/2   2 questions · tui-basics" in text
        await pilot.press("2")
        await pilot.pause()
        assert "% right by deck" in ui.shown(app)


# -- snapshots (80x24, frozen clock, fixed seed) -----------------------------------------------

SNAP_SIZE = (80, 24)


def still(pilot) -> None:
    """No blinking cursor in a screenshot."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False


def practice(history, store, decks, today) -> None:
    """Eight weeks of made-up reviews of the test decks (a known pattern) and three drills."""
    questions = [(d, q) for d in decks.decks for q in d.deck.questions]
    cards: dict = {}
    for day in range(56, 0, -1):
        if day % 4 == 3:
            continue  # a day off now and then
        at = today - timedelta(days=day, hours=2)
        for n in range(day % 5 + 1):
            loaded, question = questions[(day + n) % len(questions)]
            right = (day + n) % 3 != 0 or day < 20
            rating = Rating.Good if right else Rating.Again
            key = (loaded.id, question.id)
            correct = None if question.type == "card" else right
            cards[key], _ = history.review(
                store, loaded, question, at, rating, cards.get(key), correct=correct, response_ms=5000
            )
            at += timedelta(minutes=1)
    for days_ago, right in ((30, 1), (16, 2), (3, 3)):
        at = today - timedelta(days=days_ago)
        history.finished_drill(store, DrillSettings(count=3, decks=BASICS), at, at, correct=right, answered=3)


def test_snapshot_drill_setup(snap_compare, app, ui):
    async def run_before(pilot) -> None:
        await pilot.press("d")
        await ui.wait_for_screen(pilot, DrillSetupScreen)
        still(pilot)

    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=run_before)


def test_snapshot_drill_with_the_last_verdict_flashing(snap_compare, app, ui, monkeypatch):
    monkeypatch.setattr(DrillScreen, "FLASH_S", 3600.0)  # hold the flash for the picture

    async def run_before(pilot) -> None:
        app.start_drill(DrillSettings(minutes=2, count=3, decks=BASICS))
        await ui.wait_for_screen(pilot, DrillScreen)
        await answer(pilot, ui, False, 7)
        await ui.wait_for_screen(pilot, DrillScreen)
        still(pilot)

    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=run_before)


def test_snapshot_drill_summary(snap_compare, app, ui):
    async def run_before(pilot) -> None:
        app.start_drill(DrillSettings(count=3, decks=BASICS))
        await ui.wait_for_screen(pilot, DrillScreen)
        for right, seconds in ((True, 4), (False, 11), (True, 6)):
            await answer(pilot, ui, right, seconds)
        await ui.wait_for_screen(pilot, DrillSummaryScreen)

    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=run_before)


def test_snapshot_stats_activity(snap_compare, app, store, decks, ui, history):
    practice(history, store, decks, ui.T0)
    assert snap_compare(app, terminal_size=SNAP_SIZE, press=["t"])


def test_snapshot_stats_accuracy(snap_compare, app, store, decks, ui, history):
    practice(history, store, decks, ui.T0)
    assert snap_compare(app, terminal_size=SNAP_SIZE, press=["t", "2"])


def test_snapshot_stats_drills(snap_compare, app, store, decks, ui, history):
    practice(history, store, decks, ui.T0)
    assert snap_compare(app, terminal_size=SNAP_SIZE, press=["t", "4"])


def test_snapshot_stats_empty(snap_compare, app):
    assert snap_compare(app, terminal_size=SNAP_SIZE, press=["t"])
