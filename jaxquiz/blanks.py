"""The blank of a fill question, and filling it: one rule for the deck, the session and the worker.

A leaf like `paths` and `errors`: plain Python, so the worker can import it without the deck
models (pydantic) and the study layer without the engine.
"""

from __future__ import annotations

BLANK = "___"


def fill_blank(code: str, text: str, *, block: bool) -> str:
    """The question's code with the learner's text in place of the blank.

    For block input, every line after the first is indented to the blank's column, so a
    function body typed flush-left lands inside the function.
    """
    if block:
        start = code.index(BLANK)
        column = start - (code.rfind("\n", 0, start) + 1)
        lines = text.strip("\n").splitlines() or [""]
        text = ("\n" + " " * column).join(lines)
    return code.replace(BLANK, text, 1)
