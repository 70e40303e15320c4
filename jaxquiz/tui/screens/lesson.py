"""A deck's lesson, shown before its first question: its description, where its material comes
from and (folded) the setup its questions depend on; any of them is enough for a lesson."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Collapsible, Markdown, Static

from jaxquiz.decks import LoadedDeck
from jaxquiz.decks.setup_use import setup_is_used
from jaxquiz.tui.widgets.code_view import CodeView


class LessonScreen(ModalScreen[None]):
    """The lesson of a deck; any of Enter, Space or Escape goes to the question: the first one
    (`before_first`, shown before a deck's first question), or back to the one asked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space,escape", "dismiss", "Back"),
    ]

    def __init__(self, deck: LoadedDeck, *, before_first: bool = False) -> None:
        super().__init__()
        self.deck = deck
        self.leaving = "start" if before_first else "back to the question"

    def compose(self) -> ComposeResult:
        with Vertical(id="lesson-box"):
            yield Static(Content.styled(f"Lesson · {self.deck.deck.title}", "bold"), id="lesson-title")
            with VerticalScroll(id="lesson-body"):
                if self.deck.deck.description:
                    yield Markdown(self.deck.deck.description)
                if self.deck.deck.source:
                    yield Static(
                        Content.assemble(("Source  ", "bold $text-muted"), self.deck.deck.source),
                        id="lesson-source",
                    )
                if self.deck.deck.setup and setup_is_used(self.deck.deck):
                    # The questions use names it defines; folded, as most learners need it only
                    # when a question surprises them.
                    with Collapsible(title="Setup, run before every question", id="lesson-setup"):
                        yield CodeView(self.deck.deck.setup)
            yield Static(
                Content.assemble(
                    ("Enter", "bold $text-accent"),
                    f" {self.leaving}   ",
                    ("↑↓", "bold $text-accent"),
                    " scroll",
                ),
                id="lesson-keys",
            )

    def on_mount(self) -> None:
        self.query_one("#lesson-body").focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
