"""Labelled rows ("You said", "It is"...): a label column, and values that wrap under themselves."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

Row = tuple[str, Content]


class Facts(Vertical):
    """Rows of label and value; a long or multi-line value keeps to its own column."""

    DEFAULT_CSS = """
    Facts { height: auto; }
    Facts > Horizontal { height: auto; }
    Facts .fact-label { width: 12; text-style: bold; color: $text-muted; }
    Facts .fact-value { width: 1fr; }
    """

    def __init__(self, rows: list[Row], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows = rows

    def compose(self) -> ComposeResult:
        for label, value in self.rows:
            with Horizontal():
                yield Static(Content(label), classes="fact-label")
                yield Static(value, classes="fact-value")
