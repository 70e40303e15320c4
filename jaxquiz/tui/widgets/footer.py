"""The footer of key bindings: Textual's, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class AppFooter(Footer):
    """Textual's footer, whose keys are rebuilt once for changes that come together, and not at
    all for a change that leaves them as they are.

    Textual's own rebuilds its keys after every change of the screen's bindings: a screen that
    mounts, takes focus and resumes changes them three times within its first frames, and the
    rebuild itself (removing the old keys resets the focus) once more. Each rebuild (ten keys and
    their styles) takes tens of milliseconds of the start-up. Here a change that comes while a
    rebuild waits joins it, and the rebuild reads the bindings as they are when it runs.
    """

    _rebuild_waiting = False
    _shown: object = None  # the bindings the keys were last built from

    def bindings_changed(self, screen: Screen) -> None:
        # As Footer.bindings_changed (textual is pinned), with one waiting rebuild shared.
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_waiting:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_waiting = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_waiting = False
        if not self.is_attached:
            return
        # Everything Footer.compose reads of the bindings (with the hidden ones: a superset).
        shown = [
            (key, binding, enabled, tooltip, self.app.get_key_display(binding))
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
        ]
        if shown == self._shown:
            return
        self._shown = shown
        await self.recompose()
