"""The footer of keys, one widget drawing the screen's bindings: what it draws where, and the mouse
on it (a click presses a key, or rings the bell for a dimmed one; hovering highlights a key, shows
its tooltip and a hand), and what it leaves out on a narrow line. The layout at 80 columns is in
every snapshot."""

from __future__ import annotations

from jaxquiz.tui.screens.help import HelpScreen
from jaxquiz.tui.screens.question import QuestionScreen
from jaxquiz.tui.widgets.footer import AppFooter, ShownKey

SIZE = (100, 30)


def key_of(footer: AppFooter, action: str) -> ShownKey:
    return next(key for key in footer.keys if key.action == action)


def style_at(footer: AppFooter, x: int) -> object:
    return footer.render().get_style_at_offset(footer.app.console, x)


async def test_a_narrow_footer_leaves_out_keys_before_the_way_out_and_the_help_and_cuts_none(app, ui):
    async with app.run_test(size=(60, 24)) as pilot:
        ui.start(app, ("tui-basics", "transpose-shape"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        # Try it and Lesson are left out (the palette and the help still list them)
        assert ui.shown(app).splitlines()[-1] == (
            "^g Don't know ^t Hint esc Leave f1 Help         ▏^p palette"
        )
        footer = screen.query_one(AppFooter)
        shown = [key.action for key in footer.keys]
        assert shown == ["dont_know", "hint", "leave", "help", "command_palette"]
        assert (key_of(footer, "leave").start, key_of(footer, "leave").end) == (22, 31)
        assert (key_of(footer, "help").start, key_of(footer, "help").end) == (32, 39)
        assert (key_of(footer, "command_palette").start, key_of(footer, "command_palette").end) == (49, 59)
        await pilot.resize_terminal(26, 24)  # too narrow even for those: the line is cut
        await pilot.pause()
        assert ui.shown(app).splitlines()[-1] == "esc Leave f1 H▏^p palette"


def test_an_action_with_arguments_that_leads_off_the_screen_is_kept_too():
    def key(action: str, width: int) -> ShownKey:
        return ShownKey("k", action, "k", "x" * (width - 2), True, "", 0, width)

    keys = [key("one", 8), key("two", 8), key("dismiss(None)", 8), key("help", 6)]
    fitted = AppFooter._fit(keys, 24)  # room for three: the two that lead away, and one before
    assert [(k.action, k.start, k.end) for k in fitted] == [
        ("one", 0, 8),
        ("dismiss(None)", 9, 17),
        ("help", 18, 24),
    ]


async def test_at_80_columns_home_shows_quit_and_help(app, ui):
    async with app.run_test(size=(80, 24)) as pilot:
        await ui.wait_until(pilot, lambda: "⏎ Quiz" in ui.shown(app))
        assert ui.shown(app).splitlines()[-1] == (
            "⏎ Quiz x Shuffle s Study space Mark d Drill t Stats q Quit ? Help   ▏^p palette"
        )


async def test_a_click_on_a_key_presses_it_and_on_a_dimmed_key_rings_the_bell(app, ui, monkeypatch):
    rung: list[bool] = []
    monkeypatch.setattr(app, "bell", lambda: rung.append(True))
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "sum-dtype"))  # a question without a hint
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        footer = screen.query_one(AppFooter)
        hint = key_of(footer, "hint")
        assert not hint.enabled
        await pilot.click(AppFooter, offset=(hint.start + 1, 0))
        await pilot.pause()
        assert rung == [True] and app.screen is screen
        assert key_of(footer, "lesson").enabled
        await pilot.click(AppFooter, offset=(key_of(footer, "help").end - 1, 0))
        await ui.wait_for_screen(pilot, HelpScreen)
        assert rung == [True]


async def test_hovering_a_key_highlights_it_and_shows_its_tooltip(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        ui.start(app, ("tui-basics", "transpose-shape"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        footer = screen.query_one(AppFooter)
        palette = key_of(footer, "command_palette")
        plain = style_at(footer, palette.start)
        await pilot.hover(AppFooter, offset=(palette.start + 2, 0))
        assert footer.tooltip == "Open the command palette"
        assert footer.styles.pointer == "pointer"
        assert style_at(footer, palette.start) != plain
        hint, help_key = key_of(footer, "hint"), key_of(footer, "help")
        assert style_at(footer, hint.start) == style_at(footer, help_key.start)  # the others as they were
        await pilot.hover(AppFooter, offset=(palette.start - 3, 0))  # between two keys
        assert footer.tooltip is None and footer.styles.pointer == "default"
        assert style_at(footer, palette.start) == plain


async def test_help_is_shown_by_f1_while_a_field_takes_typing_where_question_mark_would_be_typed(app, ui):
    async with app.run_test(size=SIZE) as pilot:
        await ui.wait_until(pilot, lambda: "? Help" in ui.shown(app))  # the deck list has the focus
        ui.start(app, ("tui-basics", "transpose-shape"))
        screen = await ui.wait_for_screen(pilot, QuestionScreen)
        assert "f1 Help" in ui.shown(app) and "? Help" not in ui.shown(app)
        await pilot.press("question_mark")  # typed into the answer
        assert app.screen is screen and "answer › ?" in ui.shown(app)
        await pilot.click(AppFooter, offset=(key_of(screen.query_one(AppFooter), "help").start, 0))
        await ui.wait_for_screen(pilot, HelpScreen)
        assert "f1  Help" in ui.shown(app)  # the help's list of keys says the same
