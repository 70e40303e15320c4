"""Labelled rows ("You said", "It is"...): a label column, and values that wrap under themselves."""

from __future__ import annotations

from typing import ClassVar

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

Row = tuple[str, Content]

LABEL_WIDTH = 12


class Facts(Widget):
    """Rows of label and value; a long or multi-line value keeps to its own column.

    One widget draws every row (a verdict shows several tables of them): each value is wrapped
    to the width right of the labels, and its lines go under its first.
    """

    DEFAULT_CSS = """
    Facts {
        height: auto;
        .facts--label { text-style: bold; color: $text-muted; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"facts--label"}

    def __init__(self, rows: list[Row], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows = rows

    def _lines(self, width: int) -> list[Content]:
        label_style = self.get_visual_style("facts--label")
        lines = []
        for label, value in self.rows:
            labels = Content(label).wrap(LABEL_WIDTH)
            values = value.wrap(max(1, width - LABEL_WIDTH))
            for index in range(max(len(labels), len(values))):
                shown = labels[index] if index < len(labels) else Content()
                lines.append(
                    Content.assemble(
                        Content.styled(shown.plain.ljust(LABEL_WIDTH), label_style),
                        values[index] if index < len(values) else "",
                    )
                )
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.size.width))
