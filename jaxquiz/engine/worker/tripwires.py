"""Cheap signs that code changed what the deep check guards, so that it compares every entry only then.

The deep check makes sure that every attribute of every guarded module and class, and the code and
defaults of every guarded function, is still the object it was. That is some twenty thousand
entries, spread over memory that the run just pushed out of the CPU's caches: 4-7 ms after every
run. Two things CPython keeps anyway say whether any of it can have changed:

- Every dict carries a version tag (`ma_version_tag`, PEP 509): each insertion, deletion or
  replacement gives the dict a new number from one process-wide counter. A module's or a class's
  attributes live in a dict, so the tags of the guarded namespaces, read in a few microseconds,
  tell whether any attribute was set or deleted since they were read. The field is private: where
  it is missing or behaves otherwise (another Python, another version), `DictVersions.readable()`
  is False and the caller compares every entry instead.
- Setting or deleting a function's `__code__`, `__defaults__` or `__kwdefaults__` is an audit event
  (PEP 578). A hook that notes it, installed before any question code runs (it cannot be removed),
  says whether any function was written since the last look. It also refuses every later hook:
  one added by question code would outlive its run.

Neither is a barrier against code that writes memory through ctypes: nothing in the process is.
Both see every change made through Python, which is what the deep check puts back.
"""

from __future__ import annotations

import ctypes
import operator
import sys
import types
from typing import Any

# Where CPython 3.11-3.13 keep a dict's size and version tag: right after the object header.
_USED_OFFSET = object.__basicsize__
_VERSION_OFFSET = _USED_OFFSET + ctypes.sizeof(ctypes.c_ssize_t)
_VALUE = operator.attrgetter("value")
_readable: bool | None = None


class DictVersions:
    """The version tags of some dicts, as they were when this was made."""

    def __init__(self, dicts: list[dict[Any, Any]]) -> None:
        # The tags are read straight from each dict's memory: the dicts must outlive the views.
        self._dicts = dicts
        self._views = [ctypes.c_uint64.from_address(id(d) + _VERSION_OFFSET) for d in dicts]
        self._saved = self._read()

    @staticmethod
    def readable() -> bool:
        """Whether this interpreter's dicts carry a version tag where it is read, changed by every
        write and only by writes to that dict (checked once per process, on dicts of its own)."""
        global _readable
        if _readable is None:
            _readable = _tags_behave()
        return _readable

    def unchanged(self) -> bool:
        """No dict was written since this was made: a value replaced and put back since counts as
        written (writing the very object a key holds does not)."""
        return self._read() == self._saved

    def _read(self) -> list[int]:
        return list(map(_VALUE, self._views))


def _tags_behave() -> bool:
    if sys.implementation.name != "cpython" or dict.__basicsize__ < _VERSION_OFFSET + 8:
        return False
    probe: dict[str, int] = {}
    other: dict[str, int] = {}
    used = ctypes.c_ssize_t.from_address(id(probe) + _USED_OFFSET)
    tag = ctypes.c_uint64.from_address(id(probe) + _VERSION_OFFSET)
    writes = (
        lambda: probe.__setitem__("a", 1),
        lambda: probe.__setitem__("a", 2),  # a value replaced
        lambda: probe.update(b=3),
        lambda: probe.pop("a"),
        lambda: probe.__delitem__("b"),
        lambda: probe.setdefault("c", 4),
        probe.clear,
    )
    for write in writes:
        before = tag.value
        other["x"] = len(other)  # another dict's write leaves this one's tag alone
        if tag.value != before:
            return False
        write()
        if tag.value == before or used.value != len(probe):
            return False
    before = tag.value
    _ = probe.get("a"), list(probe), len(probe)  # reading is not writing
    return tag.value == before


# --- function writes --------------------------------------------------------------------------

# [written since the last look]: True until the hook is in, so that nothing is missed before it.
_function_written = [True]
_hooked = False


def watch_function_writes() -> None:
    """Note every write to a function's code or defaults from now on (once per process; a forked
    process inherits the hook)."""
    global _hooked
    if _hooked:
        return
    try:
        sys.addaudithook(_audit)
    except Exception:  # refused by a hook already in place: functions are compared every time
        return
    _hooked = True


def _audit(event: str, args: tuple[Any, ...]) -> None:
    # Called for every audit event of the process: kept to one comparison for the others. It
    # raises only to refuse a hook of the code's own, which would outlive its run (one that
    # raised on `compile` would fail every later question): CPython then adds nothing, silently.
    if (event == "object.__setattr__" or event == "object.__delattr__") and (
        args and type(args[0]) is types.FunctionType
    ):
        _function_written[0] = True
    elif event == "sys.addaudithook":
        raise RuntimeError("the worker takes no other audit hook")


def functions_written() -> bool:
    """Whether a function's code or defaults may have been written since the last call."""
    written = _function_written[0]
    _function_written[0] = not _hooked
    return written
