"""Asking before a deck from outside the bundle runs: its code is shown, the user agrees or not."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from jaxquiz.study.library import PendingTrust
from jaxquiz.tui.widgets.code_view import CodeView


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
                yield CodeView(self.pending.snapshot.text)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#trust-code").focus()

    def action_agree(self) -> None:
        self.dismiss(True)

    def action_refuse(self) -> None:
        self.dismiss(False)
