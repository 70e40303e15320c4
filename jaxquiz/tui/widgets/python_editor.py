"""A Python code editor whose highlighting follows the app's theme, with or without tree-sitter."""

from __future__ import annotations

from pygments.lexers import PythonLexer
from pygments.token import Token, _TokenType
from rich.style import Style
from textual import events
from textual._text_area_theme import TextAreaTheme
from textual._tree_sitter import TREE_SITTER
from textual.widgets import TextArea

from jaxquiz.tui.widgets.text_entry import run_own_binding

THEME_NAME = "jaxquiz"

# Pygments token -> the highlight names TextArea themes style (tree-sitter's names).
_NAMES: list[tuple[_TokenType, str]] = [
    (Token.Comment, "comment"),
    (Token.Literal.String.Doc, "string.documentation"),
    (Token.Literal.String, "string"),
    (Token.Literal.Number, "number"),
    (Token.Keyword.Constant, "boolean"),
    (Token.Keyword.Namespace, "include"),
    (Token.Keyword, "keyword"),
    (Token.Operator.Word, "keyword.operator"),
    (Token.Operator, "operator"),
    (Token.Name.Builtin.Pseudo, "variable.builtin"),
    (Token.Name.Builtin, "type.builtin"),
    (Token.Name.Class, "class"),
    (Token.Name.Decorator, "function"),
    (Token.Name.Function, "function"),
    (Token.Name.Exception, "type.builtin"),
]


# After a line starting with one of these, nothing more runs in its block.
_BLOCK_ENDS = {"return", "pass", "raise", "break", "continue"}


def _name_of(token: _TokenType) -> str | None:
    for kind, name in _NAMES:
        if token in kind:
            return name
    return None


def syntax_theme(variables: dict[str, str]) -> TextAreaTheme:
    """A TextArea theme that takes its colours from the app theme's CSS variables.

    Base colours, cursor and selection come from CSS (as with the built-in "css" theme); only the
    syntax colours are set, from the same variables `textual.highlight` uses for read-only code.
    """

    def colour(name: str, *, bold: bool = False, italic: bool = False) -> Style:
        value = variables.get(name, "")
        return Style(color=value if value.startswith("#") else None, bold=bold, italic=italic)

    keyword = colour("text-accent")
    return TextAreaTheme(
        name=THEME_NAME,
        syntax_styles={
            "comment": Style(dim=True, italic=True),
            "string": colour("text-success"),
            "string.documentation": colour("text-success", italic=True),
            "number": colour("text-warning"),
            "float": colour("text-warning"),
            "boolean": colour("text-success", bold=True),
            "include": colour("text-error"),
            "keyword": keyword,
            "keyword.operator": colour("text-error", bold=True),
            "keyword.function": keyword,
            "keyword.return": keyword,
            "conditional": keyword,
            "repeat": keyword,
            "exception": keyword,
            "operator": Style(bold=True),
            "variable.builtin": Style(italic=True),
            "type.builtin": keyword,
            "class": colour("text-warning", bold=True),
            "function": colour("text-warning"),
            "function.call": colour("text-warning"),
        },
    )


class PythonEditor(TextArea):
    """TextArea for Python: line numbers, indent on tab, a new line indented as the code says,
    highlighted in the app theme's colours, editing keys applied in order with the typing.

    With tree-sitter installed (textual[syntax]) TextArea parses the code itself; without it, the
    highlight map is built from Pygments tokens (already a dependency of rich) so the editor is
    never plain text.
    """

    def __init__(self, text: str = "", **kwargs: object) -> None:
        super().__init__(
            text,
            language="python" if TREE_SITTER else None,
            show_line_numbers=True,
            tab_behavior="indent",
            soft_wrap=False,
            **kwargs,  # type: ignore[arg-type]
        )

    def on_mount(self) -> None:
        self._use_app_colours()

    async def _on_key(self, event: events.Key) -> None:
        self._restart_blink()  # as TextArea's key handler does, which a binding run here skips
        if event.key == "escape":
            # TextArea's own handler (with tab indenting) moves the focus on; the footer says
            # escape leaves, so the key goes on to the screen's binding.
            event.prevent_default()
            return
        if event.key == "enter" and not self.read_only:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self.replace("\n" + self._indent_after(start), start, end, maintain_selection_offset=False)
            return
        await run_own_binding(self, event)

    def _indent_after(self, location: tuple[int, int]) -> str:
        """The indentation of a line started at `location`, as Python editors do: the line's own,
        one level more after a `:`, one level less after a line that leaves its block."""
        row, column = location
        before = self.document[row][:column]
        indent = len(before) - len(before.lstrip(" "))
        code = before.strip()
        if code.endswith(":"):
            indent += self.indent_width
        elif code.split(" ", 1)[0] in _BLOCK_ENDS:
            indent = max(indent - self.indent_width, 0)
        return " " * indent

    def _app_theme_changed(self) -> None:
        self._use_app_colours()

    def _use_app_colours(self) -> None:
        self.register_theme(syntax_theme(self.app.get_css_variables()))
        self.theme = THEME_NAME  # always_update: re-applies the re-registered theme

    def _build_highlight_map(self) -> None:
        if TREE_SITTER and self.language:
            super()._build_highlight_map()
            return
        # TextArea's internals (pinned textual): highlights are (start byte, end byte, name) per row.
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        row, column = 0, 0
        for token, text in PythonLexer(stripnl=False, ensurenl=False).get_tokens(self.text):
            name = _name_of(token)
            for index, part in enumerate(text.split("\n")):
                if index:
                    row, column = row + 1, 0
                width = len(part.encode("utf-8"))
                if name and width:
                    highlights[row].append((column, column + width, name))
                column += width
