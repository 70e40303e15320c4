"""A cheap fingerprint of the worker's global state, and how to put each part back.

Question code can change process-wide state that the next question then runs under: an x64
context entered and never left, a fake module in sys.modules, a function's code swapped, a
warnings filter, numpy's error state, a profile hook, a lowered rlimit. Each `Watch` reads one part,
tells whether it changed, and puts it back; one that cannot be put back raises `Unrestorable`,
and the worker is replaced.

The quick watches are checked after every run, before its reply. The deep one (every attribute of
every module of jax, numpy, equinox, einops, the standard modules they use and jaxquiz itself, and
the code of every function and method in them) runs after the reply, as a chore: the next run
starts only once it is done. It compares every entry only when a tripwire (`tripwires`) says
something may have changed: a fraction of a millisecond after most runs, 5-10 ms after the others.
"""

from __future__ import annotations

import gc
import locale
import operator
import os
import random
import resource
import signal
import sys
import types
import warnings
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

import jax
import numpy as np
from jax._src import config as jax_config

from jaxquiz.engine.worker import tripwires


class Unrestorable(Exception):
    """A part of the global state that changed and cannot be put back: the worker must go."""


@dataclass
class Watch:
    """One part of the global state: read it, compare it with its baseline, put it back."""

    name: str
    read: Callable[[], Any]
    restore: Callable[[Any], object]
    same: Callable[[Any, Any], bool] = lambda a, b: a == b

    def check(self, baseline: Any) -> bool:
        """Put this part back if it changed; whether it had (Unrestorable if it stays changed)."""
        if self.same(baseline, self.read()):
            return False
        try:
            self.restore(baseline)
        except Exception as error:
            raise Unrestorable(f"the code changed {self.name}, which cannot be put back ({error})") from None
        if not self.same(baseline, self.read()):
            raise Unrestorable(f"the code changed {self.name}, which cannot be put back")
        return True


# --- jax ----------------------------------------------------------------------------------------


def _context_states() -> list[Any]:
    """jax's context-manager options (`jax.enable_x64(True)`, `jax.default_device`, ...)."""
    return [h for h in jax.config._value_holders.values() if isinstance(h, jax_config.State)]


def _read_contexts() -> tuple[Any, ...]:
    return tuple(state.get_local() for state in _context_states())


def _restore_contexts(saved: tuple[Any, ...]) -> None:
    for state, value in zip(_context_states(), saved, strict=True):
        if state.get_local() is not value:
            state.set_local(value)


# --- sys.modules --------------------------------------------------------------------------------


def _read_modules() -> dict[str, Any]:
    return dict(sys.modules)


def _modules_same(saved: dict[str, Any], now: dict[str, Any]) -> bool:
    if len(now) == len(saved) and all(map(operator.is_, map(now.get, saved), saved.values())):
        return True
    # New entries are fine when the import system made them (`import jax.experimental.checkify`).
    return all(now.get(name) is module for name, module in saved.items()) and all(
        _imported(module) for name, module in now.items() if name not in saved
    )


def _imported(module: Any) -> bool:
    return isinstance(module, types.ModuleType) and getattr(module, "__spec__", None) is not None


def _restore_modules(saved: dict[str, Any]) -> None:
    for name in [n for n, m in sys.modules.items() if n not in saved and not _imported(m)]:
        del sys.modules[name]
    for name, module in saved.items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module


# --- the interpreter and the process --------------------------------------------------------------

_SYS_HOOKS = ("excepthook", "displayhook", "unraisablehook", "breakpointhook", "stdin")


def _read_hooks() -> tuple[Any, ...]:
    # the import hooks' lists, then their items: a list swapped or changed in place both show
    return (
        sys.getprofile(),
        sys.gettrace(),
        *(getattr(sys, name, None) for name in _SYS_HOOKS),
        sys.meta_path,
        sys.path_hooks,
        len(sys.meta_path),
        *sys.meta_path,
        *sys.path_hooks,
    )


def _restore_hooks(saved: tuple[Any, ...]) -> None:
    profile, trace, *rest = saved
    sys.setprofile(profile)
    sys.settrace(trace)
    hooks, rest = rest[: len(_SYS_HOOKS)], rest[len(_SYS_HOOKS) :]
    for name, value in zip(_SYS_HOOKS, hooks, strict=True):
        setattr(sys, name, value)
    meta_path, path_hooks, count, *items = rest
    sys.meta_path, sys.path_hooks = meta_path, path_hooks
    meta_path[:], path_hooks[:] = items[:count], items[count:]


def _same_items(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _read_interpreter() -> tuple[Any, ...]:
    return (
        sys.getrecursionlimit(),
        sys.getswitchinterval(),
        sys.get_int_max_str_digits(),
        gc.isenabled(),
        gc.get_threshold(),
    )


def _restore_interpreter(saved: tuple[Any, ...]) -> None:
    recursion, switch, digits, enabled, threshold = saved
    sys.setrecursionlimit(recursion)
    sys.setswitchinterval(switch)
    sys.set_int_max_str_digits(digits)
    (gc.enable if enabled else gc.disable)()
    gc.set_threshold(*threshold)


_RLIMITS = tuple(getattr(resource, name) for name in dir(resource) if name.startswith("RLIMIT_"))


def _read_rlimits() -> tuple[tuple[int, int], ...]:
    return tuple(resource.getrlimit(limit) for limit in _RLIMITS)


def _restore_rlimits(saved: tuple[tuple[int, int], ...]) -> None:
    for limit, value in zip(_RLIMITS, saved, strict=True):
        if resource.getrlimit(limit) != value:
            resource.setrlimit(limit, value)  # a lowered hard limit cannot rise: ValueError


_SIGNALS = tuple(s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP))


def _read_signals() -> tuple[Any, ...]:
    return tuple(signal.getsignal(s) for s in _SIGNALS)


def _restore_signals(saved: tuple[Any, ...]) -> None:
    for number, handler in zip(_SIGNALS, saved, strict=True):
        if signal.getsignal(number) is not handler and handler is not None:
            signal.signal(number, handler)


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _read_locale() -> str:
    return locale.setlocale(locale.LC_ALL)


# --- warnings and numpy -------------------------------------------------------------------------


def _read_warnings() -> tuple[Any, ...]:
    return (warnings.filters, tuple(warnings.filters), warnings.showwarning, warnings.formatwarning)


def _warnings_same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return a[0] is b[0] and a[1] == b[1] and a[2] is b[2] and a[3] is b[3]


def _restore_warnings(saved: tuple[Any, ...]) -> None:
    filters, items, warnings.showwarning, warnings.formatwarning = saved
    warnings.filters = filters
    filters[:] = items
    warnings._filters_mutated()  # type: ignore[attr-defined]


def _read_numpy() -> tuple[Any, ...]:
    return (np.geterr(), np.geterrcall(), np.get_printoptions())


def _restore_numpy(saved: tuple[Any, ...]) -> None:
    errors, call, printing = saved
    np.seterr(**errors)
    np.seterrcall(call)
    np.set_printoptions(**printing)


def quick_watches() -> list[Watch]:
    """The parts checked after every run, before its reply."""
    return [
        Watch(
            "jax's context options (an `with jax.enable_x64(...)` left open?)",
            _read_contexts,
            _restore_contexts,
            _same_items,
        ),
        Watch("sys.modules", _read_modules, _restore_modules, _modules_same),
        Watch(
            "the interpreter's hooks (sys.setprofile, sys.settrace, sys.excepthook)",
            _read_hooks,
            _restore_hooks,
            _same_items,
        ),
        Watch("the interpreter's settings", _read_interpreter, _restore_interpreter),
        Watch("a resource limit (resource.setrlimit)", _read_rlimits, _restore_rlimits),
        Watch("a signal handler", _read_signals, _restore_signals, _same_items),
        Watch("the umask", _read_umask, os.umask),
        Watch("the locale", _read_locale, lambda saved: locale.setlocale(locale.LC_ALL, saved)),
        Watch("the warnings filters", _read_warnings, _restore_warnings, _warnings_same),
        Watch("numpy's error handling or print options", _read_numpy, _restore_numpy),
    ]


# --- the deep scan ------------------------------------------------------------------------------

# Top-level packages whose modules the deep scan guards: what the prelude reaches, and jaxquiz.
DEEP_PACKAGES = frozenset(
    (
        "jax", "jaxlib", "numpy", "ml_dtypes", "equinox", "einops", "opt_einsum", "jaxtyping",
        "jaxquiz", "builtins", "functools", "operator", "math", "cmath", "itertools", "collections",
        "abc", "typing", "dataclasses", "warnings", "threading", "traceback", "linecache", "re",
        "random", "copy", "inspect", "contextlib", "json", "enum", "types", "weakref", "io",
    )
)  # fmt: skip
# Globals of jaxquiz's worker that change by design (its folder, its baseline): not guarded.
_OWN_STATE = ("jaxquiz.engine.worker.",)
# Modules whose attributes the worker sets and puts back around every run (`catch_warnings`, for
# the warnings a run shows): their dicts' version tags change each time, so they are compared
# entry by entry.
_WRITTEN_EACH_RUN = frozenset({"warnings"})
# Class attributes the standard library itself writes as it works, neither compared nor put back:
# every `weakref.finalize` made (by jax, equinox, ...) notes on its class that one was. Each made
# the next deep check a full one, which then put them back. The class's other members are guarded.
_BOOKKEEPING: dict[type, frozenset[str]] = {
    weakref.finalize: frozenset({"_dirty", "_registered_with_atexit"}),
}


def _deep_modules() -> list[types.ModuleType]:
    # Public modules only (no `_src`, no `_private`): what question code reaches by name. Their
    # functions and classes include those defined in private modules and exported.
    return [
        module
        for name, module in list(sys.modules.items())
        if isinstance(module, types.ModuleType)
        and name.partition(".")[0] in DEEP_PACKAGES
        and not any(part.startswith("_") for part in name.split(".")[1:])
    ]


@dataclass
class _Scan:
    """What `DeepBaseline` compares after a run, flattened so that each comparison is one pass in C.

    Namespaces whose dict's version tag is readable are compared by their tags (`versions`); the
    others entry by entry: every saved value looked up again (`getters`, `keys`, `values`), and the
    size of each namespace whose every name is saved (`namespaces`, `lengths`)."""

    versions: tripwires.DictVersions | None
    getters: list[Any]
    keys: list[str]
    values: list[Any]
    namespaces: list[Any]
    lengths: list[int]

    def unchanged(self) -> bool:
        found = map(operator.call, self.getters, self.keys, repeat(_MISSING))
        return (
            (self.versions is None or self.versions.unchanged())
            and all(map(operator.is_, found, self.values))
            and list(map(len, self.namespaces)) == self.lengths
        )


@dataclass
class DeepBaseline:
    """Every guarded module's attributes, and every guarded function's code and defaults."""

    modules: list[tuple[types.ModuleType, dict[str, Any]]]
    functions: list[tuple[types.FunctionType, types.CodeType, Any, Any]]
    classes: list[tuple[type, dict[str, Any]]]
    _columns: tuple[tuple[Any, ...], ...] | None = None
    _scan: _Scan = field(init=False)

    def __post_init__(self) -> None:
        self._scan = self._flatten()

    @classmethod
    def take(cls) -> DeepBaseline:
        tripwires.watch_function_writes()  # before any question code, in every process that takes one
        baseline = cls([], [], [])
        baseline.add_new_modules()
        return baseline

    def add_new_modules(self) -> None:
        """Add every guarded module imported since the baseline was taken (at first, all)."""
        known = {id(module) for module, _ in self.modules}
        seen = {id(klass) for klass, _ in self.classes}
        functions = list(self.functions)
        for module in _deep_modules():
            if id(module) in known:
                continue
            namespace = vars(module)
            own = module.__name__.startswith(_OWN_STATE)
            # the worker's own modules: only their functions and classes, not their state
            saved = {
                k: v for k, v in namespace.items() if not own or isinstance(v, type | types.FunctionType)
            }
            self.modules.append((module, saved))
            for value in saved.values():
                if isinstance(value, type) and id(value) not in seen and _patchable(value):
                    seen.add(id(value))
                    members = dict(vars(value))
                    if not own:  # the worker's classes keep state in class attributes
                        self.classes.append((value, members))
                    functions.extend(_functions(members.values()))
            functions.extend(_functions(saved.values()))
        self.functions = list({id(f[0]): f for f in functions}.values())
        self._columns = None
        self._scan = self._flatten()  # the version tags as they are now, before any code runs

    def check(self) -> list[str]:
        """Put back every module attribute, class member and function's code that changed;
        what was put back (Unrestorable when a class cannot take it)."""
        if self._unchanged():
            return []
        changed = []
        for module, saved in self.modules:
            own = module.__name__.startswith(_OWN_STATE)
            if not _module_unchanged(vars(module), saved, own):
                _restore_module(module, saved)
                changed.append(module.__name__)
            elif not own:  # submodules imported since: part of the baseline from now on
                saved.update((k, v) for k, v in vars(module).items() if k not in saved)
        for klass, members in self.classes:
            if not _class_unchanged(klass, members):
                _restore_class(klass, members)
                changed.append(f"{klass.__module__}.{klass.__qualname__}")
        functions, codes, defaults, kwdefaults = self._functions
        if not self._functions_unchanged():
            for function, code, default, kwdefault in zip(
                functions, codes, defaults, kwdefaults, strict=True
            ):
                if (
                    function.__code__ is not code
                    or function.__defaults__ is not default
                    or function.__kwdefaults__ is not kwdefault
                ):
                    function.__code__, function.__defaults__, function.__kwdefaults__ = (
                        code,
                        default,
                        kwdefault,
                    )
                    changed.append(f"{function.__module__}.{function.__qualname__}")
        # All is as saved again (what is saved may have grown: submodules imported since): the
        # version tags from now on, and the writes put back just now are not the next run's.
        self._scan = self._flatten()
        tripwires.functions_written()
        return changed

    def _unchanged(self) -> bool:
        """Nothing changed: the namespaces' version tags, or else every saved value (identity) and
        namespace size; the functions when one was written. One pass in C each, with no Python
        call per module, class or function."""
        written = tripwires.functions_written()
        return self._scan.unchanged() and (not written or self._functions_unchanged())

    def _functions_unchanged(self) -> bool:
        functions, codes, defaults, kwdefaults = self._functions
        return (
            all(map(operator.is_, map(_CODE, functions), codes))
            and all(map(operator.is_, map(_DEFAULTS, functions), defaults))
            and all(map(operator.is_, map(_KWDEFAULTS, functions), kwdefaults))
        )

    def _flatten(self) -> _Scan:
        tagged: list[dict[str, Any]] = []
        scan = _Scan(None, [], [], [], [], [])

        def compare(
            namespace: Any,
            saved: dict[str, Any],
            whole: bool,
            tag: bool = True,
            skip: frozenset[str] = frozenset(),
        ) -> None:
            # by its version tag where it has one (and it is saved whole), else entry by entry
            if tag and whole and not skip and type(namespace) is dict and tripwires.DictVersions.readable():
                tagged.append(namespace)
                return
            compared = [k for k in saved if k not in skip]
            scan.getters.extend([namespace.get] * len(compared))
            scan.keys.extend(compared)
            scan.values.extend(saved[k] for k in compared)
            if whole:
                scan.namespaces.append(namespace)
                scan.lengths.append(len(saved))

        for module, saved in self.modules:
            name = module.__name__
            compare(vars(module), saved, not name.startswith(_OWN_STATE), name not in _WRITTEN_EACH_RUN)
        for klass, members in self.classes:
            compare(_namespace_of(klass), members, whole=True, skip=_BOOKKEEPING.get(klass, frozenset()))
        scan.versions = tripwires.DictVersions(tagged) if tagged else None
        return scan

    @property
    def _functions(self) -> tuple[tuple[Any, ...], ...]:
        # four parallel columns, so that each comparison is one pass in C
        if self._columns is None:
            self._columns = tuple(zip(*self.functions, strict=True)) or ((), (), (), ())
        return self._columns


def _namespace_of(klass: type) -> Any:
    """The dict behind a class's mappingproxy, only to read it: the proxy's `get` is a
    method call on the dict each time, ten times slower."""
    proxy = vars(klass)
    inner = gc.get_referents(proxy)
    return inner[0] if len(inner) == 1 and isinstance(inner[0], dict) else proxy


_IMMUTABLE_TYPE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE: int, numpy's C types, ... refuse setattr


def _patchable(klass: type) -> bool:
    # jaxlib's thousand binding classes (MLIR, nanobind) are left out: nothing a question
    # reaches calls them directly, and checking them would cost more than all the rest.
    return not klass.__flags__ & _IMMUTABLE_TYPE and not klass.__module__.startswith("jaxlib")


def _functions(values: Any) -> Iterator[tuple[types.FunctionType, types.CodeType, Any, Any]]:
    for value in values:
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        if isinstance(value, types.FunctionType):
            yield value, value.__code__, value.__defaults__, value.__kwdefaults__


def _module_unchanged(current: dict[str, Any], saved: dict[str, Any], own: bool) -> bool:
    # Identity, never ==: a stand-in may claim to equal anything.
    if not all(map(operator.is_, map(current.get, saved), saved.values())):
        return False
    return (
        own
        or len(current) == len(saved)
        or all(_is_submodule_value(k, v) for k, v in current.items() if k not in saved)
    )


_MISSING = object()
_CODE = operator.attrgetter("__code__")
_DEFAULTS = operator.attrgetter("__defaults__")
_KWDEFAULTS = operator.attrgetter("__kwdefaults__")


def _is_submodule_value(name: str, value: Any) -> bool:
    return isinstance(value, types.ModuleType) and sys.modules.get(value.__name__) is value


def _restore_module(module: types.ModuleType, saved: dict[str, Any]) -> None:
    current = vars(module)
    own = module.__name__.startswith(_OWN_STATE)
    for name in [n for n in current if n not in saved]:
        if own:
            continue  # the worker's own state
        if _is_submodule_value(name, current[name]):
            saved[name] = current[name]  # a submodule imported since: kept from now on
            continue
        del current[name]
    for name, value in saved.items():
        if current.get(name, _MISSING) is not value:
            current[name] = value


def _class_unchanged(klass: type, members: dict[str, Any]) -> bool:
    current = vars(klass)
    skip = _BOOKKEEPING.get(klass, frozenset())
    compared = [k for k in members if k not in skip] if skip else members
    return len(current) == len(members) and all(
        map(operator.is_, map(current.get, compared), map(members.__getitem__, compared))
    )


def _restore_class(klass: type, members: dict[str, Any]) -> None:
    try:
        for name in [n for n in vars(klass) if n not in members]:
            delattr(klass, name)
        skip = _BOOKKEEPING.get(klass, frozenset())
        for name, value in members.items():
            if name not in skip and vars(klass).get(name, _MISSING) is not value:
                setattr(klass, name, value)
    except (AttributeError, TypeError) as error:
        raise Unrestorable(f"the code changed the class {klass.__qualname__} ({error})") from None


# --- Python's own random module -----------------------------------------------------------------


class PythonRandom:
    """`random`'s global generator, put back after a run seeded it or drew from it."""

    def __init__(self) -> None:
        self.state = random.getstate()

    def reset(self) -> None:
        if random.getstate() != self.state:
            random.setstate(self.state)
