"""The footer of key bindings: the screen's keys on one line, drawn by one widget.

Textual's own footer is a container of one widget per key, composed again whenever the screen's
bindings change (a screen that mounts, takes focus and resumes changes them three times within
its first frames). Every screen of the app has one, so its ten-odd widgets were styled, laid out
and drawn again for every question; drawn by one widget, the app tests take a tenth less CPU
time. It looks and acts the same, and keeps where each key landed for the mouse.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input, TextArea

# The key that opens the command palette is drawn at the right end, after a thin bar.
PALETTE_BAR = "▏"

# On a line too narrow for every key, these are never left out: the keys off the screen and the
# help, which lists every key of the screen.
KEPT_ACTIONS = frozenset(
    {"help", "app.quit", "leave", "back", "home", "cancel", "close", "refuse", "dismiss"}
)

Listed = tuple[list[tuple[Binding, bool, str]], tuple[Binding, bool, str] | None, bool]
"""A screen's shown bindings (each with whether it is enabled, and its tooltip), its palette's,
and whether the focused widget takes typing."""


@dataclass(frozen=True)
class ShownKey:
    """A key as the footer last drew it: `start` and `end` are its cells on the line."""

    key: str  # what pressing it sends (`App.simulate_key`)
    action: str
    shown_as: str  # the key as the app shows it
    description: str
    enabled: bool
    tooltip: str
    start: int
    end: int


class AppFooter(Widget, can_focus=False):
    """The keys of the screen's shown bindings, in their order, the command palette's at the right
    end. A key whose action is disabled now is dimmed, and clicking it rings the bell; clicking
    another presses it. Hovering a key highlights it and shows its tooltip and a hand."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "app-footer--key",
        "app-footer--description",
        "app-footer--item",
        "app-footer--hover",
        "app-footer--bar",
    }
    # The colours and the compact spacing of textual's footer, whose theme variables they use.
    DEFAULT_CSS = """
    AppFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .app-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .app-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .app-footer--item { background: $footer-item-background; }
        .app-footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .app-footer--bar { color: $foreground 20%; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.keys: tuple[ShownKey, ...] = ()  # as last drawn
        self._listed: Listed | None = None  # the bindings as last read
        self._hover: int | None = None  # the index of the key under the mouse

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        # As textual's footer: while the terminal has no focus (nor has the focused widget, then),
        # the keys stay as they were. A screen's bindings change several times as it opens (it
        # mounts, takes focus, resumes), most often to the same keys: those draw nothing again.
        if not self.app.app_focus and self._listed is not None:
            return
        listed = self._screen_keys()
        if listed != self._listed:
            self._listed = listed
            self.refresh()

    def render(self) -> Text:
        if self._listed is None:
            self._listed = self._screen_keys()
        keys, palette, typing = self._listed
        width = self.size.width
        # The palette's key comes after a bar and ends one cell before the right edge; the other
        # keys, each followed by one cell of the footer, fill what is left of the line.
        palette_key = None if palette is None else self._key(palette, 0, typing)
        room = width if palette_key is None else width - palette_key.end - cell_len(PALETTE_BAR) - 1
        shown = self._fit([self._key(listed, 0, typing) for listed in keys], room)
        if palette_key is not None:
            shown.append(replace(palette_key, start=room + cell_len(PALETTE_BAR), end=width - 1))
        self.keys = tuple(shown)
        return self._draw(width, room, palette is not None)

    @staticmethod
    def _fit(keys: list[ShownKey], room: int) -> list[ShownKey]:
        """`keys` placed in order on `room` cells. Where they do not all fit, the keys that lead
        off the screen and to the help stay, and the keys before them that do not fit are left
        out (they stay in the palette and the help); a line too narrow even for those is cut."""
        kept = sum(key.end + 1 for key in keys if _kept(key))
        chosen: list[ShownKey] = []
        used = 0
        full = False
        for key in keys:
            if _kept(key):
                chosen.append(key)
            elif not full and used + key.end + kept <= room:  # the last key needs no cell after it
                chosen.append(key)
                used += key.end + 1
            else:
                full = True  # the keys after one left out are left out too, keeping their order
        shown: list[ShownKey] = []
        at = 0
        for key in chosen:
            if at >= room:
                break
            shown.append(replace(key, start=at, end=min(at + key.end, room)))
            at += key.end + 1
        return shown

    def _key(self, listed: tuple[Binding, bool, str], start: int, typing: bool) -> ShownKey:
        """A key as drawn from `start`, whole. While the focused widget takes typing, a key that
        types a character (`?`) is shown by its other key (`f1`): the character would be typed."""
        binding, enabled, tooltip = listed
        binding = key_to_show(self.app, binding, typing)
        shown_as = self.app.get_key_display(binding)
        description = binding.description
        end = start + cell_len(shown_as) + (1 + cell_len(description) if description else 0)
        return ShownKey(binding.key, binding.action, shown_as, description, enabled, tooltip, start, end)

    def _screen_keys(self) -> Listed:
        """The shown bindings in order, one per action (its first), and the command palette's."""
        palette_key = self.app.COMMAND_PALETTE_BINDING
        keys: dict[str, tuple[Binding, bool, str]] = {}
        palette = None
        for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if key == palette_key and self.app.ENABLE_COMMAND_PALETTE:
                palette = (binding, enabled, binding.tooltip or binding.description)
            elif binding.show:
                keys.setdefault(binding.action, (binding, enabled, tooltip))
        return list(keys.values()), palette, takes_typing(self.screen.focused)

    def _draw(self, width: int, room: int, palette: bool) -> Text:
        line = Text(no_wrap=True, end="")
        for index, shown in enumerate(self.keys):
            if palette and index == len(self.keys) - 1:
                line.truncate(room, pad=True)
                line.append(PALETTE_BAR, self.get_component_rich_style("app-footer--bar"))
            else:
                line.append(" " * (shown.start - line.cell_len))
            line.append_text(self._item(shown, hovered=index == self._hover))
        line.truncate(width, pad=True)
        line.stylize_before(self.rich_style)
        return line

    def _item(self, shown: ShownKey, hovered: bool) -> Text:
        """One key drawn: the key, then what it does, on the item's background (the hover's)."""
        item = Text.assemble(
            (shown.shown_as, self.get_component_rich_style("app-footer--key", partial=True)),
            (
                f" {shown.description}" if shown.description else "",
                self.get_component_rich_style("app-footer--description", partial=True),
            ),
        )
        base = self.get_component_rich_style("app-footer--hover" if hovered else "app-footer--item")
        item.stylize_before(base if shown.enabled else base + Style(dim=True))
        return item

    def _key_at(self, x: int) -> int | None:
        return next((i for i, shown in enumerate(self.keys) if shown.start <= x < shown.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._key_at(event.x))

    def on_leave(self, _event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, index: int | None) -> None:
        if index == self._hover:
            return
        self._hover = index
        self.tooltip = None if index is None else (self.keys[index].tooltip or None)
        # A hand over a key (where the terminal can show one), as over any button.
        self.styles.pointer = "default" if index is None else "pointer"
        self.screen.update_pointer_shape()
        self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._key_at(event.x)
        if index is None:
            return
        shown = self.keys[index]
        if shown.enabled:
            self.app.simulate_key(shown.key)
        else:
            self.app.bell()


def _kept(key: ShownKey) -> bool:
    return key.action.partition("(")[0] in KEPT_ACTIONS  # `dismiss(None)` is a `dismiss`


def takes_typing(widget: Widget | None) -> bool:
    """Whether printable keys pressed now are typed into `widget` (the focused one)."""
    return isinstance(widget, Input) or (isinstance(widget, TextArea) and not widget.read_only)


def key_to_show(app: App[object], binding: Binding, typing: bool) -> Binding:
    """`binding` as its key is to be shown: while a field takes typing, a key that types a
    character (`?`) is shown by another of its keys that does not (`f1`), if it has one."""
    if not typing or not _types_a_character(app.get_key_display(binding)):
        return binding
    for key in binding.key.split(","):
        other = replace(binding, key=key.strip(), key_display=None)
        if not _types_a_character(app.get_key_display(other)):
            return other
    return binding


def _types_a_character(shown_as: str) -> bool:
    return len(shown_as) == 1 and shown_as.isprintable()
