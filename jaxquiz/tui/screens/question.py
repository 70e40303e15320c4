"""One question: the prompt, the code, the answer widget its type needs, a hint, a timer.

Recall first: a question with options is asked with the typed input, and the options come on
request (ctrl+o). The truth is prepared by the engine while the learner reads (and the next
question's after it); the answer is graded in a thread worker. The graded attempt goes up to the
flow (`tui.flow`), which decides what comes next; this screen only asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, assert_never

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Markdown, Static, TextArea

from jaxquiz.decks.models import CardQuestion, QuestionBase, QuestionType, RaisesQuestion
from jaxquiz.decks.setup_use import has_lesson
from jaxquiz.engine import Outcome, Verdict
from jaxquiz.study.session import AnswerMode, Attempt, Item, Session
from jaxquiz.tui.messages import AttemptGraded, LeaveAsked, TakeBackAsked
from jaxquiz.tui.screens.base import AppScreen
from jaxquiz.tui.screens.lesson import LessonScreen
from jaxquiz.tui.screens.try_it import TryItScreen
from jaxquiz.tui.services import Services
from jaxquiz.tui.widgets.answers import AnswerInput, CardAnswer, answer_input
from jaxquiz.tui.widgets.code_view import CodeView
from jaxquiz.tui.widgets.footer import AppFooter
from jaxquiz.tui.widgets.top_bar import TopBar

MAX_DIFFICULTY = 3  # decks rate a question 1 (easy) to 3 (hard): one dot each, filled or not


def type_label(kind: QuestionType) -> str:
    """The badge above a question."""
    match kind:
        case "shape" | "dtype" | "value":
            return kind.upper()
        case "raises":
            return "RAISES?"
        case "fill":
            return "FILL THE BLANK"
        case "puzzle":
            return "WRITE THE FUNCTION"
        case "choice":
            return "CHOICE"
        case "card":
            return "CARD"
        case _:
            assert_never(kind)


def placeholder(question: QuestionBase) -> str:
    """What the line input says before anything is typed."""
    kind = question.type
    if isinstance(question, RaisesQuestion) and question.exception == "any":
        return "error or none: whether it raises is the question, not which class"
    match kind:
        case "shape":
            return "the shape, like (3, 4), 3 or scalar"
        case "dtype":
            return "the dtype, like float32 or int32"
        case "value":
            return "the value: a literal like [1., 2.] or an expression"
        case "raises":
            return "the exception class, like TypeError, or none"
        case "fill":
            return "what goes in the blank ___"
        case "puzzle" | "choice" | "card":
            return ""  # answered in the editor, with options or by turning the card
        case _:
            assert_never(kind)


def block_label(kind: QuestionType) -> str:
    """What the block editor is for."""
    match kind:
        case "puzzle":
            return "Your function (the prelude is in scope)"
        case "fill":
            return "Your code for the blank (indented to the blank's column)"
        case "shape" | "dtype" | "value" | "raises" | "choice" | "card":
            return ""  # not answered in the editor
        case _:
            assert_never(kind)


class QuestionScreen(AppScreen[None]):
    """Ask one item of a session."""

    @dataclass
    class Graded(Message):
        """The engine graded an answer (read or not)."""

        attempt: Attempt

    @dataclass
    class CardExecuted(Message):
        """A card's code ran; its live result goes on the back."""

        item: Item
        outcome: Outcome | None

    # Focus lands on the answer, not on the scrolling body above it (the first that can take it):
    # focused and blurred again for every question, the body and all it holds were styled twice.
    AUTO_FOCUS = "#answer-input, #answer-input *"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Check"),
        Binding("ctrl+o", "options", "Options"),
        Binding("ctrl+o", "type_instead", "Type it"),
        Binding("ctrl+g", "dont_know", "Don't know"),
        Binding("ctrl+t", "hint", "Hint"),
        Binding("ctrl+r", "try_it", "Try it"),
        Binding("ctrl+l", "lesson", "Lesson"),
        Binding("ctrl+z", "take_back", "Undo"),
        Binding("escape", "leave", "Leave"),
    ]

    HELP = """\
**Answering.** Type the answer and press Enter (a block of code: `ctrl+s`). Recall first: when a
question has options, `ctrl+o` shows them (a right pick then counts as Hard at best); press an
option's number, or move with the arrows and press Enter. `ctrl+g` says "I don't know": the truth
is shown and the question comes back later in the session. For a card, `space` shows the back,
then rate yourself with 1-4 (Enter: Good). An answer that cannot be read is sent back with the
reason. `ctrl+z` takes back the last answer and its rating, in the store and the schedule, and
asks it again (in the editor `ctrl+z` undoes typing: use `ctrl+p`, Undo). Escape asks, then
leaves with a summary; a quiz of one deck resumes where you left it, even after quitting.
"""

    def __init__(
        self,
        services: Services,
        session: Session,
        item: Item,
        *,
        mode: AnswerMode = "recall",
        can_take_back: bool = False,
        answer: str = "",
    ) -> None:
        super().__init__(services)
        self.session = session
        self.item = item
        self.answer = answer  # an answer taken back, in the field again to be changed
        self.options_shown = mode == "choice" and item.has_fallback_options
        self.can_take_back = can_take_back
        self.grading = False
        self.looked = False  # the hint or a try-it run before answering
        self.picked_options = False
        self.response_ms = 0
        self._started = services.clock()
        self._ticking: Timer | None = None

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        item = self.item
        shown = item.shown
        yield self.top_bar()
        yield from self.compose_status()
        # A function or a block of code is written in the space the prompt leaves (app.tcss); the
        # input kind of a block never changes (only a line swaps with options).
        block = "-block" if item.input_kind(options_shown=self.options_shown) == "block" else ""
        with VerticalScroll(id="body", classes=block):
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
            # The hint, and a card's back and explanation, are mounted when they are first shown
            # (`action_hint`, `_revealed`), in this order, before the card's live result.
            if isinstance(shown, CardQuestion):
                yield Static(id="card-result", classes="hidden")
        with Vertical(id="answer", classes=block):
            yield self._answer_input()
            yield Static(id="feedback")
        yield AppFooter()

    def _answer_input(self) -> AnswerInput:
        item = self.item
        return answer_input(
            item.input_kind(options_shown=self.options_shown),
            placeholder=placeholder(item.shown),
            label=block_label(item.type),
            options=item.options,
            multiple=item.multiple,
            prefill=item.prefill,
        )

    def top_bar(self) -> TopBar:
        """Where the learner is: the session, the question's number, the time taken so far."""
        item = self.item
        return TopBar(
            self.session.heading(item), progress=f"{item.index + 1}/{len(self.session)}", timer=True
        )

    def compose_status(self) -> ComposeResult:
        """Widgets under the top bar (a drill's clock and progress); none in a session."""
        yield from ()

    def _meta(self) -> Content:
        item = self.item
        parts: list[str | tuple[str, str]] = [(f" {type_label(item.type)} ", "bold reverse $accent")]
        if item.again:
            parts.append(("  again: missed earlier", "bold $text-warning"))
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

    @property
    def answer_widget(self) -> AnswerInput:
        return self.query_one("#answer-input", AnswerInput)

    # -- life cycle ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._restart_timer()
        self.prepare_ahead(self.item, self.session.peek())
        if self.item.lesson:
            lesson = LessonScreen(self.item.deck, before_first=True)
            self.app.push_screen(lesson, lambda _: self._restart_timer())
        if self.answer:
            self.answer_widget.restore(self.answer)
        self.answer_widget.focus_input()

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

    @work(thread=True, exclusive=True, exit_on_error=False, group="prepare")
    def prepare_ahead(self, item: Item, upcoming: Item | None) -> None:
        """Execute this question's code, then the next one's, while the learner reads."""
        grader = self.services.grader
        grader.prepare(item)
        if upcoming is not None:
            grader.prepare(upcoming)

    # -- answering -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        card = self.item.type == "card"
        if action == "submit":
            # The editor's key; a line and the options take Enter (one less key in the footer).
            return self.item.input_kind(options_shown=self.options_shown) == "block" and not self.grading
        if action == "options":
            return self.item.has_fallback_options and not self.options_shown
        if action == "type_instead":
            return self.item.has_fallback_options and self.options_shown
        if action == "dont_know":
            return not card and not self.grading
        if action == "take_back":
            return self.can_take_back
        if action == "hint":
            return True if self.item.shown.hint else None
        if action == "lesson":
            return True if has_lesson(self.item.deck.deck) else None
        return True

    def action_submit(self) -> None:
        self.answer_widget.submit()

    async def action_options(self) -> None:
        """Recall failed: show the options (a right pick then counts as a weaker answer)."""
        await self._swap_input(options_shown=True)

    async def action_type_instead(self) -> None:
        await self._swap_input(options_shown=False)

    async def _swap_input(self, *, options_shown: bool) -> None:
        self.options_shown = options_shown
        await self.answer_widget.remove()
        new = self._answer_input()
        await self.query_one("#answer", Vertical).mount(new, before="#feedback")
        self._feedback("")  # what was said of the typed answer, which is gone
        new.focus_input()
        self.refresh_bindings()

    @on(AnswerInput.Answered)
    def _answered(self, message: AnswerInput.Answered) -> None:
        message.stop()
        if message.rating is not None:  # a card, rated by the learner
            self.post_message(AttemptGraded(self._attempt("", None), message.rating))
            return
        if self.grading:
            return
        if message.picked is None and not message.text.strip():
            self._feedback(Content.styled("Type an answer first.", "$text-warning"))
            return
        self.picked_options = message.picked is not None and self.item.has_fallback_options
        self._start_grading()
        self.grade(message.text, message.picked)

    def action_dont_know(self) -> None:
        if self.grading:
            return
        self._start_grading()
        self.give_up()

    def _start_grading(self) -> None:
        self.grading = True
        self.response_ms = self._elapsed_ms()
        self.refresh_bindings()
        self.answer_widget.disabled = True
        waiting = "Checking by running it…"
        if self.quiz_app.engine_state == "starting":
            waiting = "Checking… JAX is still warming up: the verdict comes as soon as it is ready."
        self._feedback(Content.styled(waiting, "$text-accent"))

    def _attempt(self, answer: str, verdict: Verdict | None) -> Attempt:
        return Attempt(
            self.item, answer, verdict, self.response_ms, looked=self.looked, picked=self.picked_options
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="grade")
    def grade(self, answer: str, picked: tuple[int, ...] | None) -> None:
        grader = self.services.grader
        item = self.item
        verdict = grader.choose(item, picked) if picked is not None else grader.grade(item, answer)
        self.post_message(self.Graded(self._attempt(answer, verdict)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="grade")
    def give_up(self) -> None:
        self.post_message(self.Graded(self._attempt("", self.services.grader.give_up(self.item))))

    def on_question_screen_graded(self, message: Graded) -> None:
        message.stop()
        verdict = message.attempt.verdict
        assert verdict is not None
        if verdict.status == "unreadable":
            # Not a verdict on what the learner knows: say what was expected and let them retype.
            self.take_back_answer()
            why = verdict.error or verdict.difference or verdict.note or "the answer could not be read"
            self._feedback(Content.assemble(("Could not read that: ", "bold $text-error"), why))
            return
        self._feedback("")
        self.post_message(AttemptGraded(message.attempt))

    def take_back_answer(self) -> None:
        """The answer does not count: the learner answers again (the verdict's undo, a typo)."""
        self.grading = False
        self.answer_widget.disabled = False
        self.refresh_bindings()
        self._feedback("")
        self.answer_widget.focus_input()

    def _feedback(self, content: Content | str) -> None:
        self.query_one("#feedback", Static).update(content)

    @on(Input.Changed, "#answer-line")
    @on(TextArea.Changed, "#answer-block")
    def _emptied(self, event: Input.Changed | TextArea.Changed) -> None:
        """An answer cleared: what was said of it (could not read it, type one first) is gone."""
        text = event.value if isinstance(event, Input.Changed) else event.text_area.text
        if not text.strip() and not self.grading:
            self._feedback("")

    # -- cards ---------------------------------------------------------------------------------

    @on(CardAnswer.Revealed)
    async def _revealed(self, message: CardAnswer.Revealed) -> None:
        message.stop()
        self.response_ms = self._elapsed_ms()
        self.grading = True  # stops the timer: the recall is done
        card = self.item.shown
        assert isinstance(card, CardQuestion)
        back = [Markdown(card.back, id="back")]
        if card.explain:
            back.append(Markdown(card.explain, id="card-explain"))
        await self.query_one("#body", VerticalScroll).mount_all(back, before="#card-result")
        if self.item.task is not None:
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
            result.remove_class("hidden")
            return
        parts: list[str | tuple[str, str]] = []
        if outcome.output:
            parts.append(outcome.output.rstrip() + "\n")
        if outcome.raised or outcome.status != "ok":
            error = f": {outcome.error}" if outcome.error and outcome.raised else ""
            parts.append((outcome.summary() + error, "$text-error"))
        elif self.item.task is not None and self.item.task.answer is not None:
            parts.append((outcome.summary() + "\n", "$text-muted"))
            parts.append(outcome.preview)
        if not parts:
            return  # nothing printed and nothing asked about: no empty "Live result"
        head = [("Live result", "bold"), (f" (ran on {outcome.device})\n", "$text-muted")]
        result.update(Content.assemble(*head, *parts))
        result.remove_class("hidden")

    # -- help ----------------------------------------------------------------------------------

    async def action_hint(self) -> None:
        if not self.item.shown.hint:
            return  # nothing to show, so nothing was looked at (the palette can ask for it too)
        body = self.query_one("#body", VerticalScroll)
        mounted = body.query("#hint")
        if mounted and not mounted.first().has_class("hidden"):
            mounted.first().add_class("hidden")
            return
        self.looked = True
        if mounted:
            hint = mounted.first()
            hint.remove_class("hidden")
        else:
            # Mounted the first time it is asked for: most questions are answered without it,
            # and a markdown widget is parsed, styled and mounted even while hidden.
            hint = Markdown(self.item.shown.hint, id="hint")
            card_parts = body.query("#back, #card-result")  # the first in the body's order
            await body.mount(hint, before=card_parts.first() if card_parts else None)
        body.scroll_to_widget(hint, animate=False)

    def action_lesson(self) -> None:
        self.app.push_screen(LessonScreen(self.item.deck))

    def action_try_it(self) -> None:
        code = self.item.code
        typed = self.answer_widget.typed
        if typed.strip():
            code = self.item.code_with(typed)
        screen = TryItScreen(self.services, self.item, code)
        self.app.push_screen(screen, lambda _: self._tried(screen))

    def _tried(self, screen: TryItScreen) -> None:
        # Running the code before answering shows the answer, as a hint does.
        if screen.runs and not self.grading:
            self.looked = True

    def action_take_back(self) -> None:
        self.post_message(TakeBackAsked())

    def action_leave(self) -> None:
        self.post_message(LeaveAsked())

    def commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Try it", "Edit and run this question's code", self.action_try_it),
            *([SystemCommand("Hint", "Show the hint", self.action_hint)] if self.item.shown.hint else []),
            SystemCommand("I don't know", "Show the truth; the question comes back", self.action_dont_know),
            SystemCommand("Lesson", "Show the deck's lesson", self.action_lesson),
            SystemCommand("Leave", "Back to the decks (answers so far are saved)", self.action_leave),
            *self.undo_commands(),
        ]

    def undo_commands(self) -> list[SystemCommand]:
        """Undo from the palette too: in the editor, `ctrl+z` undoes typing instead."""
        if not self.can_take_back:
            return []
        return [SystemCommand("Undo", "Take back the last answer and its rating", self.action_take_back)]
