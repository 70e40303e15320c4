"""The end of a drill: score, pace and response times, accuracy per deck and tag, the personal best,
and the missed questions, each opening its verdict and explanation."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from jaxquiz.study.drill_run import Answered, DrillRun
from jaxquiz.study.drills import DrillSummary, GroupScore
from jaxquiz.tui.messages import SessionClosed
from jaxquiz.tui.screens.base import AppScreen
from jaxquiz.tui.screens.verdict import VerdictScreen
from jaxquiz.tui.services import Services
from jaxquiz.tui.text import ellipsize, one_line, share_bar
from jaxquiz.tui.widgets.footer import AppFooter
from jaxquiz.tui.widgets.top_bar import TopBar, format_elapsed

BAR = 8
NAME_WIDTH = 14
SAID_WIDTH = 24  # of a missed answer, on the line that names its question


def best_line(summary: DrillSummary, total: int) -> tuple[Content, str]:
    """The personal best comparison (or why there is none) and its CSS class."""
    right = summary.correct
    best = summary.previous_best
    if summary.answered == 0:
        return Content("No question answered: press r to start again, Escape for the decks."), "-other"
    if not summary.completed:
        how_far = f"{summary.answered} of {total}" if total else str(summary.answered)
        return (
            Content(f"Ended early after {how_far}: saved, but an unfinished drill sets no best."),
            "-other",
        )
    if summary.taken_back:
        times = "once" if summary.taken_back == 1 else f"{summary.taken_back} times"
        return Content(f"Undo was used {times}: saved, but a drill with a second try sets no best."), "-other"
    if summary.new_best:
        before = "first drill with these settings" if best is None else f"previous best {best}"
        return Content.assemble(("★ New best: ", "bold"), f"{right} right ({before})"), "-right"
    if best is None:
        return Content("No best yet for these settings: one right answer sets it."), "-other"
    if right == best:
        return Content(f"Equals your best for these settings: {best} right."), "-other"
    return Content(f"Your best for these settings is {best} right; this time {right}."), "-other"


def figures(summary: DrillSummary) -> Content:
    """Score, accuracy, pace, median and slowest response."""
    key = "$text-muted"
    return Content.assemble(
        ("Score ", key),
        (f"{summary.correct}/{summary.answered}", "bold"),
        ("   Accuracy ", key),
        (f"{summary.accuracy:.0%}", "bold"),
        ("   Pace ", key),
        (f"{summary.per_minute:.1f}", "bold"),
        " questions/min\n",
        ("Time ", key),
        format_elapsed(summary.elapsed_s),
        ("   Median ", key),
        f"{summary.median_ms / 1000:.1f} s",
        ("   Slowest ", key),
        f"{summary.slowest_ms / 1000:.1f} s",
    )


def group_lines(title: str, groups: list[GroupScore]) -> Content:
    """One line per deck or tag: right/answered, a small bar and the share, weakest first."""
    rows = sorted(groups, key=lambda g: (g.accuracy, -g.answered, g.name))
    lines = [Content.styled(title, "bold")]
    for group in rows:
        name = ellipsize(group.name, NAME_WIDTH)
        lines.append(
            Content.assemble(
                f"{name:<{NAME_WIDTH}} {group.correct:>2}/{group.answered:<2} ",
                share_bar(group.accuracy, BAR),
            )
        )
    return Content("\n").join(lines)


def missed_option(index: int, answered: Answered) -> Option:
    item = answered.item
    # "I don't know" is what the verdict understood of an empty answer
    said = one_line(answered.answer or answered.verdict.understood, SAID_WIDTH) or "(nothing)"
    return Option(
        Content.assemble(
            ("✘ ", "$text-error"),
            f"{item.deck.id}/{item.question.id}",
            ("  you said ", "$text-muted"),
            said,
        ),
        id=str(index),
    )


class DrillSummaryScreen(AppScreen[None]):
    """How the drill went; Enter on a missed question shows its verdict."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "again", "Drill again"),
        Binding("escape,h", "home", "Home"),
    ]

    HELP = """\
**Drill summary.** The pace counts answered questions per minute of the drill. The best is the
most right answers in a finished drill with the same settings (decks, tags, length, mode).
Enter on a missed question shows its verdict and the explanation.
"""

    def __init__(self, services: Services, run: DrillRun) -> None:
        super().__init__(services)
        self.drill_run = run
        self.summary = run.finish()

    def compose(self) -> ComposeResult:
        run, summary = self.drill_run, self.summary
        yield TopBar(f"Drill · {run.settings.describe()} · done")
        with Vertical(id="drill-summary"):
            total = run.drill.total if run.settings.effective_count is not None else 0
            text, kind = best_line(summary, total)
            yield Static(text, id="drill-best", classes=kind)
            if summary.answered:
                yield Static(figures(summary), id="drill-figures")
                with VerticalScroll(id="drill-groups"), Horizontal(id="drill-groups-row"):
                    yield Static(group_lines("By deck", summary.by_deck), id="by-deck")
                    yield Static(group_lines("By tag", summary.by_tag), id="by-tag")
            if run.skipped:
                broken = ", ".join(f"{i.deck.id}/{i.question.id}" for i in run.skipped)
                yield Static(
                    Content.styled(f"⚠ Skipped, the question's own code failed: {broken}", "$text-warning"),
                    id="drill-skipped",
                )
            missed = run.missed()
            if missed:
                yield Static(
                    Content.assemble(
                        (f"Missed ({len(missed)})", "bold"),
                        ("  Enter shows the verdict and the explanation", "$text-muted"),
                    ),
                    id="missed-title",
                )
                yield OptionList(
                    *(missed_option(n, a) for n, a in enumerate(missed)), id="missed", compact=True
                )
            elif summary.answered:
                yield Static(Content.styled("Nothing missed.", "$text-success"), id="missed-title")
        yield AppFooter()

    def on_mount(self) -> None:
        for found in self.query("#missed"):
            found.focus()

    @on(OptionList.OptionSelected, "#missed")
    def _open_missed(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        answered = self.drill_run.missed()[int(event.option.id or 0)]
        proposed = answered.rating
        self.app.push_screen(
            VerdictScreen(
                self.services,
                self.drill_run.session,
                answered.item,
                answered.answer,
                answered.verdict,
                proposed,
                answered.response_ms,
                review=True,
            )
        )

    def action_again(self) -> None:
        settings = self.drill_run.settings
        self.quiz_app.end_session()
        self.quiz_app.start_drill(settings)

    def action_home(self) -> None:
        self.post_message(SessionClosed())

    def commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Drill again", "A new drill with the same settings", self.action_again),
            SystemCommand("Home", "Back to the decks", self.action_home),
        ]
