"""Capturing what a run writes: fds 1 and 2, and sys.stdout and sys.stderr, into one file;
what it printed to sys.stdout alone, and the warnings it raised (for `printed` and `warned`)."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import warnings
from functools import partial
from typing import Any, TextIO

from jaxquiz.engine.protocol import OUTPUT_CAP
from jaxquiz.engine.worker import chores

# What `printed` holds at most, in characters. More than the output shown (OUTPUT_CAP): a
# question may count lines of a long output, and a text cut short would be a wrong truth.
PRINTED_CAP = 1024 * 1024


class PrintedTooLong(RuntimeError):
    """`printed` was asked for, but the code wrote more than it holds."""


class CapturedOutput:
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

    def __enter__(self) -> CapturedOutput:
        sys.stdout.flush()
        sys.stderr.flush()
        cls = CapturedOutput
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
        self._printed = _Tee(cls.stream)
        sys.stdout, sys.stderr = self._printed, cls.stream
        self.text = ""
        return self

    @property
    def printed(self) -> str:
        """What the run wrote to sys.stdout so far (print, jax.debug.print), without stderr.

        Raises PrintedTooLong past PRINTED_CAP characters: a cut text would be a wrong truth."""
        if self._printed.size > PRINTED_CAP:
            raise PrintedTooLong(
                f"the code printed {self._printed.size:,} characters; `printed` holds at most "
                f"{PRINTED_CAP:,}: ask about less output"
            )
        return "".join(self._printed.parts)

    def __exit__(self, *exc: object) -> None:
        cls = CapturedOutput
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
        chores.later(partial(_rewind, cls.fd))
        text = data.decode("utf-8", errors="replace")
        if size > OUTPUT_CAP:
            text += f"\n[output cut: {size:,} bytes written, the first {OUTPUT_CAP:,} shown]"
        self.text = text


class _Tee:
    """sys.stdout during a run: writes go to the shared capture, and are kept apart as well."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.parts: list[str] = []
        self.size = 0  # characters written, also past the cap

    def write(self, text: str) -> int:
        written = self._stream.write(text)  # first: what it refuses (bytes) is not kept either
        self.size += len(text)
        if self.size <= PRINTED_CAP:  # past it, nothing more is kept: `printed` then raises
            self.parts.append(text)
        return written

    def __getattr__(self, name: str) -> Any:  # flush, fileno, encoding, ...: the stream's own
        return getattr(self._stream, name)


class RecordedWarnings:
    """Records the category name of every warning shown during a run, still printing it.

    Every warning the question's own code raises is recorded and shown, each time it is raised
    (DeprecationWarning included; `warned` lists what was raised, a loop's warning once per
    turn); others as Python's filters say. The filters and the once-per-line memory are put
    back afterwards, so every run sees the same.
    """

    def __init__(self, module_name: str) -> None:
        self._module = module_name
        self._catch = warnings.catch_warnings()
        self.names: list[str] = []

    def __enter__(self) -> RecordedWarnings:
        self._catch.__enter__()
        warnings.filterwarnings("always", module=re.escape(self._module))
        show = warnings.showwarning

        def record(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            self.names.append(category.__name__)
            show(message, category, *args, **kwargs)

        warnings.showwarning = record
        return self

    def __exit__(self, *exc: object) -> None:
        self._catch.__exit__(None, None, None)  # puts the filters back; raises nothing itself


def _rewind(fd: int) -> None:
    with contextlib.suppress(OSError):  # the code closed it: a new file is made next time
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
