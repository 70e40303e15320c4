"""Where the learner types: keys that arrive together (a paste read as keys, a fast typist, a
machine busy compiling) apply in the order they were pressed, editing keys included. Textual's
own Input and TextArea ran a bound key (backspace, ctrl+u, an arrow) only after the keys that
followed it had been typed."""

from __future__ import annotations

from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, TextArea

from jaxquiz.tui.widgets.python_editor import PythonEditor
from jaxquiz.tui.widgets.text_entry import LineInput


class Entry(App[None]):
    def compose(self) -> ComposeResult:
        yield LineInput(id="line")
        yield PythonEditor(id="editor")


KEYS_AND_TEXT = [
    (("b", "a", "backspace", "c"), "bc"),
    (("x", "y", "ctrl+u", "z"), "z"),  # Input's clear-to-start; TextArea's delete-to-start
    (("a", "b", "left", "c"), "acb"),
    (("a", "b", "home", "c", "end", "d"), "cabd"),
]


@pytest.mark.parametrize("field", ["line", "editor"])
@pytest.mark.parametrize(("keys", "text"), KEYS_AND_TEXT)
async def test_keys_pressed_together_apply_in_order(field, keys, text, ui):
    app = Entry()
    async with app.run_test() as pilot:
        widget = app.query_one(f"#{field}", Input | TextArea)
        widget.focus()
        await ui.keys_at_once(pilot, *keys)
        assert (widget.value if isinstance(widget, Input) else widget.text) == text


async def test_undo_pressed_with_typing_takes_back_only_what_came_before_it(ui):
    app = Entry()
    async with app.run_test() as pilot:
        editor = app.query_one("#editor", TextArea)
        editor.focus()
        await ui.keys_at_once(pilot, "a", "b")
        editor.history.checkpoint()  # what was typed before is one edit, as after a pause
        await ui.keys_at_once(pilot, "space", "c", "ctrl+z", "d")
        assert editor.text == "abd"


async def test_keys_bound_outside_the_field_still_reach_their_screen(ui):
    pressed: list[str] = []

    class WithAKey(Entry):
        BINDINGS: ClassVar[list[BindingType]] = [("ctrl+r", "run", "Run")]

        def action_run(self) -> None:
            pressed.append(self.query_one("#line", Input).value)

    app = WithAKey()
    async with app.run_test() as pilot:
        app.query_one("#line", Input).focus()
        await ui.keys_at_once(pilot, "a", "ctrl+r", "b")
        assert len(pressed) == 1 and pressed[0].startswith("a")
        assert app.query_one("#line", Input).value == "ab"


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("x = 1\ny", "x = 1\ny"),
        ("def f(x):\nif x:\nreturn 1\nreturn 2", "def f(x):\n    if x:\n        return 1\n    return 2"),
        ("for i in r:\npass\nz", "for i in r:\n    pass\nz"),
    ],
)
async def test_a_new_line_in_the_editor_is_indented_as_the_code_says(typed, text, ui):
    app = Entry()
    async with app.run_test() as pilot:
        editor = app.query_one("#editor", TextArea)
        editor.focus()
        await ui.keys_at_once(pilot, *typed)
        assert editor.text == text
