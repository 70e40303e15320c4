"""The drill's row under the top bar: its clock or count, a bar of how far it is, and the score."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.renderables.bar import Bar
from textual.widget import Widget

# Cells of space after the clock and before the score.
GAP = 2


class DrillStatus(Widget):
    """One widget draws the row (four times a second in a timed drill): the clock on the left,
    the score on the right, and between them a bar as textual's progress bar draws it, in half
    cells, of `progress` out of `total`."""

    DEFAULT_CSS = """
    DrillStatus {
        height: 1;
        padding: 0 1;
        background: $boost;
        /* The track in a dim primary: $surface, textual's, vanishes on the row's background. */
        .drill-status--bar { color: $primary; background: $primary 30%; }
        .drill-status--complete { color: $success; background: $primary 30%; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"drill-status--bar", "drill-status--complete"}

    def __init__(self, total: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.total = total
        self.progress = 0.0
        self._clock = Content()
        self._score = Content()

    def show(self, clock: Content, progress: float, score: Content) -> None:
        """Draw the row again, if anything it shows changed."""
        if (clock.markup, progress, score.markup) == (self._clock.markup, self.progress, self._score.markup):
            return
        self._clock, self.progress, self._score = clock, progress, score
        self.refresh()

    def render(self) -> Content:
        width = self.size.width
        bar_width = max(0, width - self._clock.cell_length - self._score.cell_length - 2 * GAP)
        return Content.assemble(
            self._clock, " " * GAP, self._bar(bar_width), " " * GAP, self._score
        ).truncate(width)

    def _bar(self, width: int) -> Content:
        share = min(1.0, max(0.0, self.progress / self.total)) if self.total else 0.0
        if width:  # as textual's bar: in whole half cells
            share = int(share * width * 2) / (width * 2)
        style = self.get_component_rich_style("drill-status--complete" if share >= 1 else "drill-status--bar")
        bar = Bar(
            highlight_range=(0, width * share),
            highlight_style=Style.from_color(style.color),
            background_style=Style.from_color(style.bgcolor),
            width=width,
        )
        console = self.app.console
        segments = console.render(bar, console.options.update_width(width))
        drawn = Text.assemble(*((s.text, s.style or "") for s in segments if s.text != "\n"))
        return Content.from_rich_text(drawn)
