"""The end of a session: the score, each question's result, and the way home."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from jaxquiz.study.session import Result, Session
from jaxquiz.tui.messages import SessionClosed
from jaxquiz.tui.screens.base import AppScreen
from jaxquiz.tui.services import Services
from jaxquiz.tui.widgets.footer import AppFooter
from jaxquiz.tui.widgets.rating_bar import RATING_STYLES
from jaxquiz.tui.widgets.top_bar import TopBar


def result_line(result: Result) -> Content:
    item = result.item
    if result.correct is None and result.rating is None:
        mark = ("–", "$text-muted")
    elif result.correct is None:
        mark = ("◆", "$text-accent")
    else:
        mark = ("✔", "$text-success") if result.correct else ("✘", "$text-error")
    rating = (
        (f"{result.rating.label:>6}", RATING_STYLES[result.rating])
        if result.rating
        else ("  skip", "$text-muted")
    )
    return Content.assemble(mark, " ", rating, "  ", f"{item.deck.id}/{item.question.id}")


class SummaryScreen(AppScreen[None]):
    """How the session went."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter,escape", "home", "Home")]

    def __init__(self, services: Services, session: Session) -> None:
        super().__init__(services)
        self.session = session

    def compose(self) -> ComposeResult:
        right, graded = self.session.score()
        cards = sum(1 for r in self.session.results if r.correct is None and r.rating is not None)
        yield TopBar(f"{self.session.title} · done")
        with VerticalScroll(id="summary-body"):
            head = f"{right} of {graded} right" if graded else "No graded questions"
            extra = f" · {cards} card{'s' * (cards != 1)} self-graded" if cards else ""
            yield Static(Content.assemble((head, "bold"), extra), id="score")
            yield Static(Content("\n").join(result_line(r) for r in self.session.results), id="results")
        yield AppFooter()

    def action_home(self) -> None:
        self.post_message(SessionClosed())
