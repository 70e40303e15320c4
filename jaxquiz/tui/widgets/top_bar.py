"""The one-line bar at the top of every screen: where you are, the timer, and the JAX engine's state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

ENGINE_LABELS = {
    "starting": ("◌ JAX warming up", "$text-warning"),
    "ready": ("● JAX ready", "$text-success"),
    "failed": ("✘ JAX unavailable", "$text-error"),
}


def format_elapsed(seconds: float) -> str:
    """Seconds as m:ss (h:mm:ss past an hour)."""
    whole = max(0, int(seconds))
    minutes, secs = divmod(whole, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


class TopBar(Horizontal):
    """Title on the left; on the right an optional progress, timer, and the engine state."""

    DEFAULT_CSS = """
    TopBar {
        dock: top;
        height: 1;
        background: $panel;
    }
    TopBar > Static { width: auto; padding: 0 1; }
    TopBar > #where { width: 1fr; text-style: bold; }
    TopBar > #timer { color: $text-accent; }
    """

    def __init__(self, where: str, *, progress: str = "", timer: bool = False) -> None:
        super().__init__()
        self._where = where
        self._progress = progress
        self._timer = timer
        self._elapsed_shown = "◷ 0:00"

    def compose(self) -> ComposeResult:
        yield Static(Content(self._where), id="where")
        if self._progress:
            yield Static(Content(self._progress), id="progress")
        if self._timer:
            yield Static(Content(self._elapsed_shown), id="timer")
        yield Static(id="engine")

    def on_mount(self) -> None:
        self.watch(self.app, "engine_state", self._engine_changed)

    def _engine_changed(self, state: str) -> None:
        text, style = ENGINE_LABELS.get(state, (state, ""))
        self.query_one("#engine", Static).update(Content.styled(text, style))

    def set_elapsed(self, seconds: float) -> None:
        text = f"◷ {format_elapsed(seconds)}"
        # Only a change is drawn: each update lays out the screen, and ticks may repeat a second.
        if self._timer and text != self._elapsed_shown:
            self._elapsed_shown = text
            self.query_one("#timer", Static).update(Content(text))
