"""The answer widgets, one per input kind: a line, a block editor, options, a flashcard.

Each knows only its own input and posts one `AnswerInput.Answered` message up; the question screen
composes the one its question needs (`answer_input`) and decides nothing about the keys inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, assert_never

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from jaxquiz.study.scheduler import Rating
from jaxquiz.study.session import InputKind
from jaxquiz.tui.text import inline_markdown
from jaxquiz.tui.widgets.python_editor import PythonEditor
from jaxquiz.tui.widgets.rating_bar import RatingBar
from jaxquiz.tui.widgets.text_entry import LineInput

KEY_STYLE = "bold $text-accent"


class AnswerInput(Widget):
    """Where the learner answers; posts `Answered` when they do."""

    DEFAULT_CSS = """
    AnswerInput { height: auto; }
    AnswerInput #options.-unmoved > .option-list--option-highlighted,
    AnswerInput #options.-unmoved:focus > .option-list--option-highlighted {
        background: transparent;
        text-style: none;
    }
    """

    @dataclass
    class Answered(Message):
        """The learner answered: text typed, options picked (their indices), or a card rated."""

        text: str
        picked: tuple[int, ...] | None = None  # options: the ones picked
        rating: Rating | None = None  # a card: the learner's own grade

    def submit(self) -> None:
        """Answer with what the input holds now (the screen's check key)."""

    @property
    def typed(self) -> str:
        """The text typed so far ('' for options and cards)."""
        return ""

    def focus_input(self) -> None:
        self.focus()

    def restore(self, text: str) -> None:
        """Put back an answer taken back (typed inputs only: a pick is picked again)."""


class LineAnswer(AnswerInput):
    """One line: Enter answers."""

    def __init__(self, placeholder: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Horizontal(id="answer-row"):
            yield Static(Content.styled("answer ›", KEY_STYLE), id="answer-label")
            # An answer sent back keeps its text and cursor: the fix is most often a character
            # (selected, the first key typed would replace the whole answer).
            yield LineInput(
                placeholder=self.placeholder, id="answer-line", compact=True, select_on_focus=False
            )
        yield Static(
            Content.assemble(("Enter", KEY_STYLE), (" checks by running the code", "$text-muted")),
            classes="answer-keys",
        )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Answered(event.value))

    def submit(self) -> None:
        self.post_message(self.Answered(self.typed))

    @property
    def typed(self) -> str:
        return self.query_one(Input).value

    def focus_input(self) -> None:
        self.query_one(Input).focus()

    def restore(self, text: str) -> None:
        line = self.query_one(Input)
        line.value = text
        line.cursor_position = len(text)


class BlockAnswer(AnswerInput):
    """Several lines in the Python editor, which starts with `prefill`; ctrl+s answers."""

    def __init__(self, label: str, prefill: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.label = label
        self.prefill = prefill

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble((self.label, "bold $text-accent"), (" · ctrl+s checks", "$text-muted")),
            id="answer-label",
        )
        yield PythonEditor(self.prefill, id="answer-block")

    def submit(self) -> None:
        self.post_message(self.Answered(self.typed))

    @property
    def typed(self) -> str:
        return self.query_one(PythonEditor).text

    def focus_input(self) -> None:
        editor = self.query_one(PythonEditor)
        editor.focus()
        editor.move_cursor(editor.document.end)

    def restore(self, text: str) -> None:
        self.query_one(PythonEditor).load_text(text)


class _Picker(OptionList):
    """The option list inside `OptionsAnswer`: Enter picks only an option the learner moved to.

    OptionList highlights its first option by itself; until the learner moves, that highlight is
    not shown (the `-unmoved` class) and Enter does not pick it.
    """

    moved = False  # a class default: OptionList's own __init__ already moves to the first option

    def __init__(self, *options: Option, **kwargs: object) -> None:
        super().__init__(*options, compact=True, **kwargs)  # type: ignore[arg-type]
        self.add_class("-unmoved")
        self.moved = False

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        if self.moved:
            self.remove_class("-unmoved")

    def _move(self, action: str) -> None:
        if self.moved:
            getattr(super(), f"action_{action}")()
        else:
            # The first move shows where the cursor is: the first option (the last, going up).
            self.moved = True
            self.highlighted = len(self.options) - 1 if action in ("cursor_up", "last") else 0
        self.remove_class("-unmoved")

    def action_cursor_up(self) -> None:
        self._move("cursor_up")

    def action_cursor_down(self) -> None:
        self._move("cursor_down")

    def action_first(self) -> None:
        self._move("first")

    def action_last(self) -> None:
        self._move("last")

    def action_page_up(self) -> None:
        self._move("page_up")

    def action_page_down(self) -> None:
        self._move("page_down")

    async def _on_click(self, event: events.Click) -> None:
        self.moved = True  # a click is a deliberate pick
        await super()._on_click(event)

    def action_select(self) -> None:
        parent = self.parent
        assert isinstance(parent, OptionsAnswer)
        parent.enter()


class OptionsAnswer(AnswerInput):
    """Options: a number picks one; with `multiple`, space or a number marks and Enter answers.

    Nothing is highlighted at first, so an Enter pressed by habit picks nothing; other keys are
    answered with the keys that work.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"number({n})", show=False) for n in range(10)),
        Binding("space", "mark", "Mark", show=False),
    ]

    def __init__(self, options: Sequence[str], *, multiple: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.options = list(options)
        self.multiple = multiple
        self.marked: set[int] = set()

    def compose(self) -> ComposeResult:
        yield _Picker(*(Option(self._prompt(i), id=str(i)) for i in range(len(self.options))), id="options")
        yield Static(self._keys(), classes="answer-keys")

    def _prompt(self, index: int) -> Content:
        number = (f"{index + 1}. ", KEY_STYLE)
        text = inline_markdown(self.options[index])
        if not self.multiple:
            return Content.assemble(number, text)
        box = ("[x] ", "bold $text-success") if index in self.marked else ("[ ] ", "$text-muted")
        return Content.assemble(number, box, text)

    def _keys(self) -> Content:
        last = len(self.options)
        if self.multiple:
            return Content.assemble(
                ("Several are right: ", "bold"),
                (f"1-{last}", KEY_STYLE),
                " or ",
                ("space", KEY_STYLE),
                " marks, ",
                ("Enter", KEY_STYLE),
                " checks the marked ones",
            )
        return Content.assemble((f"1-{last}", KEY_STYLE), " picks, or ", ("↑↓ Enter", KEY_STYLE))

    def _explain(self, why: str) -> None:
        self.query_one(".answer-keys", Static).update(
            Content.assemble((why + " ", "$text-warning"), self._keys())
        )

    @property
    def picker(self) -> OptionList:
        return self.query_one(_Picker)

    def focus_input(self) -> None:
        self.picker.focus()

    def action_number(self, number: int) -> None:
        if not 1 <= number <= len(self.options):
            self._explain(f"There is no option {number}.")
            return
        picker = self.query_one(_Picker)
        picker.moved = True
        picker.highlighted = number - 1
        if self.multiple:
            self._toggle(number - 1)
        else:
            self.post_message(self.Answered(self.options[number - 1], picked=(number - 1,)))

    def action_mark(self) -> None:
        picker = self.query_one(_Picker)
        highlighted = picker.highlighted
        if not self.multiple:
            self._explain("Space marks options when several are right; here one is.")
        elif highlighted is None or not picker.moved:
            self._explain("Move to an option with ↑↓ first.")
        else:
            self._toggle(highlighted)

    def _toggle(self, index: int) -> None:
        self.marked ^= {index}
        self.picker.replace_option_prompt_at_index(index, self._prompt(index))

    def enter(self) -> None:
        """Enter: the highlighted option, or the marked ones."""
        if self.multiple:
            if not self.marked:
                self._explain("Mark at least one option first.")
                return
            picked = tuple(sorted(self.marked))
            text = " + ".join(self.options[i] for i in picked)
            self.post_message(self.Answered(text, picked=picked))
            return
        picker = self.query_one(_Picker)
        highlighted = picker.highlighted
        if highlighted is None or not picker.moved:
            self._explain("Press a number, or move to an option with ↑↓ first.")
            return
        self.post_message(self.Answered(self.options[highlighted], picked=(highlighted,)))

    submit = enter

    def on_key(self, event: events.Key) -> None:
        # Letters and signs do nothing in a list: say which keys do.
        character = event.character
        if event.is_printable and character and not character.isdigit() and character not in " ?":
            event.stop()
            self._explain(f"{event.character!r} is not a key here.")


class CardAnswer(AnswerInput):
    """A flashcard: space shows the back, then 1-4 rate it (Enter: Good)."""

    can_focus = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "reveal", "Reveal"),
        Binding("enter", "accept", "Accept"),
        *(Binding(str(n), f"rate({n})", show=False) for n in range(1, 5)),
    ]

    @dataclass
    class Revealed(Message):
        """The learner turned the card over."""

    proposed = Rating.Good  # no verdict to go on: the neutral grade, and the learner picks

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.revealed = False

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("space", KEY_STYLE), " shows the back of the card"), id="card-help")
        yield RatingBar(id="card-rating", classes="hidden")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return not self.revealed
        if action in ("accept", "rate"):
            return self.revealed
        return True

    def action_reveal(self) -> None:
        self.revealed = True
        # The rating bar below says which keys rate it.
        self.query_one("#card-help", Static).update(Content.styled("How well did you know it?", "bold"))
        bar = self.query_one(RatingBar)
        bar.proposed = self.proposed
        bar.remove_class("hidden")
        self.refresh_bindings()
        self.post_message(self.Revealed())

    def submit(self) -> None:
        if not self.revealed:  # turned over once: the screen shows the back once
            self.action_reveal()

    def action_accept(self) -> None:
        self.action_rate(int(self.proposed))

    def action_rate(self, number: int) -> None:
        self.post_message(self.Answered("", rating=Rating(number)))


def answer_input(
    kind: InputKind, *, placeholder: str, label: str, options: Sequence[str], multiple: bool, prefill: str
) -> AnswerInput:
    """The widget for an input kind."""
    match kind:
        case "line":
            return LineAnswer(placeholder, id="answer-input")
        case "block":
            return BlockAnswer(label, prefill, id="answer-input")
        case "options":
            return OptionsAnswer(options, multiple=multiple, id="answer-input")
        case "card":
            return CardAnswer(id="answer-input")
        case _:
            assert_never(kind)
