"""Text entry that keeps the learner's keys in the order they were pressed.

Textual's Input and TextArea insert a typed character as its key arrives, but run a bound key
(backspace, ctrl+u, an arrow, undo) only once the key has bubbled up to the app and back down to
the binding's widget. Keys that arrive together (a fast typist, a paste read as keys, a machine
busy compiling JAX, `tmux send-keys`) then apply out of order: ctrl+u and a word typed at once
left the field empty, as the word was typed before ctrl+u cleared the line (textual#6605).
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input


async def run_own_binding(widget: Widget, event: events.Key) -> None:
    """Run `widget`'s own (non-priority) binding of the key now, where its typing is handled.

    Call it from the widget's `_on_key`: Textual then calls the `_on_key` of the widget's base
    classes (where typing is handled) only if no binding ran. Priority bindings ran before the key
    reached the widget, and keys bound elsewhere bubble up as before."""
    # `_bindings`: the widget's own map, the first the app looks in (textual is pinned exactly).
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            # Handled, as when the app ran the binding: the base classes' key handlers and the
            # app's own look at the bindings are skipped.
            event.stop()
            event.prevent_default()
            return


class LineInput(Input):
    """Textual's Input, with its editing keys applied in order with the typing."""

    async def _on_key(self, event: events.Key) -> None:
        self._restart_blink()  # as Input's key handler does, which a binding run here skips
        await run_own_binding(self, event)
