"""Fitting values into the terminal: long text cut to a few lines or one, share bars, and one
line of markdown as styles."""

from __future__ import annotations

import re

from textual.content import Content

PREVIEW_LINES = 8


def clip(text: str, lines: int = PREVIEW_LINES, more: str = "ctrl+r shows it all in try it") -> str:
    """The first `lines` lines of a long value, and how many were left out."""
    parts = text.split("\n")
    if len(parts) <= lines:
        return text
    why = f" ({more})" if more else ""
    return "\n".join([*parts[:lines], f"… {len(parts) - lines} more lines{why}"])


def ellipsize(text: str, width: int) -> str:
    """`text` cut to `width` characters, the last one an ellipsis when anything was cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def one_line(text: str, width: int) -> str:
    """`text` squeezed onto one line (runs of whitespace, newlines too, as one space) and cut to `width`."""
    return ellipsize(" ".join(text.split()), width)


def share_bar(share: float, width: int) -> Content:
    """A bar of `width` cells filled by `share` (0 to 1), then the percentage: ██████░░  75%."""
    filled = round(share * width)
    return Content.assemble(
        ("█" * filled, "$text-success"),
        ("░" * (width - filled), "dim"),
        f" {share:4.0%}",
    )


_INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*")


def inline_markdown(text: str) -> Content:
    """`code`, **bold** and *italic* of a one-line markdown preview as styles, the marks dropped."""
    parts: list[str | tuple[str, str]] = []
    end = 0
    for match in _INLINE.finditer(text):
        parts.append(text[end : match.start()])
        code, bold, italic = match.groups()
        if code is not None:
            parts.append((code, "$text-accent"))
        elif bold is not None:
            parts.append((bold, "bold"))
        else:
            parts.append((italic, "italic"))
        end = match.end()
    parts.append(text[end:])
    return Content.assemble(*parts)
