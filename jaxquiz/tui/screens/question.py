"""One question: the prompt, the code, the right input for its type, a hint, a timer.

The truth is prepared by the engine while the learner reads (and the next question's after it);
the answer is graded in a thread worker, and the verdict screen comes up when it is done, even
if the JAX worker was still warming up when the learner answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from jaxquiz.decks.models import FillQuestion
from jaxquiz.engine import Outcome, Verdict
from jaxquiz.errors import StoreError
from jaxquiz.study.scheduler import Rating
from jaxquiz.study.session import Item, Result, Session, propose, record_answer, records
from jaxquiz.tui.screens.base import AppScreen
from jaxquiz.tui.screens.lesson import LessonScreen
from jaxquiz.tui.screens.try_it import TryItScreen
from jaxquiz.tui.screens.verdict import VerdictScreen
from jaxquiz.tui.services import Services
from jaxquiz.tui.widgets.code_view import CodeView
from jaxquiz.tui.widgets.python_editor import PythonEditor
from jaxquiz.tui.widgets.rating_bar import RatingBar
from jaxquiz.tui.widgets.top_bar import TopBar

PLACEHOLDERS = {
    "shape": "the shape, like (3, 4), 3 or scalar",
    "dtype": "the dtype, like float32 or int32",
    "value": "the value: a literal like [1., 2.] or an expression",
    "raises": "the exception class, like TypeError, or none",
    "fill": "what goes in the blank ___",
}

MAX_DIFFICULTY = 3  # decks rate a question 1 (easy) to 3 (hard): one dot each, filled or not

TYPE_LABELS = {
    "shape": "SHAPE",
    "dtype": "DTYPE",
    "value": "VALUE",
    "raises": "RAISES?",
    "fill": "FILL THE BLANK",
    "choice": "CHOICE",
    "card": "CARD",
}


class QuestionScreen(AppScreen[None]):
    """Ask one item of a session."""

    @dataclass
    class AnswerGraded(Message):
        """The engine (or the options' key) graded an answer."""

        item: Item
        answer: str
        verdict: Verdict

    @dataclass
    class CardExecuted(Message):
        """A card's code ran; its live result goes on the back."""

        item: Item
        outcome: Outcome | None

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Check"),
        Binding("space", "reveal", "Reveal"),
        Binding("enter", "accept", "Accept"),
        Binding("ctrl+t", "hint", "Hint"),
        Binding("ctrl+r", "try_it", "Try it"),
        Binding("ctrl+l", "lesson", "Lesson"),
        Binding("escape", "leave", "Home"),
        *(Binding(str(n), f"number({n})", show=False) for n in range(1, 10)),
    ]

    HELP = """\
**Answering.** Type the answer and press Enter (a block of code: `ctrl+s`). For options, press
their number or pick with the arrows and Enter. For a card, `space` shows the back, then rate
yourself with 1-4 (Enter: Good). An answer that cannot be read is sent back with the reason.
"""

    def __init__(self, services: Services, session: Session, item: Item) -> None:
        super().__init__(services)
        self.session = session
        self.item = item
        self.grading = False
        self.revealed = False
        self.hinted = False
        self.response_ms = 0
        self._started = services.clock()
        self._ticking: Timer | None = None
        self._card_rating: Rating = Rating.Good

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        item = self.item
        shown = item.shown
        yield self.top_bar()
        yield from self.compose_status()
        with VerticalScroll(id="body"):
            yield Static(self._meta(), id="meta")
            if item.changed:
                yield Static(
                    Content.styled("This question changed since you last answered it.", "$text-warning"),
                    id="changed",
                )
            yield Markdown(shown.prompt, id="prompt")
            if item.code:
                yield CodeView(item.code, id="code")
            asked = self._asked_about()
            if asked:
                yield Static(asked, id="asked")
            yield Markdown(shown.hint or "", id="hint", classes="hidden")
            if item.input_kind == "card":
                yield Markdown(getattr(shown, "back", ""), id="back", classes="hidden")
                yield Static(id="card-result", classes="hidden")
        with Vertical(id="answer"):
            yield from self._compose_input()
            yield Static(self._how_to_answer(), id="feedback")
        yield Footer(compact=True)

    def top_bar(self) -> TopBar:
        """Where the learner is: the session, the question's number, the time taken so far."""
        item = self.item
        return TopBar(
            self.session.heading(item), progress=f"{item.index + 1}/{len(self.session)}", timer=True
        )

    def compose_status(self) -> ComposeResult:
        """Widgets under the top bar (a drill's clock and progress); none in a session."""
        yield from ()

    def _compose_input(self) -> ComposeResult:
        item = self.item
        kind = item.input_kind
        if kind == "line":
            with Horizontal(id="answer-row"):
                yield Static(Content.styled("answer ›", "bold $text-accent"), id="answer-label")
                yield Input(
                    placeholder=PLACEHOLDERS.get(item.type, "your answer"), id="answer-line", compact=True
                )
        elif kind == "block":
            yield Static(
                Content.assemble(
                    ("Your code for the blank", "bold $text-accent"),
                    (" (indented to the blank's column) · ctrl+s checks", "$text-muted"),
                ),
                id="answer-label",
            )
            yield PythonEditor(id="answer-block")
        elif kind == "options":
            options = [
                Option(Content.assemble((f"{n}. ", "bold $text-accent"), text), id=str(n - 1))
                for n, text in enumerate(item.options, start=1)
            ]
            yield OptionList(*options, id="options", compact=True)
        else:
            yield Static(
                Content.assemble(("space", "bold $text-accent"), " shows the back of the card"),
                id="card-help",
            )
            yield RatingBar(id="card-rating", classes="hidden")

    def _how_to_answer(self) -> Content:
        kind = self.item.input_kind
        keys = "bold $text-accent"
        if kind == "line":
            return Content.assemble(("Enter", keys), (" checks by running the code", "$text-muted"))
        if kind == "options":
            last = len(self.item.options)
            return Content.assemble((f"1-{last}", keys), " picks, or ", ("↑↓ Enter", keys))
        return Content("")

    def _meta(self) -> Content:
        item = self.item
        parts: list[str | tuple[str, str]] = [
            (f" {TYPE_LABELS.get(item.type, item.type)} ", "bold reverse $accent")
        ]
        if item.question.difficulty:
            level = item.question.difficulty
            parts.append(("  " + "●" * level + "○" * (MAX_DIFFICULTY - level), "$text-accent"))
        if item.params:
            values = ", ".join(f"{k}={v}" for k, v in item.params.items())
            parts.append((f"  {values}", "$text-muted"))
        # Not the question id: ids often name the answer; the verdict shows it.
        parts.append((f"  {item.deck.id}", "$text-muted"))
        return Content.assemble(*parts)

    def _asked_about(self) -> Content | None:
        shown = self.item.shown
        if "answer" not in shown.model_fields_set or shown.answer == "out":
            return None
        return Content.assemble(("asked about: ", "$text-muted"), (shown.answer, "bold"))

    # -- life cycle ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._restart_timer()
        self.prepare_ahead(self.item, self.session.peek())
        if self.item.lesson:
            self.app.push_screen(LessonScreen(self.item.deck), lambda _: self._restart_timer())
        self._focus_input()

    def _restart_timer(self) -> None:
        self._started = self.services.clock()
        if self._ticking is None:
            self._ticking = self.set_interval(1.0, self._tick)
        self._tick()

    def _elapsed_ms(self) -> int:
        return max(0, int((self.services.clock() - self._started).total_seconds() * 1000))

    def _tick(self) -> None:
        if not self.grading:
            self.query_one(TopBar).set_elapsed(self._elapsed_ms() / 1000)

    def _focus_input(self) -> None:
        for selector in ("#answer-line", "#answer-block", "#options"):
            found = self.query(selector)
            if found:
                found.first().focus()
                return

    @work(thread=True, exclusive=True, exit_on_error=False, group="prepare")
    def prepare_ahead(self, item: Item, upcoming: Item | None) -> None:
        """Execute this question's code, then the next one's, while the learner reads."""
        grader = self.services.grader
        grader.prepare(item)
        if upcoming is not None:
            grader.prepare(upcoming)

    # -- answering -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        kind = self.item.input_kind
        if action == "submit":
            return kind != "card" and not self.grading
        if action == "reveal":
            return kind == "card" and not self.revealed
        if action == "accept":
            return kind == "card" and self.revealed
        if action == "hint":
            return True if self.item.shown.hint else None
        if action == "lesson":
            return True if self.item.deck.deck.description else None
        if action == "number":
            return kind == "options" or (kind == "card" and self.revealed)
        return True

    def action_submit(self) -> None:
        kind = self.item.input_kind
        if kind == "line":
            self._submit(self.query_one("#answer-line", Input).value)
        elif kind == "block":
            self._submit(self.query_one("#answer-block", PythonEditor).text)
        elif kind == "options":
            highlighted = self.query_one("#options", OptionList).highlighted
            if highlighted is not None:
                self._choose(highlighted)

    @on(Input.Submitted, "#answer-line")
    def _line_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit(event.value)

    @on(OptionList.OptionSelected, "#options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)

    def action_number(self, number: int) -> None:
        if self.item.input_kind == "options":
            if number <= len(self.item.options):
                self.query_one("#options", OptionList).highlighted = number - 1
                self._choose(number - 1)
        elif self.revealed and number <= len(Rating):
            self._rate_card(Rating(number))

    def _choose(self, index: int) -> None:
        self._submit(self.item.options[index], option=index)

    def _submit(self, text: str, option: int | None = None) -> None:
        if self.grading:
            return
        if not text.strip():
            self._feedback(Content.styled("Type an answer first.", "$text-warning"))
            return
        self.grading = True
        self.response_ms = self._elapsed_ms()
        self.refresh_bindings()
        self._set_input_enabled(False)
        waiting = "Checking by running it…"
        if self.quiz_app.engine_state == "starting":
            waiting = "Checking… JAX is still warming up: the verdict comes as soon as it is ready."
        self._feedback(Content.styled(waiting, "$text-accent"))
        self.grade(text, option)

    @work(thread=True, exclusive=True, exit_on_error=False, group="grade")
    def grade(self, answer: str, option: int | None) -> None:
        grader = self.services.grader
        item = self.item
        verdict = grader.choose(item, option) if option is not None else grader.grade(item, answer)
        self.post_message(self.AnswerGraded(item, answer, verdict))

    def on_question_screen_answer_graded(self, message: AnswerGraded) -> None:
        verdict = message.verdict
        if verdict.status == "unreadable":
            # Not a verdict on what the learner knows: say what was expected and let them retype.
            self.grading = False
            self.refresh_bindings()
            self._set_input_enabled(True)
            why = verdict.error or verdict.difference or verdict.note or "the answer could not be read"
            self._feedback(Content.assemble(("Could not read that: ", "bold $text-error"), why))
            self._focus_input()
            return
        self.graded(message.answer, verdict)

    def graded(self, answer: str, verdict: Verdict) -> None:
        """A readable answer was graded: show the verdict and ask for the rating to record."""
        self._feedback("")
        proposed = propose(self.item, verdict, self.response_ms, hinted=self.hinted)
        screen = VerdictScreen(
            self.services,
            self.session,
            self.item,
            answer,
            verdict,
            proposed,
            self.response_ms,
        )
        self.app.push_screen(screen, lambda rating: self._finish(answer, verdict, rating))

    def _finish(self, answer: str, verdict: Verdict | None, rating: Rating | None) -> None:
        """Record the review (unless it does not count), then move on."""
        item = self.item
        recorded = rating is not None and records(verdict)
        if recorded:
            assert rating is not None
            try:
                record_answer(
                    self.services.store,
                    self.services.scheduler,
                    item,
                    answer=answer,
                    verdict=verdict,
                    response_ms=self.response_ms,
                    rating=rating,
                    at=self.services.now(),
                )
            except StoreError as error:
                self.notify(error.message, title="Progress not saved", severity="error", timeout=20)
        correct = None if verdict is None or not records(verdict) else verdict.correct
        self.session.results.append(Result(item, correct, rating if recorded else None))
        self.forget_truth(item)
        self.quiz_app.next_question()

    @work(thread=True, exit_on_error=False, group="forget")
    def forget_truth(self, item: Item) -> None:
        self.services.grader.forget(item)

    def _set_input_enabled(self, enabled: bool) -> None:
        for selector in ("#answer-line", "#answer-block", "#options"):
            for widget in self.query(selector):
                widget.disabled = not enabled

    def _feedback(self, content: Content | str) -> None:
        self.query_one("#feedback", Static).update(content)

    # -- cards ---------------------------------------------------------------------------------

    def action_reveal(self) -> None:
        if self.revealed:
            return
        self.revealed = True
        self.response_ms = self._elapsed_ms()
        self.grading = True  # stops the timer: the recall is done
        self.query_one("#back").remove_class("hidden")
        self.query_one("#card-help", Static).update(
            Content.assemble(("How well did you know it? ", "bold"), "1-4 to rate, Enter accepts Good")
        )
        self._card_rating = propose(self.item, None, self.response_ms)
        rating_bar = self.query_one("#card-rating", RatingBar)
        rating_bar.remove_class("hidden")
        rating_bar.proposed = self._card_rating
        self.refresh_bindings()
        if self.item.task is not None:
            result = self.query_one("#card-result", Static)
            result.update(Content.styled("running the code…", "$text-muted"))
            result.remove_class("hidden")
            self.run_card(self.item)
        self.query_one("#body", VerticalScroll).scroll_end(animate=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="card")
    def run_card(self, item: Item) -> None:
        self.post_message(self.CardExecuted(item, self.services.grader.outcome(item)))

    def on_question_screen_card_executed(self, message: CardExecuted) -> None:
        outcome = message.outcome
        result = self.query_one("#card-result", Static)
        if outcome is None:
            result.update(Content.styled("the code could not be run", "$text-error"))
            return
        parts: list[str | tuple[str, str]] = [
            ("Live result", "bold"),
            (f" (ran on {outcome.device})\n", "$text-muted"),
        ]
        if outcome.output:
            parts.append(outcome.output.rstrip() + "\n")
        if outcome.raised or outcome.status != "ok":
            parts.append(
                (
                    outcome.summary() + (f": {outcome.error}" if outcome.error and outcome.raised else ""),
                    "$text-error",
                )
            )
        elif self.item.task is not None and self.item.task.answer is not None:
            parts.append((outcome.summary() + "\n", "$text-muted"))
            parts.append(outcome.preview)
        result.update(Content.assemble(*parts))

    def action_accept(self) -> None:
        self._rate_card(self._card_rating)

    def _rate_card(self, rating: Rating) -> None:
        self._finish("", None, rating)

    # -- help ----------------------------------------------------------------------------------

    def action_hint(self) -> None:
        hint = self.query_one("#hint", Markdown)
        if hint.has_class("hidden"):
            self.hinted = True
            hint.remove_class("hidden")
            self.query_one("#body", VerticalScroll).scroll_to_widget(hint, animate=False)
        else:
            hint.add_class("hidden")

    def action_lesson(self) -> None:
        self.app.push_screen(LessonScreen(self.item.deck))

    def action_try_it(self) -> None:
        code = self.item.code
        shown = self.item.shown
        if isinstance(shown, FillQuestion):
            typed = self._typed()
            if typed.strip():
                code = self.item.code_with(typed)
        self.app.push_screen(TryItScreen(self.services, self.item, code))

    def _typed(self) -> str:
        for widget in self.query("#answer-line"):
            return widget.value  # type: ignore[attr-defined]
        for widget in self.query("#answer-block"):
            return widget.text  # type: ignore[attr-defined]
        return ""

    def action_leave(self) -> None:
        self.quiz_app.end_session()

    def commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Try it", "Edit and run this question's code", self.action_try_it),
            SystemCommand("Hint", "Show the hint", self.action_hint),
            SystemCommand("Lesson", "Show the deck's lesson", self.action_lesson),
            SystemCommand("Leave", "Back to the decks (answers so far are saved)", self.action_leave),
        ]
