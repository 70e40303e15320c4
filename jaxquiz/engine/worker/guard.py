"""Putting back the global state that question code changes: config, modules, paths, environment."""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Callable
from functools import partial
from types import ModuleType
from typing import Any

import jax
import numpy as np

from jaxquiz.engine.worker import chores
from jaxquiz.engine.worker.fingerprint import DeepBaseline, PythonRandom, Unrestorable, quick_watches
from jaxquiz.engine.worker.prelude import GUARDED_MODULES


class StateGuard:
    """Puts global state back as it was when this process first ran code, after every run.

    Restored: jax.config flags, attributes of the prelude's modules, sys.path, os.environ, the
    cwd, numpy's global RNG, the recursion limit, and every part in `fingerprint` (jax's context
    options, sys.modules, hooks, rlimits, warnings, numpy's error state; after the reply, every
    attribute and function of jax, numpy and the modules around them). Not restorable (threads
    left running, a hard rlimit lowered): reported as `tainted`, and the worker is replaced.

    Checking against one baseline, taken once, costs a comparison per run instead of a copy of
    every module's namespace before it; each run also starts from the same numpy RNG state.
    """

    _baseline: _Baseline | None = None

    def __enter__(self) -> StateGuard:
        self.tainted: str | None = None
        if StateGuard._baseline is None:
            StateGuard._baseline = _Baseline()
        return self

    def __exit__(self, *exc: object) -> None:
        baseline = StateGuard._baseline
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
        chores.later(baseline.np_random.reset)  # nothing before the next run draws from it
        sys.setrecursionlimit(baseline.recursion)
        for watch, saved in baseline.quick:
            try:
                watch.check(saved)
            except Unrestorable as error:
                self.tainted = str(error)
        chores.later(baseline.python_random.reset)
        chores.later(_check_deep)  # after the reply: a millisecond or two nobody waits for
        new_threads = [t for t in threading.enumerate() if t not in baseline.threads]
        if new_threads:
            self.tainted = f"the code left {len(new_threads)} thread(s) running"


_deep_taken: DeepBaseline | None = None


def deep_baseline_taken() -> bool:
    return _deep_taken is not None


def take_deep_baseline() -> None:
    """Take the deep part of the baseline now, in the fork server, where no question code runs:
    the workers forked from it later share one copy instead of each walking every module again,
    which makes a worker's start 10-20 ms quicker. A worker adds what it imported since."""
    global _deep_taken
    _deep_taken = DeepBaseline.take()


def _check_deep() -> None:
    # Unrestorable escapes the chore: the worker exits untidy and the spare takes the next run.
    baseline = StateGuard._baseline
    if baseline is not None:
        baseline.deep.check()


class _Baseline:
    """The global state every run starts from."""

    def __init__(self) -> None:
        self.config = dict(jax.config.values)
        self.modules = [(m, dict(vars(m))) for m in GUARDED_MODULES]
        self.sys_path = list(sys.path)
        self.environ = _environ_snapshot()
        self.cwd = os.getcwd()
        self.np_random = _NumpyRandom()
        self.recursion = sys.getrecursionlimit()
        self.threads = set(threading.enumerate())
        self.quick = [(watch, watch.read()) for watch in quick_watches()]
        if _deep_taken is None:  # not forked from the fork server, or forked before it took one
            self.deep = DeepBaseline.take()
        else:
            _deep_taken.add_new_modules()  # what this worker imported since the server took it
            self.deep = _deep_taken
        self.python_random = PythonRandom()


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
