"""Setting up a drill: its length (questions, minutes or both), decks, tags and interview mode."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, SelectionList, Static

from jaxquiz import paths
from jaxquiz.decks import LoadedDeck
from jaxquiz.errors import StoreError
from jaxquiz.study.drills import DEFAULT_COUNT, DrillItem, DrillSettings, matching, personal_best
from jaxquiz.tui.screens.base import AppScreen
from jaxquiz.tui.services import Services
from jaxquiz.tui.widgets.footer import AppFooter
from jaxquiz.tui.widgets.text_entry import LineInput
from jaxquiz.tui.widgets.top_bar import TopBar


def tag_counts(decks: Sequence[LoadedDeck], deck_ids: Sequence[str]) -> Counter[str]:
    """How many drill questions (not cards) of the chosen decks carry each tag."""
    chosen = DrillSettings(decks=tuple(deck_ids))
    return Counter(tag for item in matching(decks, chosen) for tag in item.tags)


def _number(text: str, kind: type[int] | type[float], what: str) -> int | float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{what} must be a number, not {text!r}") from None
    if value <= 0:
        raise ValueError(f"{what} must be more than 0")
    return value


class DrillSetupScreen(AppScreen[DrillSettings | None]):
    """The drill's settings; returns them (None: cancelled)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start", priority=True),
        Binding("escape", "cancel", "Back"),
    ]

    HELP = """\
**Drill settings.** A drill ends after the number of questions or the minutes, whichever comes
first (leave one empty). Mark decks and tags with space; no tag marked means any tag. Interview
mode draws harder questions more often, hides hints, and keeps the explanations for the end.
Tab moves between the fields; Enter in a number field or ctrl+s starts.
"""

    def __init__(self, services: Services, decks: Sequence[LoadedDeck], initial: DrillSettings) -> None:
        super().__init__(services)
        self.decks = list(decks)
        self.initial = initial

    def compose(self) -> ComposeResult:
        initial = self.initial
        count = initial.count if initial.count is not None or initial.minutes is not None else DEFAULT_COUNT
        chosen = set(initial.decks) or {d.id for d in self.decks}
        yield TopBar("Drill · set up")
        with Vertical(id="drill-setup"):
            yield Static(
                Content.assemble(
                    ("Answer fast: ", "bold"),
                    "each verdict flashes by, the next question comes at once, the summary at the end.",
                ),
                id="drill-intro",
            )
            with Horizontal(id="drill-limits"):
                yield Static("Questions ", classes="drill-label")
                yield LineInput(
                    "" if count is None else str(count), type="integer", id="drill-count", compact=True
                )
                yield Static("  Minutes ", classes="drill-label")
                yield LineInput(
                    "" if initial.minutes is None else f"{initial.minutes:g}",
                    type="number",
                    id="drill-minutes",
                    compact=True,
                )
                yield Static("  ", classes="drill-label")
                yield Checkbox("Interview mode", initial.interview, id="drill-interview", compact=True)
            yield Static(
                "Ends at whichever comes first (leave one empty). Interview: harder questions more "
                "often, no hints, explanations at the end.",
                id="drill-explain",
            )
            with Horizontal(id="drill-lists"):
                with Vertical():
                    yield Static(Content.styled("Decks", "bold"), classes="drill-list-title")
                    yield SelectionList[str](
                        *((f"{d.deck.title}", d.id, d.id in chosen) for d in self.decks),
                        id="drill-decks",
                        compact=True,
                    )
                with Vertical():
                    yield Static(
                        Content.assemble(("Tags", "bold"), (" · none marked: any tag", "$text-muted")),
                        classes="drill-list-title",
                    )
                    yield SelectionList[str](id="drill-tags", compact=True)
            with Horizontal(id="drill-go"):
                yield Static(id="drill-pool")
                yield Button("Start drill", id="drill-start", variant="primary", compact=True)
        yield AppFooter()

    def on_mount(self) -> None:
        self._fill_tags(set(self.initial.tags))
        self._show_pool()
        self.query_one("#drill-count", Input).focus()

    # -- reading the form ----------------------------------------------------------------------

    def _chosen_decks(self) -> list[str]:
        return list(self.query_one("#drill-decks", SelectionList).selected)

    def settings(self) -> DrillSettings:
        """The settings in the form; ValueError says what to fix."""
        count = _number(self.query_one("#drill-count", Input).value, int, "Questions")
        minutes = _number(self.query_one("#drill-minutes", Input).value, float, "Minutes")
        decks = self._chosen_decks()
        if not decks:
            raise ValueError("Mark at least one deck (space).")
        every = len(decks) == len(self.decks)
        tags = tuple(sorted(self.query_one("#drill-tags", SelectionList).selected))
        return DrillSettings(
            minutes=minutes,
            count=None if count is None else int(count),
            decks=() if every else tuple(decks),
            tags=tags,
            interview=self.query_one("#drill-interview", Checkbox).value,
            mode=self.initial.mode,  # the home screen's typed-or-options setting
        )

    def _fill_tags(self, keep: set[str]) -> None:
        tags = self.query_one("#drill-tags", SelectionList)
        keep = keep | set(tags.selected)
        counts = tag_counts(self.decks, self._chosen_decks())
        tags.clear_options()
        tags.add_options(
            [(f"{tag} ({n})", tag, tag in keep) for tag, n in sorted(counts.items(), key=lambda kv: kv[0])]
        )

    def _pool(self, settings: DrillSettings) -> list[DrillItem]:
        return matching(self.decks, settings)

    def _show_pool(self) -> None:
        pool = self.query_one("#drill-pool", Static)
        start = self.query_one("#drill-start", Button)
        if not self.decks:
            start.disabled = True
            pool.update(
                Content.styled(
                    f"No decks loaded: put deck files in {paths.user_decks_dir()}, or run "
                    "`jaxquiz --deck PATH drill`.",
                    "$text-error",
                )
            )
            return
        try:
            settings = self.settings()
        except ValueError as error:
            pool.update(Content.styled(str(error), "$text-error"))
            start.disabled = True
            return
        size = len(self._pool(settings))
        start.disabled = size == 0
        if not size:
            pool.update(Content.styled("No question matches: mark more decks or fewer tags.", "$text-error"))
            return
        parts: list[str | tuple[str, str]] = [(f"{size} questions match", "bold")]
        try:
            best = personal_best(
                [d.summary for d in self.services.store.drills() if d.summary], settings.key()
            )
        except StoreError:
            best = None
        if best is not None:
            parts.append(f" · your best with these settings: {best} right")
        pool.update(Content.assemble(*parts))

    # -- events --------------------------------------------------------------------------------

    @on(SelectionList.SelectedChanged, "#drill-decks")
    def _decks_changed(self) -> None:
        self._fill_tags(set())
        self._show_pool()

    @on(SelectionList.SelectedChanged, "#drill-tags")
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self._show_pool()

    @on(Input.Submitted)
    @on(Button.Pressed, "#drill-start")
    def _go(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        try:
            settings = self.settings()
        except ValueError as error:
            self.notify(str(error), title="Drill", severity="warning")
            return
        if not self._pool(settings):
            self.notify(
                "No question matches: mark more decks or fewer tags.", title="Drill", severity="warning"
            )
            return
        self.dismiss(settings)

    def action_cancel(self) -> None:
        self.dismiss(None)
