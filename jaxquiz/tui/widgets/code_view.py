"""Read-only Python code with line numbers and theme-aware highlighting; a fill's blank stands out."""

from __future__ import annotations

import re

from textual.content import Content, Span
from textual.highlight import highlight
from textual.widget import Widget

from jaxquiz.decks import BLANK

BLANK_STYLE = "bold $text on $warning 70%"
NUMBER_STYLE = "$text-muted"


def render_code(code: str, width: int = 0) -> Content:
    """Highlighted code, one numbered line per source line, with every `___` marked. With a
    `width`, a line longer than that wraps, its rest under itself beside a blank number."""
    source = code.rstrip("\n")
    lines = highlight(source, language="python").split("\n", allow_blank=True)
    plain = source.split("\n")
    digits = len(str(len(plain)))
    room = width - digits - 3 if width else 0  # what the number and "│ " leave
    rows = []
    for number, (line, text) in enumerate(zip(lines, plain, strict=False), start=1):
        # All the blanks' spans at once, and the line cut in one pass: a line of a deck may be
        # long, and each stylize or slice of a Content copies its every span.
        blanks = [Span(m.start(), m.end(), BLANK_STYLE) for m in re.finditer(re.escape(BLANK), text)]
        line = line.add_spans(blanks)
        gutter = f"{number:>{digits}} "
        for piece in line.divide(_cuts(text, room)):
            rows.append(Content.assemble((gutter, NUMBER_STYLE), ("│ ", NUMBER_STYLE), piece))
            gutter = " " * (digits + 1)
    return Content("\n").join(rows)


def _cuts(text: str, room: int) -> list[int]:
    """Where to cut `text` into pieces of at most `room` characters: after a space or a comma
    where one is in the piece's second half (no cut when room is too small)."""
    if room < 10:
        return []
    cuts, start = [], 0
    while len(text) - start > room:
        end = start + room
        cut = max(text.rfind(" ", start, end), text.rfind(",", start, end)) + 1
        start = cut if cut > start + room // 2 else end
        cuts.append(start)
    return cuts


class CodeView(Widget):
    """A question's code: numbered, highlighted with the theme's colours, the blank marked, its
    long lines wrapped to the width it is given (a learner's keys stay in the answer, so a code
    box that scrolled sideways would hide the end of a line)."""

    DEFAULT_CSS = """
    CodeView {
        background: $boost;
        padding: 0 1;
        width: 1fr;
        height: auto;
    }
    """

    def __init__(self, code: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.code = code
        self._rendered: tuple[int, Content] | None = None  # for the width it was made for

    def render(self) -> Content:
        # Made again only when the width changes: highlighting a long code takes a while, and
        # `render` runs at every refresh.
        width = self.content_region.width
        if self._rendered is None or self._rendered[0] != width:
            self._rendered = (width, render_code(self.code, width))
        return self._rendered[1]
