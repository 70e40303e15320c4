"""The Textual app: one factory (`make_app`) builds it for the command line and for the tests.

The home screen shows at once, listing the decks from their outlines in the deck cache when it
holds them all; then the decks load in a thread worker and the JAX worker warms up in another,
each reporting back with a message. Workers never touch widgets.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from jaxquiz.decks.loaded import ListedDeck, LoadedDeck, LoadResult
from jaxquiz.errors import EngineError
from jaxquiz.tui.flow import Flow
from jaxquiz.tui.messages import (
    AttemptGraded,
    DeckFilesChanged,
    DecksLoaded,
    EngineFailed,
    EngineWarmed,
    LeaveAsked,
    SessionClosed,
    TakeBackAsked,
    TimeUp,
)
from jaxquiz.tui.screens.home import HomeScreen
from jaxquiz.tui.services import Clock, Services

# The screens after the home screen, and what only they use (the deck models, the trust records,
# the engine's code), are imported where first needed: the home screen and the deck list show
# sooner for it.
if TYPE_CHECKING:
    from jaxquiz.engine import Engine
    from jaxquiz.store import Store
    from jaxquiz.study.drill_run import DrillRun
    from jaxquiz.study.drills import DrillSettings
    from jaxquiz.study.library import Library, OpenedLibrary, PendingTrust
    from jaxquiz.study.session import Session

# Decks as loaded, or a function that loads them in the background (with trust and reloading).
DeckSource = LoadResult | Callable[[], "LoadResult | OpenedLibrary"]
# What the deck list shows before that load is done: outlines, or None when it cannot tell.
Listing = Callable[[], "Sequence[ListedDeck] | None"]
WATCH_SECONDS = 1.0  # how often deck files are looked at for edits
SETTLE_SECONDS = 0.1  # after the first frame, before the JAX workers and the deck load start
# At the latest this long after the app mounts, they start anyway: a callback "after the next
# refresh" waits for the screen on top when it was asked, and a screen opened over it before its
# first frame (keys typed ahead of the app) would keep it waiting until that screen is back.
FIRST_FRAME_LIMIT_SECONDS = 1.0
# How often a drill asked for on the command line looks again whether the learner has answered
# every trust question (a deck waiting for agreement may be one the drill should draw from).
TRUST_WAIT_SECONDS = 0.5


class JaxQuizApp(App[None]):
    """Study and quiz JAX decks; every answer graded by running JAX in the engine's worker."""

    CSS_PATH = "app.tcss"
    TITLE = "jaxquiz"
    SUB_TITLE = "learn JAX by running it"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Help", key_display="?"),
    ]

    # "starting" until the worker has imported jax, then "ready"; "failed" if it cannot start.
    engine_state: reactive[str] = reactive("starting")

    def __init__(
        self,
        services: Services,
        decks: DeckSource,
        *,
        on_exit: Callable[[], None] | None = None,
        drill: DrillSettings | None = None,
        listing: Listing | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.decks: LoadResult | None = decks if isinstance(decks, LoadResult) else None
        self._load_decks = None if isinstance(decks, LoadResult) else decks
        self._listing = listing if self._load_decks is not None else None
        self._listed_at_start = False
        self._settling = False  # the JAX workers and the deck load are about to start
        self._on_exit = on_exit
        self.flow = Flow(self)
        self._drill_at_start = drill  # `jaxquiz drill`: started once the decks are loaded
        self.library: Library | None = None
        self._trust_queue: list[PendingTrust] = []

    # -- start-up ------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        # Read before the first frame, on this thread: a file and a small JSON entry per deck
        # (milliseconds), so that the first frame already lists the decks.
        listed = self._listing() if self._listing is not None else None
        self._listed_at_start = listed is not None
        return HomeScreen(self.services, self.decks, listed)

    @property
    def home(self) -> HomeScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, HomeScreen)
        return screen

    def on_mount(self) -> None:
        if self.services.engine.is_ready:
            self.engine_state = "ready"
        if self._load_decks is None:
            self.call_after_refresh(self._start_drill_at_start)
        elif not self._listed_at_start:
            self.call_after_refresh(self.load_decks, self._load_decks)  # the list waits for it
        self.call_after_refresh(self._first_frame_shown)
        self.set_timer(FIRST_FRAME_LIMIT_SECONDS, self._first_frame_shown)

    def _first_frame_shown(self) -> None:
        if not self._settling:
            self._settling = True
            self.set_timer(SETTLE_SECONDS, self._after_first_frames)

    def _after_first_frames(self) -> None:
        # Once the home screen is on screen and settled (the deck list, then the footer's keys a
        # frame later): two workers importing jax, and the deck load, would take the cores and
        # the GIL its first frames need. The learner reads a while before the first verdict, and
        # a key that needs the loaded decks waits for them.
        self._start_engine()
        if self._listed_at_start and self._load_decks is not None:
            self.load_decks(self._load_decks)

    def _start_engine(self) -> None:
        # Spawning is a fork and exec (milliseconds); importing jax happens in the children.
        try:
            self.services.engine.start()
        except EngineError as error:  # closed already: the app is on its way out
            self.post_message(EngineFailed(error.message))
            return
        self.warm_engine()

    @work(thread=True, exclusive=True, exit_on_error=False, group="engine")
    def warm_engine(self) -> None:
        engine = self.services.engine
        try:
            engine.wait_ready()
        except EngineError as error:
            self.post_message(EngineFailed(error.message))
        else:
            self.post_message(EngineWarmed())

    @work(thread=True, exclusive=True, exit_on_error=False, group="decks")
    def load_decks(self, load: Callable[[], LoadResult | OpenedLibrary]) -> None:
        from jaxquiz.study.library import OpenedLibrary

        loaded = load()
        if isinstance(loaded, OpenedLibrary):
            self.post_message(DecksLoaded(loaded.result, loaded.library, loaded.pending))
        else:
            self.post_message(DecksLoaded(loaded))

    def on_engine_warmed(self, message: EngineWarmed) -> None:
        self.engine_state = "ready"

    def on_engine_failed(self, message: EngineFailed) -> None:
        self.engine_state = "failed"
        self.notify(message.error, title="The JAX worker could not start", severity="error", timeout=30)

    def on_decks_loaded(self, message: DecksLoaded) -> None:
        if not self.is_running:
            return  # quit while the decks loaded: the screens are being taken down
        self.decks = message.result
        self.home.show_decks(message.result)
        if message.library is not None and self.library is None:
            self.library = message.library
            self.set_interval(WATCH_SECONDS, self.look_for_edits)
        self.ask_trust(message.pending)
        self._start_drill_at_start()

    # -- decks from elsewhere: trust, and edits on disk ---------------------------------------

    def ask_trust(self, pending: list[PendingTrust]) -> None:
        """Show each held-back deck's code and ask, one at a time."""
        self._trust_queue.extend(p for p in pending if p.path not in {q.path for q in self._trust_queue})
        if not self._trust_queue:
            return
        from jaxquiz.tui.screens.trust import TrustScreen  # syntax highlighting: loaded when asked

        if not isinstance(self.screen, TrustScreen):
            self._ask_next()

    def _ask_next(self) -> None:
        from jaxquiz.tui.screens.trust import TrustScreen

        pending = self._trust_queue[0]

        def answered(agreed: bool | None) -> None:
            self._trust_queue.pop(0)
            if self.library is not None:
                (self.library.agree if agreed else self.library.refuse)(pending)
                self._show_library()
            if self._trust_queue:
                self._ask_next()

        self.push_screen(TrustScreen(pending), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="watch")
    def look_for_edits(self) -> None:
        # Reading and hashing the files happens here; applying the changes on the main thread.
        if self.library is not None:
            changes = self.library.watcher.poll()
            if changes:
                self.post_message(DeckFilesChanged(changes))

    def on_deck_files_changed(self, message: DeckFilesChanged) -> None:
        if self.library is None:
            return
        pending = self.library.reload(message.changes)
        self._show_library()
        names = ", ".join(path.name for path in message.changes.paths)
        self.notify(f"Reloaded {names}", title="Decks changed on disk", timeout=4)
        self.ask_trust(pending)

    def _show_library(self) -> None:
        assert self.library is not None
        self.decks = self.library.result
        self.home.show_decks(self.decks)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.report_worker_error(event.worker)

    def report_worker_error(self, worker: Worker) -> None:
        """The one place where an unexpected error of any worker is shown (screens forward here)."""
        if worker.state == WorkerState.ERROR and worker.error is not None:
            error = worker.error
            text = error.message if isinstance(error, EngineError) else f"{type(error).__name__}: {error}"
            self.notify(text, title="Something went wrong", severity="error", timeout=20)

    # -- sessions and drills: the flow decides what comes next -----------------------------------

    @property
    def session(self) -> Session | None:
        return self.flow.session

    @property
    def drill(self) -> DrillRun | None:
        return self.flow.drill

    def start_session(self, session: Session) -> None:
        """Ask the session's questions, one screen each, then show the summary."""
        self.flow.start_session(session)

    def end_session(self) -> None:
        """Back to the home screen."""
        self.flow.end()

    def on_attempt_graded(self, message: AttemptGraded) -> None:
        self.flow.graded(message.attempt, message.rating)

    def on_take_back_asked(self, message: TakeBackAsked) -> None:
        self.flow.take_back()

    def on_leave_asked(self, message: LeaveAsked) -> None:
        self.flow.leave()

    def on_time_up(self, message: TimeUp) -> None:
        self.flow.end_drill()

    def on_session_closed(self, message: SessionClosed) -> None:
        self.flow.end()

    # -- drills and stats ----------------------------------------------------------------------

    def open_drill(self, decks: list[LoadedDeck], settings: DrillSettings | None = None) -> None:
        """Set up a drill over `decks` (or as `settings` say), then start it."""
        from jaxquiz.study.drills import DrillSettings
        from jaxquiz.tui.screens.drill_setup import DrillSetupScreen

        every = self.decks.decks if self.decks else []
        chosen = () if len(decks) == len(every) else tuple(d.id for d in decks)
        self.push_screen(
            DrillSetupScreen(
                self.services, every, settings or DrillSettings(decks=chosen, mode=self.flow.mode)
            ),
            lambda picked: None if picked is None else self.start_drill(picked),
        )

    def start_drill(self, settings: DrillSettings) -> None:
        """Record a new drill with `settings` and ask its first question."""
        from jaxquiz.study.drill_run import DrillRun

        every = self.decks.decks if self.decks else []
        services = self.services
        run = DrillRun.start(every, settings, services.store, services.scheduler, services.rng)
        item = None if run is None else run.current()
        if run is None or item is None:
            self.notify(f"No question matches: {settings.describe()}.", title="Drill", severity="warning")
            self.open_drill(every, settings)
            return
        self.flow.start_drill(run)

    def _start_drill_at_start(self) -> None:
        if self._drill_at_start is None:
            return
        if self._trust_queue:
            self.set_timer(TRUST_WAIT_SECONDS, self._start_drill_at_start)
            return
        settings, self._drill_at_start = self._drill_at_start, None
        self.start_drill(settings)

    def open_stats(self) -> None:
        """Show progress statistics as plots."""
        # Imported here: plotting is loaded when the stats are first opened, not at start-up.
        from jaxquiz.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen(self.services, self.decks))

    # -- keyboard ------------------------------------------------------------------------------

    def action_help(self) -> None:
        from jaxquiz.tui.screens.help import HelpScreen  # markdown rendering: loaded on first use

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's "Keys" opens a panel that this app's Help replaces, and that Escape does not close.
        yield from (command for command in super().get_system_commands(screen) if command.title != "Keys")
        yield SystemCommand("Help", "Keys of this screen and how grading works", self.action_help)
        if isinstance(screen, HomeScreen):
            yield SystemCommand(
                "Study due", "Due questions of the marked decks, then new ones", screen.action_study
            )
            yield SystemCommand("Quiz in order", "Every question of the selected deck", screen.action_quiz)
            yield SystemCommand(
                "Quiz shuffled", "Every question of the selected deck, shuffled", screen.action_quiz_shuffled
            )
            yield SystemCommand("Drill", "A timed drill over the marked decks", screen.action_drill)
            yield SystemCommand("Stats", "Progress statistics", screen.action_stats)
        yield from getattr(screen, "commands", lambda: ())()

    # -- shutdown ------------------------------------------------------------------------------

    async def on_unmount(self) -> None:
        # Quitting in the middle of a drill still saves it; a deck quiz keeps its place.
        self.flow.close()
        # Stop the worker processes before asyncio waits for thread workers blocked on them.
        if self._on_exit is not None:
            self._on_exit()


def make_app(
    engine: Engine,
    store: Store,
    clock: Clock,
    decks: DeckSource,
    *,
    seed: int | None = None,
    on_exit: Callable[[], None] | None = None,
    drill: DrillSettings | None = None,
    listing: Listing | None = None,
) -> JaxQuizApp:
    """Build the app: `decks` is a LoadResult, or a function that loads one in the background.

    `seed` fixes the parameter draws and shuffles (tests); `on_exit` runs as the app closes;
    `drill` opens the app on a drill with these settings; `listing` gives the outlines the deck
    list shows while a `decks` function loads (`jaxquiz.study.listing.list_decks`).
    """
    services = Services(engine, store, clock, random.Random(seed))
    return JaxQuizApp(services, decks, on_exit=on_exit, drill=drill, listing=listing)
