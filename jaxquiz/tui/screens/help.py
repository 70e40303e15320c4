"""`?`: the keys of the screen underneath, and how answers are graded."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static

from jaxquiz.tui.widgets.footer import key_to_show, takes_typing

HOW_IT_WORKS = """\
**How grading works.** Every question with code is *run* on your JAX device: your answer is
compared with what really came out, never with an answer key. A shape like `(3, 4)`, a dtype
like `float32`, an exception class like `TypeError` (or `none`), or a value: any Python
expression that gives the same result is right.

**Scheduling.** After each verdict a rating is proposed from whether you were right and how
long you took (Again, Hard, Good, Easy). Enter accepts it, 1-4 choose another. Questions come
back when FSRS expects you to be about to forget them: *Study* asks what is due.

**Try it** (`ctrl+r`) opens the question's code in an editor: change it and run it to see the
shape and dtype of every array it makes. Progress is saved after every answer.
"""


# Every textual screen's: moving the focus and copying, true everywhere and said nowhere else.
_TEXTUAL_SCREEN_ACTIONS = frozenset(
    binding.action for binding in Screen.BINDINGS if isinstance(binding, Binding)
)


def key_rows(screen: Screen) -> Content:
    """The keys of `screen` as "key  description": all of the screen's own, and those of the app
    and of the focused widgets that the footer shows (not textual's tab, shift+tab, ctrl+c)."""
    rows: list[Content] = []
    seen: set[str] = set()
    typing = takes_typing(screen.focused)
    for active in screen.active_bindings.values():
        binding = active.binding
        if not active.enabled or binding.action in _TEXTUAL_SCREEN_ACTIONS:
            continue
        if active.node is not screen and not binding.show:
            continue
        if not binding.description or binding.description in seen:
            continue
        seen.add(binding.description)
        shown = screen.app.get_key_display(key_to_show(screen.app, binding, typing))
        rows.append(Content.assemble((f"{shown:>10}", "bold $text-accent"), f"  {binding.description}"))
    return Content("\n").join(rows)


class HelpScreen(ModalScreen[None]):
    """Help for the screen it was opened from."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,question_mark,q", "close", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Content.styled("Help", "bold"), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(key_rows(self.under), id="help-keys")
                extra = getattr(self.under, "HELP", "")
                if extra:
                    yield Markdown(extra, id="help-screen")
                yield Markdown(HOW_IT_WORKS)
            yield Static(Content.assemble(("Escape", "bold $text-accent"), " close"), id="help-footer")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
