"""Asking before a deck from outside the bundle runs: its code is shown, the user agrees or not.

Only the parts of the file that run or feed the code are shown (prose is left out), each
wrapped to the dialog's width, and a file agreed to before shows what changed first.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from jaxquiz.study.library import PendingTrust
from jaxquiz.trust import Review, TrustError, TrustStore, review
from jaxquiz.tui.widgets.code_view import render_code
from jaxquiz.tui.widgets.footer import AppFooter

DIFF_STYLES = {"+": "$text-success", "-": "$text-error", "@": "$text-accent"}


def diff_line(line: str) -> Content:
    """A line of the diff, its mark (+, - or none) in a gutter of its own: a line of a YAML list
    kept as it was (` - jax.jit`) does not read as a line taken out (`- jax.jit`)."""
    if line.startswith("@@ "):  # where the hunk is
        return Content.styled(line, DIFF_STYLES["@"])
    mark = line[:1].strip()
    return Content.styled(f"{mark or ' '}│ {line[1:]}", DIFF_STYLES.get(mark, ""))


class ReviewView(Static):
    """The code blocks of a deck file, wrapped to the width (nothing hides off-screen), after a
    diff against the version agreed to before, when there is one."""

    DEFAULT_CSS = """
    ReviewView {
        width: 1fr;
        height: auto;
        background: $boost;
        padding: 0 1;
    }
    """

    def __init__(self, shown: Review) -> None:
        parts: list[Content] = []
        if shown.diff is not None:
            parts.append(Content.styled("What changed since you agreed to it", "bold"))
            lines = shown.diff.splitlines()  # the versions compared first, then the hunks
            parts += [Content.styled(line, "bold") for line in lines[:2]]
            parts += [diff_line(line) for line in lines[2:]] or [Content("(no change in the code)")]
            parts.append(Content(""))
        if not shown.blocks:
            parts.append(Content("(this file holds no code)"))
        for where, code in shown.blocks:
            parts.append(Content.styled(where, "bold $text-warning"))
            parts.append(render_code(code))
        super().__init__(Content("\n").join(parts))


def _store() -> TrustStore | None:
    try:
        return TrustStore.load()
    except TrustError:
        return None  # without the records there is no earlier version to compare with


class TrustScreen(ModalScreen[bool]):
    """Shows a deck file's exact content; dismisses with True when the user agrees to run it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "agree", "Trust and run it"),
        Binding("n,escape", "refuse", "Not now"),
    ]

    def __init__(self, pending: PendingTrust) -> None:
        super().__init__()
        self.pending = pending

    def compose(self) -> ComposeResult:
        with Vertical(id="trust-dialog"):
            yield Static(Content.styled("A deck is code", "bold $text-warning"), id="trust-title")
            yield Static(
                Content.assemble(
                    self.pending.why,
                    "\nRunning its questions runs this Python on your machine. Read it first: ",
                    ("y", "bold $text-accent"),
                    " agrees to this exact content (a later edit asks again), ",
                    ("n", "bold $text-accent"),
                    " leaves the deck out.",
                ),
                id="trust-why",
            )
            with VerticalScroll(id="trust-code"):
                yield ReviewView(review(self.pending.snapshot, _store()))
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#trust-code").focus()

    def action_agree(self) -> None:
        self.dismiss(True)

    def action_refuse(self) -> None:
        self.dismiss(False)
