"""The footer of key bindings: Textual's, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


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
        # Everything Footer.compose reads of the bindings: those it shows, in their order, and the
        # command palette's. Not the hidden ones: focus moving to a widget with keys of its own
        # (an input, the editor) changes only those.
        palette = self.app.COMMAND_PALETTE_BINDING
        shown = [
            (key, binding, enabled, tooltip, self.app.get_key_display(binding))
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        ]
        if shown == self._shown:
            return
        self._shown = shown
        await self.recompose()

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and self.compact:
                # Footer binds each key's `compact` to its own once the key is mounted, which adds
                # this class and works out the styles of the key (and of its parts) a second time.
                # Added now, the class makes that binding change nothing.
                widget.add_class("-compact", update=False)
            yield widget
