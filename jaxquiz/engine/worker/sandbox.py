"""Running question code: a fresh namespace with the prelude, a temporary working directory,
captured output, and a guard that puts back whatever global state the code changed.
"""

from __future__ import annotations

import contextlib
import ctypes
import linecache
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from types import ModuleType
from typing import Any, TextIO

import einops
import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
from einops import rearrange, reduce, repeat
from jax import lax

from jaxquiz.engine.protocol import OUTPUT_CAP

QUESTION_FILE = "<question>"
SETUP_FILE = "<setup>"
ANSWER_FILE = "<answer>"
_OWN_FILES = (QUESTION_FILE, SETUP_FILE, ANSWER_FILE)

PRELUDE: dict[str, Any] = {
    "jax": jax,
    "jnp": jnp,
    "jr": jr,
    "lax": lax,
    "np": np,
    "eqx": eqx,
    "einops": einops,
    "rearrange": rearrange,
    "reduce": reduce,
    "repeat": repeat,
    "partial": partial,
}

# Modules whose attributes user code may monkeypatch; they are put back after every run.
_GUARDED_MODULES: tuple[ModuleType, ...] = (
    jax,
    jnp,
    jr,
    lax,
    np,
    np.random,
    eqx,
    einops,
    jax.nn,
    jax.tree,
    jax.tree_util,
)


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


def execute(code: str, setup: str | None = None, answer: str | None = "out") -> Run:
    """Run setup, then code, then evaluate `answer`, in a fresh module and a temp cwd."""
    tidy()
    module = fresh_module()
    ns = module.__dict__
    run = Run(namespace=ns)
    _remember_source(QUESTION_FILE, code)
    _remember_source(SETUP_FILE, setup or "")
    _remember_source(ANSWER_FILE, answer or "")
    start = time.perf_counter()
    with _StateGuard() as guard, _CapturedOutput() as captured:
        os.chdir(_workdir())
        sys.modules[QUESTION_MODULE] = module
        try:
            if setup:
                exec(_compile(setup, SETUP_FILE, "exec"), ns)
            exec(_compile(code, QUESTION_FILE, "exec"), ns)
            if answer:
                run.value = eval(_compile(answer.strip(), ANSWER_FILE, "eval"), ns)
            _block_until_ready(run.value)
        except BaseException as error:  # user code may raise anything, SystemExit included
            run.exception = error
            run.traceback = own_traceback(error)
        finally:
            _flush_debug_callbacks()
            sys.modules.pop(QUESTION_MODULE, None)
    run.output = captured.text
    run.tainted = guard.tainted
    run.elapsed_ms = (time.perf_counter() - start) * 1000
    # Freeing what the code left (arrays, device buffers) is a chore: it can wait for the reply.
    _leftovers.append(ns)
    _chores.append(_leftovers.clear)
    _chores.append(_empty_workdir)
    return run


# Work that must be done before the next run but not before the reply: the worker calls
# `tidy` after sending each reply, so the learner does not wait for it, and every run calls
# it first in case nobody did.
_chores: list[Callable[[], None]] = []
_leftovers: list[dict[str, Any]] = []


def tidy() -> None:
    """Do the chores the last run left: free its leftovers, empty the workdir, rewind the output."""
    while _chores:
        _chores.pop(0)()


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
    tidy()
    ns = fresh_module().__dict__
    if extra:
        ns.update(extra)
    _remember_source(ANSWER_FILE, expression)
    with _StateGuard():
        return eval(_compile(expression.strip(), ANSWER_FILE, "eval"), ns)


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
    lines.append(f"{type(error).__name__}: {first_lines(str(error))}")
    return "\n".join(lines)


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


class _CapturedOutput:
    """Sends fds 1 and 2 (and sys.stdout/err) into a temp file for the duration of a run.

    Working at the fd level also catches C code and `os.write(1, ...)`; the protocol socket is
    not fd 1 or 2, so nothing the code writes or closes can reach it.
    """

    # Kept for the worker's life, cheaper than new ones per run: the file (a bare descriptor,
    # not a file object: if user code closes it, nothing will later close a reused number),
    # the stream that stands in for sys.stdout and sys.stderr (writing to its own descriptor,
    # so that prints still land after the code closes fd 1), and the worker's own fds 1 and 2.
    fd: int | None = None
    stream: TextIO | None = None
    originals: tuple[int, int] | None = None

    def __enter__(self) -> _CapturedOutput:
        sys.stdout.flush()
        sys.stderr.flush()
        cls = _CapturedOutput
        if cls.fd is None:
            fd, path = tempfile.mkstemp(prefix="jaxquiz-output-")
            os.unlink(path)
            cls.fd, cls.stream = fd, None
        if cls.stream is None or cls.stream.closed:
            cls.stream = open(os.dup(cls.fd), "w", buffering=1, encoding="utf-8", errors="replace")
        if cls.originals is None:
            cls.originals = (os.dup(1), os.dup(2))
        os.dup2(cls.fd, 1)
        os.dup2(cls.fd, 2)
        self._saved_streams = (sys.stdout, sys.stderr)
        sys.stdout = sys.stderr = cls.stream
        self.text = ""
        return self

    def __exit__(self, *exc: object) -> None:
        cls = _CapturedOutput
        assert cls.fd is not None and cls.stream is not None and cls.originals is not None
        try:
            cls.stream.flush()
        except (OSError, ValueError):
            cls.stream = None  # the code closed it: a new one next time
        sys.stdout, sys.stderr = self._saved_streams
        try:
            os.dup2(cls.originals[0], 1)
            os.dup2(cls.originals[1], 2)
        except OSError:  # the code closed the worker's own: output goes nowhere from now on
            cls.originals = None
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.close(devnull)
        try:
            size = os.fstat(cls.fd).st_size
            data = os.pread(cls.fd, OUTPUT_CAP, 0) if size else b""
        except OSError:  # the code closed the file's descriptor: start a new one next time
            cls.fd = None
            return
        if not size:
            return
        _chores.append(partial(_rewind, cls.fd))
        text = data.decode("utf-8", errors="replace")
        if size > OUTPUT_CAP:
            text += f"\n[output cut: {size:,} bytes written, the first {OUTPUT_CAP:,} shown]"
        self.text = text


def _rewind(fd: int) -> None:
    with contextlib.suppress(OSError):  # the code closed it: a new file is made next time
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)


class _StateGuard:
    """Puts global state back as it was when this process first ran code, after every run.

    Restored: jax.config flags, attributes of the prelude's modules, sys.path, os.environ, the
    cwd, numpy's global RNG, the recursion limit. Not restorable (threads left running): reported
    as `tainted`, and the worker is replaced.

    Checking against one baseline, taken once, costs a comparison per run instead of a copy of
    every module's namespace before it; each run also starts from the same numpy RNG state.
    """

    _baseline: _Baseline | None = None

    def __enter__(self) -> _StateGuard:
        self.tainted: str | None = None
        if _StateGuard._baseline is None:
            _StateGuard._baseline = _Baseline()
        return self

    def __exit__(self, *exc: object) -> None:
        baseline = _StateGuard._baseline
        assert baseline is not None
        os.chdir(baseline.cwd)
        current = jax.config.values  # a property that builds a new dict: read it once
        if current != baseline.config:
            for name, value in baseline.config.items():
                if current.get(name) != value:
                    jax.config.update(name, value)
        for module, saved in baseline.modules:
            if not _unchanged(vars(module), saved):
                _restore(module, saved)
        if sys.path != baseline.sys_path:
            sys.path[:] = baseline.sys_path
        if _environ_snapshot() != baseline.environ:
            os.environ.clear()
            os.environ.update(
                {os.fsdecode(key): os.fsdecode(value) for key, value in baseline.environ.items()}
            )
        _chores.append(baseline.reset_numpy_random)  # nothing before the next run draws from it
        sys.setrecursionlimit(baseline.recursion)
        new_threads = [t for t in threading.enumerate() if t not in baseline.threads]
        if new_threads:
            self.tainted = f"the code left {len(new_threads)} thread(s) running"


class _Baseline:
    """The global state every run starts from."""

    def __init__(self) -> None:
        self.config = dict(jax.config.values)
        self.modules = [(m, dict(vars(m))) for m in _GUARDED_MODULES]
        self.sys_path = list(sys.path)
        self.environ = _environ_snapshot()
        self.cwd = os.getcwd()
        self.np_random = _NumpyRandom()
        self.recursion = sys.getrecursionlimit()
        self.threads = set(threading.enumerate())

    def reset_numpy_random(self) -> None:
        self.np_random.reset()


class _NumpyRandom:
    """numpy's global RNG as it was, put back when a run drew from it or seeded it.

    `get_state` and `set_state` copy its 624-word state (tens of microseconds); comparing the raw
    bytes of the Mersenne Twister's state, read through the bit generator's ctypes interface,
    takes one. Any draw or seeding changes those bytes (a normal draw too: it consumes words
    before it caches its second value), and `set_state` then puts everything back.
    """

    _STATE_BYTES = 624 * 4 + 4  # mt19937_state: uint32 key[624], int pos

    def __init__(self) -> None:
        self.state = np.random.get_state()
        try:
            address = np.random.mtrand._rand._bit_generator.ctypes.state_address
            self._read: Callable[[], bytes] | None = partial(ctypes.string_at, address, self._STATE_BYTES)
            self._raw = self._read()
        except (AttributeError, TypeError):  # another numpy: compare nothing, always reset
            self._read = None

    def reset(self) -> None:
        if self._read is None or self._read() != self._raw:
            np.random.set_state(self.state)


_MISSING = object()


def _unchanged(current: dict[str, Any], saved: dict[str, Any]) -> bool:
    # One C-level comparison, identity first: the common case (nothing touched) stays cheap.
    try:
        return current == saved
    except Exception:  # a value replaced by an array compares elementwise
        return False


def _restore(module: ModuleType, saved: dict[str, Any]) -> None:
    """Put a module's attributes back; submodules imported since are kept, and remembered.

    `import jax.experimental.checkify` sets an attribute on `jax.experimental`: deleting it would
    break the same import in the next run, because the submodule stays in sys.modules.
    """
    current = vars(module)
    for name in [n for n in current if n not in saved]:
        if _is_submodule(module, name, current[name]):
            saved[name] = current[name]
        else:
            delattr(module, name)
    for name, value in saved.items():
        if current.get(name, _MISSING) is not value:
            setattr(module, name, value)


def _is_submodule(module: ModuleType, name: str, value: Any) -> bool:
    qualified = f"{module.__name__}.{name}"
    if not isinstance(value, ModuleType):
        return False
    return value.__name__ == qualified and sys.modules.get(qualified) is value


def _environ_snapshot() -> dict[Any, Any]:
    """The environment as the OS holds it (bytes on POSIX): copying it decodes nothing."""
    raw = getattr(os.environ, "_data", None)
    return dict(raw) if isinstance(raw, dict) else dict(os.environ)
