"""Running question code: a fresh namespace with the prelude, a temporary working directory,
captured output, and a guard that puts back whatever global state the code changed.
"""

from __future__ import annotations

import contextlib
import linecache
import os
import shutil
import sys
import tempfile
import time
import traceback
import types
from dataclasses import dataclass, field
from typing import Any

import jax

from jaxquiz.engine.worker import chores
from jaxquiz.engine.worker.capture import CapturedOutput, PrintedTooLong, RecordedWarnings
from jaxquiz.engine.worker.guard import StateGuard
from jaxquiz.engine.worker.prelude import PRELUDE

QUESTION_FILE = "<question>"
SETUP_FILE = "<setup>"
ANSWER_FILE = "<answer>"
_OWN_FILES = (QUESTION_FILE, SETUP_FILE, ANSWER_FILE)

QUESTION_MODULE = "__question__"


def fresh_module() -> types.ModuleType:
    """A new module holding the prelude, for one run.

    It is registered in sys.modules while code runs, because dataclasses, equinox and pickle
    look a class's module up there.
    """
    module = types.ModuleType(QUESTION_MODULE)
    module.__dict__.update(PRELUDE)
    return module


def _compile(source: str, filename: str, mode: str) -> types.CodeType:
    # dont_inherit: this file's `from __future__ import annotations` must not leak into user code.
    return compile(source, filename, mode, dont_inherit=True)


@dataclass
class Run:
    """The result of one execution inside the sandbox."""

    value: Any = None
    exception: BaseException | None = None
    traceback: str | None = None
    output: str = ""
    namespace: dict[str, Any] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    # global state the code changed that cannot be put back: the worker must be replaced
    tainted: str | None = None


def execute(code: str, setup: str | None = None, answer: str | None = "out", *, lenient: bool = False) -> Run:
    """Run setup, then code, then evaluate `answer`, in a fresh module and a temp cwd.

    With `lenient` (a raises question, a card, exploring), an answer `out` that the code did not
    bind is not evaluated: such a run is about the code itself, not a NameError.
    """
    chores.tidy()
    module = fresh_module()
    ns = module.__dict__
    run = Run(namespace=ns)
    _remember_source(QUESTION_FILE, code)
    _remember_source(SETUP_FILE, setup or "")
    _remember_source(ANSWER_FILE, answer or "")
    start = time.perf_counter()
    # The guard exits first: what the code broke (builtins too) is whole before anything else runs;
    # the warnings are recorded inside it, so their filters are put back before it checks them.
    with CapturedOutput() as captured, StateGuard() as guard, RecordedWarnings(QUESTION_MODULE) as warned:
        os.chdir(_workdir())
        sys.modules[QUESTION_MODULE] = module
        try:
            if setup:
                exec(_compile(setup, SETUP_FILE, "exec"), ns)
            exec(_compile(code, QUESTION_FILE, "exec"), ns)
            if answer and not (lenient and answer.strip() == "out" and "out" not in ns):
                _flush_debug_callbacks()  # jax.debug.print lands in `printed` before it is read
                run.value = _evaluate_answer(answer, ns, captured, list(warned.names))
            _block_until_ready(run.value)
        except BaseException as error:  # user code may raise anything, SystemExit included
            run.exception = error
        finally:
            _flush_debug_callbacks()
            sys.modules.pop(QUESTION_MODULE, None)
    if run.exception is not None:  # once the guard has put back what the code broke
        run.traceback = own_traceback(run.exception)
    run.output = captured.text
    run.tainted = guard.tainted
    run.elapsed_ms = (time.perf_counter() - start) * 1000
    # Freeing what the code left (arrays, device buffers) can wait for the reply.
    _leftovers.append(ns)
    chores.later(_leftovers.clear)
    chores.later(_empty_workdir)
    return run


def _evaluate_answer(answer: str, ns: dict[str, Any], captured: CapturedOutput, warned: list[str]) -> Any:
    """`answer` with `printed` and `warned` in scope, unless the code bound those names itself.
    Past its cap, `printed` is not bound, and an answer that names it raises PrintedTooLong."""
    compiled = _compile(answer.strip(), ANSWER_FILE, "eval")
    extra: dict[str, Any] = {}
    if "warned" not in ns:
        extra["warned"] = warned
    if "printed" not in ns:
        try:
            extra["printed"] = captured.printed
        except PrintedTooLong:
            if "printed" in _names_in(compiled):
                raise  # a cut text would be a wrong truth; an answer not about it runs on
    ns.update(extra)
    try:
        return eval(compiled, ns)
    finally:
        for name in extra:  # not bindings of the code: the try-it panel must not list them
            ns.pop(name, None)


def _names_in(code: types.CodeType) -> set[str]:
    """The global names `code` and the functions and comprehensions within it use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_in(const)
    return names


_leftovers: list[dict[str, Any]] = []  # namespaces of finished runs, until a chore drops them
_WORKDIR: str | None = None


def _workdir() -> str:
    """The worker's working directory for runs: one per worker, emptied after every run.

    Emptying one folder costs a listdir instead of a mkdir and an rmdir per run: a run still
    starts in an empty folder and leaves nothing behind.
    """
    global _WORKDIR
    if _WORKDIR is None:
        _WORKDIR = tempfile.mkdtemp(prefix="jaxquiz-")
    return _WORKDIR


def _empty_workdir() -> None:
    global _WORKDIR
    if _WORKDIR is None:
        return
    try:
        entries = list(os.scandir(_WORKDIR))
    except OSError:  # the code removed it: make a new one next time
        _WORKDIR = None
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _remember_source(filename: str, source: str) -> None:
    # Tracebacks then show the question's own lines, as for a real file.
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)


def evaluate(expression: str, extra: dict[str, Any] | None = None) -> Any:
    """Evaluate a learner's expression with the prelude (and `extra`) in scope."""
    chores.tidy()
    ns = fresh_module().__dict__
    if extra:
        ns.update(extra)
    _remember_source(ANSWER_FILE, expression)
    with StateGuard():
        try:
            return eval(_compile(expression.strip(), ANSWER_FILE, "eval"), ns)
        except Exception as error:
            if message_of(error).startswith("(its message cannot be shown"):
                # Callers put the error in words: give them one that can be.
                raise UnshowableError(f"{type(error).__name__} {message_of(error)}") from None
            raise


class UnshowableError(Exception):
    """Stands in for an exception whose message cannot be turned into text."""


def own_traceback(error: BaseException) -> str:
    """The frames that belong to the question's code, with its own line numbers, then the error."""
    lines = []
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename in _OWN_FILES:
            where = {QUESTION_FILE: "line", SETUP_FILE: "setup line", ANSWER_FILE: "answer"}
            text = f"  {where[frame.filename]} {frame.lineno}"
            if frame.name not in ("<module>",):
                text += f", in {frame.name}"
            if frame.line:
                text += f": {frame.line.strip()}"
            lines.append(text)
    lines.append(f"{type(error).__name__}: {first_lines(message_of(error))}")
    return "\n".join(lines)


def message_of(error: BaseException) -> str:
    """An exception's message; one whose __str__ raises is described instead of breaking the run."""
    try:
        text = str(error)
    except BaseException as inner:
        return f"(its message cannot be shown: {type(error).__name__}.__str__ raised {type(inner).__name__})"
    return text if isinstance(text, str) else ""


def first_lines(message: str, limit: int = 12) -> str:
    """A long JAX message cut to its first lines, which say what went wrong."""
    lines = message.strip().splitlines()
    if len(lines) <= limit:
        return "\n".join(lines)
    return "\n".join([*lines[:limit], f"... ({len(lines) - limit} more lines)"])


def _block_until_ready(value: Any) -> None:
    # Asynchronous dispatch: errors and time belong to this run, not to whoever looks next.
    try:
        jax.block_until_ready(value)
    except (TypeError, ValueError):
        pass


def _flush_debug_callbacks() -> None:
    try:
        jax.effects_barrier()
    except Exception:
        pass
