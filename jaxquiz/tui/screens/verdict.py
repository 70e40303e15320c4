"""The verdict: right or wrong at a glance, then why, then the rating to schedule the question."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static

from jaxquiz.decks.models import ChoiceQuestion, FillQuestion, PuzzleQuestion
from jaxquiz.engine import Verdict
from jaxquiz.study.scheduler import Rating
from jaxquiz.study.session import Item, Session, records
from jaxquiz.tui.messages import LeaveAsked
from jaxquiz.tui.screens.base import AppScreen
from jaxquiz.tui.screens.try_it import TryItScreen
from jaxquiz.tui.services import Services
from jaxquiz.tui.text import clip
from jaxquiz.tui.widgets.code_view import CodeView
from jaxquiz.tui.widgets.facts import Facts, Row
from jaxquiz.tui.widgets.footer import AppFooter
from jaxquiz.tui.widgets.rating_bar import RatingBar
from jaxquiz.tui.widgets.top_bar import TopBar

STATUS_BANNERS = {
    "timeout": ("⏱  Timed out", "-other"),
    "crashed": ("✘  The run crashed", "-wrong"),
    "out-of-memory": ("✘  Out of memory", "-wrong"),
    "question-error": ("⚠  This question is broken (not your answer)", "-other"),
    "unreadable": ("?  The answer could not be read", "-other"),
}


# What the verdict screen returns: the rating to record, "back" to take the answer back and answer
# again, or None when the answer is not recorded.
VerdictChoice = Rating | Literal["back"] | None


def banner(verdict: Verdict) -> tuple[str, str]:
    """The headline and its CSS class."""
    if verdict.status == "graded":
        return ("✔  Right", "-right") if verdict.correct else ("✘  Wrong", "-wrong")
    return STATUS_BANNERS.get(verdict.status, (verdict.status, "-other"))


def _styled(value: str | Content, style: str = "") -> Content:
    return value if isinstance(value, Content) else Content.styled(value, style)


def facts(item: Item, answer: str, verdict: Verdict) -> list[Row]:
    """What was answered, what is true, and how they differ."""
    truth = verdict.truth
    rows: list[Row] = []
    said = Content(answer.strip() or "(nothing)")
    understood = verdict.understood.strip()
    if understood and not answer.strip():
        said = Content.styled(understood, "italic")  # "I don't know"
    elif understood and understood != answer.strip():
        said = Content.assemble(said, ("  read as ", "$text-muted"), understood)
    rows.append(("You said", said))
    shown = item.shown
    if (
        isinstance(shown, FillQuestion | PuzzleQuestion)
        and verdict.status == "graded"
        and not verdict.correct
    ):
        # The reference beside what the learner's version gave (the difference, below).
        rows.append(("Solution", _styled(shown.solution.rstrip("\n"), "bold $text-success")))
    if isinstance(shown, ChoiceQuestion):
        rows.append(("Right", _styled(truth.preview, "$text-success")))
    elif isinstance(shown, PuzzleQuestion):
        # A puzzle's truth is the reference's results on every draw: the difference says the rest.
        if verdict.device:
            rows.append(("Ran on", _styled(verdict.device, "$text-muted")))
    elif truth.status == "ok" and verdict.status != "question-error":
        where = f"  · ran on {verdict.device}" if verdict.device else ""
        # Under a wrong fill's solution, what it gives (not what the code below, yours, gives).
        label = "Gives" if rows[-1][0] == "Solution" else "It is"
        rows.append((label, Content.assemble((truth.summary(), "bold"), (where, "$text-muted"))))
        if truth.raised and truth.exception_bases:
            rows.append(("Bases", _styled(", ".join(truth.exception_bases), "$text-muted")))
        if truth.raised and truth.error:
            rows.append(("Message", Content(truth.error)))
        elif truth.preview:
            rows.append(("Value", Content(clip(truth.preview))))
    if verdict.difference:
        rows.append(("Difference", _styled(verdict.difference, "$text-warning")))
    if verdict.note:
        rows.append(("Note", _styled(verdict.note, "$text-accent")))
    return rows


def failure(item: Item, verdict: Verdict) -> list[Row]:
    """The error of a run that failed (the learner's fill, a timeout, or the question's code)."""
    truth = verdict.truth
    rows: list[Row] = []
    if verdict.status == "question-error":
        rows.append(("Deck", _styled(f"{item.location} needs fixing", "$text-warning")))
    error = verdict.error or (
        truth.error if truth.status != "ok" or verdict.status == "question-error" else None
    )
    traceback = verdict.traceback or (truth.traceback if verdict.status == "question-error" else None)
    if error:
        rows.append(("Error", _styled(error, "$text-error")))
    if traceback:
        rows.append(("Traceback", Content(traceback)))
    return rows


class VerdictScreen(AppScreen[VerdictChoice]):
    """Shows a verdict; returns the rating to record (None: not recorded; "back": answer again).

    With `review=True` it shows a verdict already recorded (a drill's missed question) and asks
    for nothing.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "accept", "Accept rating"),
        Binding("enter", "skip", "Next"),
        Binding("escape,enter", "back", "Back"),
        Binding("escape", "leave", "Leave"),
        Binding("1", "rate(1)", "Again", show=False),
        Binding("2", "rate(2)", "Hard", show=False),
        Binding("3", "rate(3)", "Good", show=False),
        Binding("4", "rate(4)", "Easy", show=False),
        Binding("ctrl+r,t", "try_it", "Try it"),
        Binding("u", "take_back", "Undo"),
    ]

    HELP = """\
**Rating.** The proposed rating comes from whether you were right and how long you took.
Enter accepts it; 1 Again, 2 Hard, 3 Good, 4 Easy choose another. The question comes back
sooner after Again (in this session, after a few others), later after Easy. `u` takes the answer
back and asks the question again. Escape leaves the quiz, with this answer saved at the rating
proposed.
"""

    def __init__(
        self,
        services: Services,
        session: Session,
        item: Item,
        answer: str,
        verdict: Verdict,
        proposed: Rating,
        response_ms: int,
        *,
        review: bool = False,
        best: Rating = Rating.Easy,
    ) -> None:
        super().__init__(services)
        self.best = best  # a right pick among options is Hard at best, whatever key is pressed
        self.session = session
        self.item = item
        self.answer = answer
        self.verdict = verdict
        self.proposed = proposed
        self.response_ms = response_ms
        self.review = review
        self.counts = records(verdict) and not review

    def compose(self) -> ComposeResult:
        item, verdict = self.item, self.verdict
        yield TopBar(
            self.session.heading(item),
            progress=f"{item.index + 1}/{len(self.session)}",
        )
        headline, kind = banner(verdict)
        seconds = f"answered in {self.response_ms / 1000:.0f} s"
        with VerticalScroll(id="verdict-body"):
            yield Static(
                Content.assemble(
                    (headline, "bold"),
                    (f"   {seconds}", ""),
                    (f"   {item.deck.id}/{item.question.id}", "$text-muted"),
                ),
                id="banner",
                classes=kind,
            )
            yield Facts(facts(item, self.answer, verdict), id="facts")
            trouble = failure(item, verdict)
            if trouble:
                yield Facts(trouble, id="failure")
            output = verdict.output or verdict.truth.output
            if output.strip():
                yield Facts([("Output", Content(output.rstrip("\n")))], id="output")
            if item.shown.explain:
                yield Static(Content.styled("Why", "bold"), id="why")
                yield Markdown(item.shown.explain, id="explain")
            source = item.deck.deck.source_of(item.question)
            if source:
                yield Static(Content.assemble(("Source  ", "bold $text-muted"), source), id="source")
            if item.code:
                yield Static(Content.styled(self._code_title(), "bold"), id="code-title")
                yield CodeView(item.code_with(self._answer_in_code()), id="code")
        if self.counts:
            yield RatingBar(proposed=self.proposed, best=self.best, id="rating")
        elif self.review:
            yield Static(Content.assemble(("Escape", "bold $text-accent"), " back"), id="rating")
        else:
            yield Static(
                Content.assemble(("Enter", "bold $text-accent"), " skip: this answer is not recorded"),
                id="rating",
            )
        yield AppFooter()

    def _answer_in_code(self) -> str:
        """What fills a fill's blank below: the answer, or the solution when none was given."""
        shown = self.item.shown
        if isinstance(shown, FillQuestion) and not self.answer.strip():
            return shown.solution
        return self.answer

    def _code_title(self) -> str:
        if isinstance(self.item.shown, FillQuestion):
            return "Your code" if self.answer.strip() else "The code, with the solution"
        return "The code"

    def on_mount(self) -> None:
        self.query_one("#verdict-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rate":
            return self.counts
        if action == "accept":
            return self.counts
        if action == "skip":
            return not self.counts and not self.review
        if action == "back":
            return self.review
        if action == "leave":
            return not self.review
        if action == "take_back":
            return not self.review
        return True

    def action_accept(self) -> None:
        self.dismiss(self.proposed)

    def action_back(self) -> None:
        self.dismiss(None)

    action_skip = action_back  # an answer that is not recorded: on to the next question

    def action_rate(self, number: int) -> None:
        if self.counts:
            self.dismiss(min(Rating(number), self.best))

    def action_take_back(self) -> None:
        self.dismiss("back")

    def action_leave(self) -> None:
        self.post_message(LeaveAsked())

    def action_try_it(self) -> None:
        self.app.push_screen(TryItScreen(self.services, self.item, self.item.code_with(self.answer)))

    def commands(self) -> list[SystemCommand]:
        leave = SystemCommand("Leave", "Back to the decks (this answer is saved)", self.action_leave)
        return [
            SystemCommand("Try it", "Edit and run this question's code", self.action_try_it),
            *(
                SystemCommand(
                    f"Rate {r.label}", f"Record this answer as {r.label}", lambda r=r: self.action_rate(r)
                )
                for r in Rating
                if self.counts
            ),
            *([] if self.review else [leave]),
        ]
