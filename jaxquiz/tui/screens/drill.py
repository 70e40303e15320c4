"""A question of a drill: the question screen with the drill's clock, counter and progress bar in
view. The verdict is a brief flash on the next question, which comes at once; the summary
follows when the time is up, the count is reached, or the learner ends the drill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static

from jaxquiz.decks.models import FillQuestion
from jaxquiz.engine import Verdict
from jaxquiz.study.drill_run import DrillRun
from jaxquiz.study.session import AnswerMode, Item, records
from jaxquiz.tui.messages import TakeBackAsked, TimeUp
from jaxquiz.tui.screens.question import QuestionScreen
from jaxquiz.tui.screens.verdict import banner
from jaxquiz.tui.services import Services
from jaxquiz.tui.text import ellipsize
from jaxquiz.tui.widgets.drill_status import DrillStatus
from jaxquiz.tui.widgets.top_bar import TopBar, format_elapsed

# How often the countdown is redrawn and the time limit checked (seconds of real time).
TICK_S = 0.25
FLASH_WIDTH = 64  # characters of the reason a flash gives (it stays on one line)


@dataclass(frozen=True)
class Flash:
    """How the previous answer went, shown briefly on the next question."""

    text: Content
    kind: str  # a CSS class of the banner: -right, -wrong, -other


def flash_for(item: Item, verdict: Verdict, *, interview: bool) -> Flash:
    """Right or wrong at a glance; outside interview mode a wrong answer also says the truth."""
    headline, kind = banner(verdict)
    if not records(verdict):
        return Flash(Content(f"⚠  Skipped {item.deck.id}/{item.question.id}: the question failed"), kind)
    # Shown under the next question: it says which answer it is about.
    parts: list[str | tuple[str, str]] = [("last answer  ", "$text-muted"), (headline, "bold")]
    if verdict.status != "graded" or not verdict.correct:
        why = ""
        if interview:
            why = "explained at the end"
        elif verdict.difference:
            why = " ".join(verdict.difference.split())
        elif isinstance(item.shown, FillQuestion):
            why = f"the solution: {item.shown.solution}"
        elif verdict.truth.status == "ok":
            why = f"it is {verdict.truth.summary()}"
        if why:
            parts.append(f"  · {ellipsize(why, FLASH_WIDTH)}")
    return Flash(Content.assemble(*parts), kind)


class DrillScreen(QuestionScreen):
    """Ask the current question of a drill; the next one replaces this screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "End drill"),
        # A key bound here replaces the question screen's bindings of it: both are listed again.
        # An interview has no undo; the key says so rather than doing nothing.
        Binding("ctrl+z", "take_back", "Undo"),
        Binding("ctrl+z", "no_undo", "No undo", show=False),
    ]

    HELP = """\
**Drill.** Answer as many as you can: Enter checks, the verdict flashes on the next question,
and the summary comes at the end. Escape asks, then ends the drill (saved, marked interrupted).
Every answer also counts as a review for scheduling. `ctrl+z` on the next question takes the
last answer back, out of the score and the schedule, and asks it again: the clock runs on, an
undo gives no time back, and a drill with an undo sets no best (in the editor `ctrl+z` undoes
typing: use `ctrl+p`, Undo). In interview mode there are no hints, the explanations wait for the
summary, and there is no undo: answers are final, as in an interview.
"""

    # Seconds the previous verdict stays in view (a class attribute, so snapshots can hold it).
    FLASH_S: ClassVar[float] = 2.0

    def __init__(
        self,
        services: Services,
        run: DrillRun,
        item: Item,
        flash: Flash | None = None,
        *,
        mode: AnswerMode = "recall",
    ) -> None:
        super().__init__(services, run.session, item, mode=mode, can_take_back=run.can_take_back)
        self.drill_run = run
        self.flash = flash
        self._time_up = False

    # -- layout --------------------------------------------------------------------------------

    def top_bar(self) -> TopBar:
        return TopBar(self.session.heading(self.item))

    def compose_status(self) -> ComposeResult:
        drill = self.drill_run.drill
        timed = drill.settings.minutes is not None
        total = drill.settings.minutes * 60 if timed else drill.total  # type: ignore[operator]
        yield DrillStatus(total, id="drill-status")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_status()
        self.set_interval(TICK_S, self._drill_tick)
        if self.flash is not None:
            feedback = self.query_one("#feedback", Static)
            feedback.update(self.flash.text)
            feedback.add_class("flash", self.flash.kind)
            self.set_timer(self.FLASH_S, self._end_flash)

    def _feedback(self, content: Content | str) -> None:
        # What is said now takes the flash's place: the flash's timer must not wipe it.
        if self.flash is not None:
            self.query_one("#feedback", Static).remove_class("flash", self.flash.kind)
        super()._feedback(content)

    def _end_flash(self) -> None:
        feedback = self.query_one("#feedback", Static)
        if self.flash is not None and feedback.has_class("flash"):
            feedback.remove_class("flash", self.flash.kind)
            if not self.grading:
                feedback.update("")

    def _show_status(self) -> None:
        run = self.drill_run
        drill = run.drill
        remaining = drill.remaining_s()
        parts: list[str | tuple[str, str]] = []
        if remaining is not None:
            # Rounded up, like a countdown: 0:01 during the last second.
            parts.append((f"◷ {format_elapsed(remaining + 0.999)} left", "bold"))
        if drill.settings.effective_count is not None:
            parts.append(("  " if parts else "") + f"question {drill.position + 1} of {drill.total}")
        else:
            parts.append(f"  {drill.position} answered")
        right = run.correct()
        wrong = len(run.answered) - right
        self.query_one(DrillStatus).show(
            Content.assemble(*parts),
            drill.elapsed_s() if remaining is not None else drill.position,
            Content.assemble(("✔ ", "$text-success"), str(right), ("  ✘ ", "$text-error"), str(wrong)),
        )

    def _drill_tick(self) -> None:
        self._show_status()
        remaining = self.drill_run.drill.remaining_s()
        # Not while the help is open over the drill: the next tick after it closes says it.
        if remaining is not None and remaining <= 0 and self.is_active and not self._time_up:
            self._time_up = True
            self.post_message(TimeUp())

    # -- answers -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("try_it", "lesson"):
            return False  # no time for them in a drill; the summary opens every verdict
        interview = self.drill_run.settings.interview
        if action == "hint" and interview:
            return False
        if action == "no_undo":
            return interview
        return super().check_action(action, parameters)

    def action_no_undo(self) -> None:
        self.post_message(TakeBackAsked())  # the flow says why there is none

    def commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("End drill", "Stop now and see the summary (it is saved)", self.action_leave),
            *self.undo_commands(),
        ]
