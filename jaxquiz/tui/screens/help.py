"""`?`: the keys of the screen underneath, and how answers are graded."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static

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


def key_rows(screen: Screen) -> Content:
    """The bindings of `screen` and of the app (not of its widgets) as "key  description"."""
    rows: list[Content] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.node not in (screen, screen.app) or not active.enabled:
            continue
        if not binding.description or binding.description in seen:
            continue
        seen.add(binding.description)
        shown = binding.key_display or screen.app.get_key_display(binding)
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
