"""One worker process as seen from the UI process: start it, send a request, kill it.

The worker talks over a private socket pair; its stdout and stderr are never read as protocol.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from jaxquiz.engine.protocol import Ready

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class WorkerFailed(Exception):
    """The worker did not answer: it timed out, or it died (described in plain words)."""

    def __init__(self, status: str, description: str) -> None:
        super().__init__(description)
        self.status = status  # "timeout" or "crashed"
        self.description = description


class WorkerProcess:
    """A `python -m jaxquiz.engine.worker` child and the socket to it."""

    def __init__(
        self, memory_limit: int, compile_cache: Path | None = None, devices: int | None = None
    ) -> None:
        parent_end, child_end = socket.socketpair()
        self._log = tempfile.TemporaryFile()
        env = dict(os.environ)
        if compile_cache is not None:
            # XLA's persistent cache: a question seen before (same shapes) skips compilation,
            # which is most of the time a small question takes.
            env.setdefault("JAX_COMPILATION_CACHE_DIR", str(compile_cache))
            env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
            env.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
        # The worker must import this same jaxquiz, installed or run from a checkout.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jaxquiz.engine.worker",
                str(child_end.fileno()),
                str(memory_limit),
                str(devices or 0),  # 0: the machine's default devices
            ],
            pass_fds=(child_end.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env=env,
        )
        child_end.close()
        self._conn = Connection(parent_end.detach())
        self.ready: Ready | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, timeout: float) -> Ready:
        """Block until the worker has imported jax (it says so first)."""
        if self.ready is None:
            message = self._receive(timeout, starting=True)
            if not isinstance(message, Ready):
                raise WorkerFailed("crashed", f"the worker sent {type(message).__name__} first")
            self.ready = message
        return self.ready

    def request(self, request: Any, timeout: float) -> Any:
        """Send one request and wait at most `timeout` seconds for its reply."""
        try:
            self._conn.send(request)
        except OSError:
            raise WorkerFailed("crashed", self.describe_death()) from None
        return self._receive(timeout)

    def _receive(self, timeout: float, starting: bool = False) -> Any:
        try:
            if not self._conn.poll(timeout):
                what = "start" if starting else "finish"
                raise WorkerFailed("timeout", f"did not {what} within {timeout:g} s")
            return self._conn.recv()
        except (EOFError, OSError):
            raise WorkerFailed("crashed", self.describe_death()) from None

    def exit_status(self) -> int | None:
        """The worker's exit status (negative: the signal that killed it); None while it runs."""
        return self.process.poll()

    def describe_death(self) -> str:
        """Why the worker is gone, in words a learner understands."""
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "the worker stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            why = {
                "SIGSEGV": "a segmentation fault",
                "SIGKILL": "SIGKILL (perhaps the system ran out of memory)",
                "SIGABRT": "an abort (a fatal error inside XLA or C code)",
            }.get(name, name)
            return f"the process running the code was killed by {why}"
        lines = self.log_tail().splitlines()
        detail = lines[-1].strip() if lines else ""  # the error itself, after its traceback
        return f"the process running the code exited with status {code} (os._exit or a fatal error)" + (
            f": {detail}" if detail else ""
        )

    def log_tail(self, limit: int = 600) -> str:
        try:
            self._log.seek(0, os.SEEK_END)
            size = self._log.tell()
            self._log.seek(max(0, size - limit))
            return self._log.read().decode("utf-8", errors="replace").strip()
        except (OSError, ValueError):
            return ""

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self._conn.close()
        self._log.close()

    def stop(self) -> None:
        """Ask the worker to exit, then make sure it did."""
        if self.alive():
            try:
                self._conn.send(None)
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
