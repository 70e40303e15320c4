"""Labelled rows ("You said", "It is"...): a label column, and values that wrap under themselves."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

Row = tuple[str, Content]

PREVIEW_LINES = 8


def clip(text: str, lines: int = PREVIEW_LINES, more: str = "ctrl+r shows it all in try it") -> str:
    """The first `lines` lines of a long value, and how many were left out."""
    parts = text.split("\n")
    if len(parts) <= lines:
        return text
    why = f" ({more})" if more else ""
    return "\n".join([*parts[:lines], f"… {len(parts) - lines} more lines{why}"])


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
