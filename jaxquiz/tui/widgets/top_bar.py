"""The one-line bar at the top of every screen: where you are, the timer, and the JAX engine's state."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

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


class TopBar(Widget):
    """Title on the left; on the right an optional progress, timer, and the engine state.

    One widget draws the line: a tick of the timer or a change of the engine's state draws it
    again, and lays nothing out (every screen has one bar, and a timed screen ticks each second).
    """

    DEFAULT_CSS = """
    TopBar {
        dock: top;
        height: 1;
        background: $panel;
    }
    """

    def __init__(self, where: str, *, progress: str = "", timer: bool = False) -> None:
        super().__init__()
        self._where = where
        self._progress = progress
        self._elapsed = "◷ 0:00" if timer else ""
        self._engine = Content()

    def on_mount(self) -> None:
        self.watch(self.app, "engine_state", self._engine_changed)

    def _engine_changed(self, state: str) -> None:
        text, style = ENGINE_LABELS.get(state, (state, ""))
        self._engine = Content.styled(text, style)
        self.refresh()

    def set_elapsed(self, seconds: float) -> None:
        text = f"◷ {format_elapsed(seconds)}"
        if self._elapsed and text != self._elapsed:
            self._elapsed = text
            self.refresh()

    def render(self) -> Content:
        # Each part has a cell of space on either side; the place takes what the others leave,
        # and a place too long for it is cut at a word, as a wrapped line would be.
        right = [part.pad(1, 1) for part in self._right_parts()]
        room = max(0, self.size.width - sum(part.cell_length for part in right))
        where = Content.styled(self._where, "bold")
        lines = where.wrap(max(1, room - 2)) if room > 2 else [Content()]
        shown = lines[0].rstrip().pad(1, 1) if lines else Content()
        return Content.assemble(shown.extend_right(max(0, room - shown.cell_length)).truncate(room), *right)

    def _right_parts(self) -> list[Content]:
        parts = []
        if self._progress:
            parts.append(Content(self._progress))
        if self._elapsed:
            parts.append(Content.styled(self._elapsed, "$text-accent"))
        parts.append(self._engine)
        return parts
