"""A short question in a box, answered with one key: leave the quiz? resume where you left it?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class AskScreen(ModalScreen[str | None]):
    """Returns the value of the choice whose key was pressed; escape returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, text: str, choices: Sequence[tuple[str, str, str]]) -> None:
        """`choices`: (key, value returned, label) each."""
        super().__init__()
        self.title_text = title
        self.text = text
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        keys: list[str | tuple[str, str]] = []
        for key, _, label in self.choices:
            keys += [(key, "bold $text-accent"), f" {label}   "]
        keys += [("esc", "bold $text-accent"), " cancel"]
        with Vertical(id="ask-box"):
            yield Static(Content.styled(self.title_text, "bold"), id="ask-title")
            yield Static(self.text, id="ask-text")
            yield Static(Content.assemble(*keys), id="ask-keys")

    def on_key(self, event: events.Key) -> None:
        for key, value, _ in self.choices:
            if event.key == key:
                event.stop()
                self.dismiss(value)
                return
