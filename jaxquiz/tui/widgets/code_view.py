"""Read-only Python code with line numbers and theme-aware highlighting; a fill's blank stands out."""

from __future__ import annotations

from textual.content import Content
from textual.highlight import highlight
from textual.widgets import Static

from jaxquiz.decks import BLANK

BLANK_STYLE = "bold $text on $warning 70%"
NUMBER_STYLE = "$text-muted"


def render_code(code: str) -> Content:
    """Highlighted code, one numbered line per source line, with every `___` marked."""
    source = code.rstrip("\n")
    lines = highlight(source, language="python").split("\n", allow_blank=True)
    plain = source.split("\n")
    width = len(str(len(plain)))
    rows = []
    for number, (line, text) in enumerate(zip(lines, plain, strict=False), start=1):
        start = text.find(BLANK)
        while start != -1:
            line = line.stylize(BLANK_STYLE, start, start + len(BLANK))
            start = text.find(BLANK, start + len(BLANK))
        rows.append(Content.assemble((f"{number:>{width}} ", NUMBER_STYLE), ("│ ", NUMBER_STYLE), line))
    return Content("\n").join(rows)


class CodeView(Static):
    """A question's code: numbered, highlighted with the theme's colours, the blank marked."""

    DEFAULT_CSS = """
    CodeView {
        background: $boost;
        padding: 0 1;
        width: 1fr;
        height: auto;
    }
    """

    def __init__(self, code: str, **kwargs: object) -> None:
        super().__init__(render_code(code), **kwargs)  # type: ignore[arg-type]
