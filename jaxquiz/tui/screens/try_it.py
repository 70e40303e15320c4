"""Try it: edit a question's code, run it, and see the shape and dtype of everything it made."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from jaxquiz.engine import Exploration, Outcome
from jaxquiz.study.session import Item
from jaxquiz.tui.screens.base import AppScreen
from jaxquiz.tui.services import Services
from jaxquiz.tui.text import clip, one_line
from jaxquiz.tui.widgets.footer import AppFooter
from jaxquiz.tui.widgets.python_editor import PythonEditor
from jaxquiz.tui.widgets.row_table import RowTable
from jaxquiz.tui.widgets.text_entry import LineInput
from jaxquiz.tui.widgets.top_bar import TopBar

PREVIEW_WIDTH = 40  # of a value in the shape table
ANSWER_LINES = 12  # of the answer's value; more are counted, not shown
_LINE = re.compile(r"line (\d+)")
SCRATCH = "# Write some JAX and press ctrl+r to run it.\nout = jnp.arange(6).reshape(2, 3)\n"


def error_line(traceback: str | None) -> int | None:
    """The line of the learner's code where the error happened (the last frame that names one)."""
    if not traceback:
        return None
    found = _LINE.findall(traceback)
    return int(found[-1]) if found else None


class TryItScreen(AppScreen[None]):
    """An editor with the question's code, an answer expression, and the shape table of a run."""

    @dataclass
    class CodeExplored(Message):
        """A run of the edited code finished."""

        run: int
        exploration: Exploration

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "run", "Run"),
        Binding("ctrl+o", "reset", "Reset code"),
        # priority: in the editor, escape would only move the focus away
        Binding("escape", "back", "Back", priority=True),
    ]

    HELP = """\
**Try it.** Change the code (another `in_axes`, another shape) and press `ctrl+r`: it runs in a
fresh sandbox, and the table lists every array and pytree it left behind with its shape and
dtype. `answer =` is evaluated after the code. `ctrl+o` puts the question's code back.
"""

    def __init__(self, services: Services, item: Item, code: str) -> None:
        super().__init__(services)
        self.item = item
        self.code = (code or SCRATCH).rstrip("\n")
        self.runs = 0
        task = item.task
        self.answer = (task.answer if task is not None else "out") or "out"  # a puzzle: its result

    def compose(self) -> ComposeResult:
        yield TopBar(f"Try it · {self.item.deck.id}")  # not the id: it may name the answer
        with Vertical(id="try-top"):
            yield PythonEditor(self.code, id="editor")
            with Horizontal(id="expr-row"):
                yield Static(Content.styled("answer =", "bold"), id="expr-label")
                yield LineInput(
                    self.answer,
                    placeholder="an expression to evaluate after the code",
                    id="answer-expr",
                    compact=True,
                )
            yield Static(
                Content.assemble(("ctrl+r", "bold $text-accent"), " runs the code in a fresh sandbox"),
                id="run-status",
            )
        with VerticalScroll(id="results"):
            yield RowTable(id="bindings", zebra_stripes=True)
            yield Static(id="answer-value")
            yield Static(id="run-error")
            yield Static(id="run-output")
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one("#bindings", DataTable)
        table.add_columns("name", "kind", "shape", "dtype", "preview")
        table.display = False
        self.query_one("#editor", PythonEditor).focus()
        # Try-it runs have a worker of their own: let it import jax while the code is read.
        self.run_worker(self.services.engine.warm_explorer, thread=True, exit_on_error=False)

    # -- running -------------------------------------------------------------------------------

    def action_run(self) -> None:
        self.runs += 1
        code = self.query_one("#editor", PythonEditor).text
        answer = self.query_one("#answer-expr", Input).value.strip()
        waiting = "running…"
        if self.quiz_app.engine_state == "starting":
            waiting = "running… (JAX is still warming up)"
        self.query_one("#run-status", Static).update(Content.styled(waiting, "$text-accent"))
        self.explore(self.runs, code, answer)

    @on(Input.Submitted, "#answer-expr")
    def _answer_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    @work(thread=True, exclusive=True, exit_on_error=False, group="explore")
    def explore(self, run: int, code: str, answer: str) -> None:
        self.post_message(self.CodeExplored(run, self.services.grader.explore(self.item, code, answer)))

    def on_try_it_screen_code_explored(self, message: CodeExplored) -> None:
        if message.run != self.runs:
            return  # an older run, overtaken by a newer one
        self.show(message.exploration)

    def show(self, exploration: Exploration) -> None:
        """Fill the shape table, the answer's value, the error and the output of a run."""
        self._show_bindings(exploration)
        self._show_answer(exploration.answer)
        self._show_error(exploration.outcome)
        outcome = exploration.outcome
        output = self.query_one("#run-output", Static)
        output.update(
            Content.assemble(("output\n", "bold"), outcome.output.rstrip("\n"))
            if outcome.output.strip()
            else ""
        )
        names = len(exploration.bindings)
        status = "ran" if outcome.status == "ok" and not outcome.raised else "failed"
        device = f" on {outcome.device}" if outcome.device else ""
        self.query_one("#run-status", Static).update(
            Content.assemble(
                (f"{status}{device}", "$text-success" if status == "ran" else "$text-error"),
                (f" · {names} name{'s' * (names != 1)} bound", "$text-muted"),
            )
        )

    def _show_bindings(self, exploration: Exploration) -> None:
        table = self.query_one("#bindings", DataTable)
        table.clear()
        for binding in exploration.bindings:
            table.add_row(
                Text(binding.name, style="bold"),  # a Content cell would not widen its column
                binding.kind if binding.leaves <= 1 else f"{binding.kind} ({binding.leaves} leaves)",
                "" if binding.shape is None else str(binding.shape),
                binding.dtype or "",
                one_line(binding.preview, PREVIEW_WIDTH),
            )
        table.display = bool(exploration.bindings)

    def _show_answer(self, answer: Outcome | None) -> None:
        value = self.query_one("#answer-value", Static)
        if answer is None:
            value.update("")
        elif answer.raised or answer.status != "ok":
            value.update(Content.assemble(("answer  ", "bold"), (answer.summary(), "$text-error")))
        else:
            value.update(
                Content.assemble(
                    ("answer  ", "bold"),
                    (answer.summary(), "$text-accent"),
                    "\n",
                    clip(answer.preview, ANSWER_LINES, ""),
                )
            )

    def _show_error(self, outcome: Outcome) -> None:
        """The run's error as a headline with its line, then the traceback; the cursor to the line."""
        error = self.query_one("#run-error", Static)
        if not outcome.raised and outcome.status == "ok":
            error.update("")
            return
        line = error_line(outcome.traceback)
        head = outcome.summary() if not outcome.raised else f"{outcome.exception}: {outcome.error}"
        where = f" (line {line})" if line and f"line {line}" not in head else ""
        # the traceback's last line repeats the message already shown as the headline
        frames = (outcome.traceback or "").rstrip("\n").split("\n")
        if frames and outcome.error and outcome.error.split("\n")[0] in frames[-1]:
            frames.pop()
        error.update(
            Content.assemble(
                (f"✘ {head}{where}", "bold $text-error"),
                ("\n" + "\n".join(frames) if any(frames) else "", "$text-muted"),
            )
        )
        if line:
            self._mark_line(line)

    def _mark_line(self, line: int) -> None:
        """Put the cursor on the failing line of the learner's code, if it exists there: where it
        was when it is on that line already, else at its end (typing goes on from there)."""
        editor = self.query_one("#editor", PythonEditor)
        row = line - 1
        if 0 <= row < editor.document.line_count and editor.cursor_location[0] != row:
            editor.cursor_location = (row, len(editor.document[row]))

    # -- other actions -------------------------------------------------------------------------

    def action_reset(self) -> None:
        self.query_one("#editor", PythonEditor).load_text(self.code)

    def action_back(self) -> None:
        self.services.engine.stop_explore()  # a run still going is stopped, not left looping
        self.dismiss(None)

    def commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Run", "Run the code in a fresh sandbox", self.action_run),
            SystemCommand("Reset code", "Back to the question's code", self.action_reset),
        ]
