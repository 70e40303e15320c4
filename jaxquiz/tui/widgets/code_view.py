"""Read-only Python code with line numbers and theme-aware highlighting; a fill's blank stands out."""

from __future__ import annotations

from textual.content import Content
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
        start = text.find(BLANK)
        while start != -1:
            line = line.stylize(BLANK_STYLE, start, start + len(BLANK))
            start = text.find(BLANK, start + len(BLANK))
        gutter = f"{number:>{digits}} "
        for piece in _pieces(line, room):
            rows.append(Content.assemble((gutter, NUMBER_STYLE), ("│ ", NUMBER_STYLE), piece))
            gutter = " " * (digits + 1)
    return Content("\n").join(rows)


def _pieces(line: Content, room: int) -> list[Content]:
    """`line` cut into pieces of at most `room` characters, after a space or a comma where one is
    in the piece's second half (all of it in one piece when room is too small)."""
    if room < 10 or len(line) <= room:
        return [line]
    text, pieces, start = line.plain, [], 0
    while len(text) - start > room:
        end = start + room
        cut = max(text.rfind(" ", start, end), text.rfind(",", start, end)) + 1
        end = cut if cut > start + room // 2 else end
        pieces.append(line[start:end])
        start = end
    return [*pieces, line[start:]]


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

    def render(self) -> Content:
        return render_code(self.code, self.content_region.width)
