"""The home screen: every deck with its size, due count and mastery; load problems; what to do next.

At start-up the deck list may show the decks' outlines (from the deck cache) before the decks are
loaded; a key that needs a loaded deck in that moment is acted on once they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, LoadingIndicator, Static

from jaxquiz import paths
from jaxquiz.decks.loaded import ListedDeck, LoadedDeck, LoadResult
from jaxquiz.store import DeckSummary
from jaxquiz.tui.screens.base import AppScreen
from jaxquiz.tui.services import Services
from jaxquiz.tui.text import inline_markdown, share_bar
from jaxquiz.tui.widgets.footer import AppFooter
from jaxquiz.tui.widgets.row_table import RowTable
from jaxquiz.tui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from jaxquiz.decks.problems import LoadProblem

MASTERY_BAR = 8
ORIGINS = {"bundled": "bundled", "user": "your deck folder", "path": "from --deck"}
# The deck list's groups, in order: bundled decks by level (a deck tagged `research` goes
# deeper than the fundamentals), then the learner's own decks by where they come from.
RESEARCH_TAG = "research"
GROUPS = ("Fundamentals", "Research", "Your decks", "From --deck")
# Columns other than the title take this many cells (with the table's cell padding).
FIXED_COLUMNS = 44
MIN_TITLE_WIDTH = 16  # however narrow the terminal, a title keeps this many cells
PAUSED = " ⏸ left"  # after the title of a deck with a quiz left before its end


def short_path(path: Path) -> str:
    """A path relative to the working directory when inside it, else with ~ for the home folder."""
    absolute = path.absolute()
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        if base in absolute.parents:
            return prefix + str(absolute.relative_to(base))
    return str(path)


def problem_text(problem: LoadProblem) -> Content:
    where = f"{short_path(problem.path)}:{problem.line}"
    question = f" [{problem.question}]" if problem.question else ""
    return Content.assemble(
        ("✘ ", "$text-error"),
        (where, "bold"),
        question,
        f": {problem.rule}",
        ("\n  fix: " + problem.fix, "$text-muted"),
    )


def deck_group(deck: ListedDeck) -> str:
    """The group a deck is listed under on the home screen."""
    if deck.origin == "bundled":
        return GROUPS[1] if RESEARCH_TAG in deck.tags else GROUPS[0]
    return GROUPS[3] if deck.origin == "path" else GROUPS[2]


def grouped(decks: list[ListedDeck]) -> list[str | ListedDeck]:
    """The rows of the deck list: decks in group order, each group after its name, or the decks
    alone when they all fall in one group (a name would say nothing)."""
    groups: dict[str, list[ListedDeck]] = {name: [] for name in GROUPS}
    for deck in decks:
        groups[deck_group(deck)].append(deck)
    present = [(name, members) for name, members in groups.items() if members]
    rows: list[str | ListedDeck] = []
    for name, members in present:
        if len(present) > 1:
            rows.append(name)
        rows.extend(members)
    return rows


class DeckTable(RowTable):
    """The deck list. Enter selects the row under the cursor, and the screen quizzes that deck."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Quiz")]


class HomeScreen(AppScreen[None]):
    """Pick a deck to quiz, or study what is due across the marked decks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: that would run ahead of cursor keys still queued for the
        # table, and quiz the deck the cursor was on before them.
        Binding("enter", "quiz", "Quiz"),
        Binding("x", "quiz_shuffled", "Shuffle"),
        Binding("s", "study", "Study"),
        Binding("space", "mark", "Mark"),
        Binding("d", "drill", "Drill"),
        Binding("t", "stats", "Stats"),
        Binding("c", "answer_mode", "Typed/options"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(
        self, services: Services, decks: LoadResult | None, listed: Sequence[ListedDeck] | None = None
    ) -> None:
        """`decks` as loaded, or None until they are; meanwhile `listed` (outlines) may be shown."""
        super().__init__(services)
        self.decks = decks
        # The decks in the list: the loaded ones, or their outlines until they are loaded.
        self.listed: list[ListedDeck] | None = (
            list(decks.decks) if decks is not None else None if listed is None else list(listed)
        )
        self.marked: set[str] = set()
        self.summaries: dict[str, DeckSummary] = {}
        self.paused: set[str] = set()  # decks with a quiz to resume
        self.rows: list[str | ListedDeck] = []  # the deck list's rows: group names and decks
        self._last_row = 0
        self._when_loaded: Callable[[], None] | None = None  # a key pressed before the load
        self._table_shows: object = None  # what the deck table was last filled with

    def compose(self) -> ComposeResult:
        yield TopBar("jaxquiz · learn JAX by running it")
        with Vertical(id="home"):
            yield Static(id="totals")
            yield LoadingIndicator(id="loading")
            yield DeckTable(id="decks", zebra_stripes=True)
            yield Static(id="deck-info")
            with VerticalScroll(id="problems"):
                yield Static(id="problem-list")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#problems").display = False
        if self.decks is not None:
            self.show_decks(self.decks)
        elif self.listed is not None:
            self._show_listed()
        else:
            self.query_one("#decks").display = False
            self.query_one("#totals", Static).update("Loading decks…")

    def on_screen_resume(self) -> None:
        if self.listed is not None:
            self.refresh_decks()

    def on_resize(self) -> None:
        if self.listed is not None:
            self.refresh_decks()

    # -- showing -------------------------------------------------------------------------------

    def show_decks(self, result: LoadResult) -> None:
        """Show freshly loaded decks and their load problems."""
        self.decks = result
        self.listed = list(result.decks)
        self._show_listed(result)
        then, self._when_loaded = self._when_loaded, None
        if then is not None and self.is_active:  # not behind a screen opened since the key
            then()

    def _show_listed(self, result: LoadResult | None = None) -> None:
        self.query_one("#loading").display = False
        self.query_one("#decks").display = True
        problems = self.query_one("#problems")
        problems.display = result is not None and bool(result.problems)
        if result is not None and result.problems:
            count = len(result.problems)
            files = len({p.path for p in result.problems})
            head = Content.styled(
                f"⚠ {count} problem{'s' * (count > 1)} in {files} deck file{'s' * (files > 1)}"
                " (not loaded; the other decks work):",
                "bold $text-warning",
            )
            lines = [head, *(problem_text(p) for p in result.problems)]
            self.query_one("#problem-list", Static).update(Content("\n").join(lines))
        self.refresh_decks()
        self.query_one("#decks", DataTable).focus()
        self.refresh_bindings()  # the keys that need a deck (check_action) are enabled now

    def refresh_decks(self) -> None:
        """Recount due and mastered questions (after a session) and redraw the table."""
        if self.listed is None:
            return
        now = self.services.now()
        store = self.services.store
        self.summaries = {d.id: store.deck_summary(d.id, list(d.question_ids), now) for d in self.listed}
        self.paused = store.paused_quiz_decks()
        title_width = max(MIN_TITLE_WIDTH, self.size.width - FIXED_COLUMNS)
        self.rows = grouped(self.listed)
        # What the table shows: it is rebuilt only when that changed. Start-up alone would rebuild
        # it five times (mounted, resumed, resized thrice as the layout settles, then loaded).
        shows = (
            title_width,
            [
                row
                if isinstance(row, str)
                else (row.id, row.title, row.id in self.marked, row.id in self.paused, self.summaries[row.id])
                for row in self.rows
            ],
        )
        if shows != self._table_shows:
            self._table_shows = shows
            self._fill_table(title_width)
        self._show_totals()
        self._show_info()

    def _fill_table(self, title_width: int) -> None:
        table = self.query_one("#decks", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column("", key="mark", width=1)
        table.add_column("Deck", key="deck", width=title_width)
        table.add_column(Text("Qs", justify="right"), key="size", width=3)
        table.add_column(Text("Due", justify="right"), key="due", width=3)
        table.add_column(Text("New", justify="right"), key="new", width=3)
        table.add_column("Mastery", key="mastery", width=MASTERY_BAR + 5)
        for deck in self.rows:
            if isinstance(deck, str):  # a group's name
                table.add_row("", Content.styled(deck, "bold $text-accent"), key=f"group:{deck}")
                continue
            summary = self.summaries[deck.id]
            mark = Content.styled("●", "$text-accent") if deck.id in self.marked else Content("")
            due = Text(str(summary.due), justify="right", style="bold" if summary.due else "dim")
            title = Content(deck.title)
            if deck.id in self.paused:  # Enter resumes it (or starts over)
                title = Content.assemble(
                    title.truncate(max(1, title_width - len(PAUSED)), ellipsis=True),
                    (PAUSED, "$text-warning"),
                )
            table.add_row(
                mark,
                title.truncate(title_width, ellipsis=True),
                Text(str(summary.total), justify="right"),
                due,
                Text(str(summary.new), justify="right"),
                share_bar(summary.mastery, MASTERY_BAR),
                key=deck.id,
            )
        if self.rows:
            row = min(cursor, len(self.rows) - 1)
            table.move_cursor(row=row + isinstance(self.rows[row], str))

    def _show_totals(self) -> None:
        assert self.listed is not None
        totals = self.query_one("#totals", Static)
        if not self.listed:
            totals.update(
                Content.assemble(
                    ("No decks found. ", "bold"),
                    f"Put deck files in {paths.user_decks_dir()} or run `jaxquiz --deck PATH`.",
                )
            )
            return
        questions = sum(s.total for s in self.summaries.values())
        due = sum(s.due for s in self.summaries.values())
        mastered = sum(s.mastered for s in self.summaries.values())
        marked = f" · {len(self.marked)} marked for study" if self.marked else ""
        mode = self.quiz_app.flow.mode
        answers = (
            "answers typed, options on request"
            if mode == "recall"
            else "options shown at once (a right pick rates Hard at best)"
        )
        totals.update(
            Content.assemble(
                (f"{len(self.listed)} decks", "bold"),
                f" · {questions} questions · ",
                (f"{due} due", "bold $text-warning" if due else ""),
                f" · {mastered} mastered{marked}",
                ("\n" + answers, "$text-muted"),
                (" (c changes it)", "$text-muted"),
            )
        )

    def _show_info(self) -> None:
        deck = self.selected
        info = self.query_one("#deck-info", Static)
        if deck is None:
            info.update("")
            return
        description = inline_markdown((deck.description or "").strip().split("\n\n")[0].replace("\n", " "))
        if deck.id in self.paused:
            description = Content.assemble(
                (
                    "A quiz of this deck was left before its end: Enter resumes it or starts over. ",
                    "$text-warning",
                ),
                description,
            )
        tags = ", ".join(deck.tags)
        info.update(
            Content.assemble(
                (deck.title, "bold"),
                (
                    f"  {deck.id} · {ORIGINS.get(deck.origin, deck.origin)}{' · ' + tags if tags else ''}",
                    "$text-muted",
                ),
                "\n",
                description,
            )
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = event.cursor_row
        if row != event.data_table.cursor_row:
            return  # the cursor has moved on since (a redrawn table starts at row 0)
        if 0 <= row < len(self.rows) and isinstance(self.rows[row], str):
            # A group's name is not a deck: the cursor goes on past it, the way it was moving
            # (down from the first row, which is always a name).
            step = -1 if row < self._last_row and row > 0 else 1
            event.data_table.move_cursor(row=row + step)
            return
        self._last_row = row
        self._show_info()

    def on_data_table_row_selected(self) -> None:
        self.action_quiz()  # Enter on the deck list

    @property
    def selected(self) -> ListedDeck | None:
        """The deck under the cursor (its outline, before the decks are loaded)."""
        if not self.listed or not self.rows:
            return None
        table = self.query_one("#decks", DataTable)
        row = min(max(table.cursor_row, 0), len(self.rows) - 1)
        chosen = self.rows[row]
        # On a group's name only for a moment (the cursor is moving on): its first deck.
        return self.rows[row + 1] if isinstance(chosen, str) else chosen  # type: ignore[return-value]

    def chosen(self) -> list[LoadedDeck]:
        """The marked decks, or every deck when none is marked (loaded decks: none before the load)."""
        decks = self.decks.decks if self.decks else []
        return [d for d in decks if d.id in self.marked] or list(decks)

    def loaded(self, deck: ListedDeck) -> LoadedDeck | None:
        """The loaded deck of a listed one (None before the load, or once it is gone)."""
        decks = self.decks.decks if self.decks else []
        return next((d for d in decks if d.id == deck.id), None)

    def _after_load(self, then: Callable[[], None]) -> bool:
        """Whether the decks are loaded; if not, `then` runs once they are (a key pressed while the
        list shows outlines is not lost, nor acted on twice)."""
        if self.decks is not None:
            return True
        self._when_loaded = then
        return False

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("quiz", "quiz_shuffled", "mark", "study", "drill") and self.selected is None:
            return None  # shown disabled until decks are loaded
        return True

    def action_quiz(self, shuffled: bool = False) -> None:
        if not self._after_load(lambda: self.action_quiz(shuffled)):
            return
        listed = self.selected
        deck = None if listed is None else self.loaded(listed)
        if deck is None:
            return
        from jaxquiz.study.session import Session  # with the deck models, which the list does without

        session = Session.quiz(
            deck, self.services.rng, shuffled=shuffled, store=self.services.store, now=self.services.now()
        )
        self.quiz_app.start_session(session)

    def action_quiz_shuffled(self) -> None:
        self.action_quiz(shuffled=True)

    def action_study(self) -> None:
        if not self._after_load(self.action_study):
            return
        decks = self.chosen()
        if not decks:
            return
        from jaxquiz.study.session import Session

        session = Session.study(decks, self.services.store, self.services.now(), self.services.rng)
        if not len(session):
            self.notify("Nothing due and nothing new in these decks: quiz one, or come back later.")
            return
        self.quiz_app.start_session(session)

    def action_mark(self) -> None:
        deck = self.selected
        if deck is None:
            return
        self.marked ^= {deck.id}
        self.refresh_decks()

    def action_drill(self) -> None:
        if self._after_load(self.action_drill):
            self.quiz_app.open_drill(self.chosen())

    def action_answer_mode(self) -> None:
        """Recall first (the default), or the options of a question at once."""
        self.quiz_app.flow.toggle_mode()
        self._show_totals()

    def action_stats(self) -> None:
        if self._after_load(self.action_stats):
            self.quiz_app.open_stats()
