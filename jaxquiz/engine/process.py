"""One worker process as seen from the UI process: start it, send a request, kill it.

The worker talks over a private socket pair; its stdout and stderr are never read as protocol.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jaxquiz import paths
from jaxquiz.engine import forkserver, wire
from jaxquiz.engine.protocol import (
    FD_ENV,
    PRIVATE_PREFIX,
    WRITABLE_ENV,
    Answer,
    Envelope,
    FromWorker,
    InternalFailure,
    Ready,
    reply_types,
)

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
# How a worker is started; the engine's supervision tests start a fake worker instead.
WORKER_COMMAND = (sys.executable, "-P", "-m", "jaxquiz.engine.worker")


class WorkerFailed(Exception):
    """The worker did not answer: it timed out, or it died (described in plain words)."""

    def __init__(self, status: str, description: str) -> None:
        super().__init__(description)
        self.status = status  # "timeout", "crashed" or "out-of-memory"
        self.description = description


class WorkerProcess:
    """A `python -m jaxquiz.engine.worker` child and the socket to it.

    The worker leads its own process group, so that killing it kills whatever its code started.
    """

    def __init__(
        self,
        memory_limit: int,
        compile_cache: Path | None = None,
        devices: int | None = None,
        command: Sequence[str] = WORKER_COMMAND,
    ) -> None:
        self.memory_limit = memory_limit
        parent_end, child_end = wire.socket_pair()
        self._log = tempfile.TemporaryFile()
        # Everything the worker may write lives here (its runs' folder, captured output).
        self.tempdir = tempfile.mkdtemp(prefix=PRIVATE_PREFIX)
        writable = [self.tempdir]
        common = worker_environment()
        env = dict(common)
        # The cache the worker uses is the one it may write, or none.
        env.pop(paths.COMPILE_CACHE_ENV, None)
        if compile_cache is not None:
            # XLA's persistent cache: a question seen before (same shapes) skips compilation,
            # which is most of the time a small question takes.
            with contextlib.suppress(OSError):
                Path(compile_cache).mkdir(parents=True, exist_ok=True)
                writable.append(str(compile_cache))
            env[paths.COMPILE_CACHE_ENV] = str(compile_cache)
            env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
            env.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
        env[WRITABLE_ENV] = os.pathsep.join(writable)
        env["TMPDIR"] = self.tempdir
        # The last argument is the device count, 0 for the machine's default devices.
        argv = (str(memory_limit), str(devices or 0))
        server = forkserver.shared(common) if tuple(command) == WORKER_COMMAND else None
        self.process: subprocess.Popen[bytes] | forkserver.Spawned
        if server is not None:  # forked from a warm image of the same command
            self.process = server.spawn(argv, env, self.tempdir, (child_end.fileno(), self._log.fileno()))
        else:
            env[FD_ENV] = str(child_end.fileno())
            self.process = subprocess.Popen(
                # -P, and its own folder as the working directory: no module lying beside a deck
                # or where the app was started is importable (only what a trusted deck's hash
                # pinned runs).
                [*command, *argv],
                cwd=self.tempdir,
                pass_fds=(child_end.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                env=env,
                start_new_session=True,
            )
        child_end.close()
        self._channel = wire.Channel(parent_end, peer_pid=lambda: self.process.pid)
        self.suspect = False  # answered twice once: replace it after its current request
        self.ready: Ready | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def fit_for_use(self) -> bool:
        """Alive, believed, and nothing unasked waiting on its socket (a reply that code forged),
        nor its socket closed (by code that ran after a reply)."""
        return self.alive() and not self.suspect and not self._channel.readable()

    def wait_ready(self, timeout: float) -> Ready:
        """Block until the worker has imported jax (it says so first)."""
        if self.ready is None:
            message = self._receive(timeout, starting=True)
            if not isinstance(message, Ready):
                raise WorkerFailed("crashed", f"the worker sent {type(message).__name__} first")
            self.ready = message
        return self.ready

    def request(self, request: Any, timeout: float) -> Answer | InternalFailure:
        """Send one request and wait at most `timeout` seconds for its reply.

        A reply that is malformed, out of step, of the wrong kind, or followed by another is a
        crash of this run: the worker can no longer be believed.
        """
        # A random number, not a count: code that reads this request's number cannot forge the
        # answer to a later one.
        seq = secrets.randbits(62)
        try:
            self._channel.send(Envelope(seq, request))
        except OSError:
            raise WorkerFailed("crashed", self.describe_death()) from None
        deadline = time.monotonic() + timeout
        reply = self._receive(deadline - time.monotonic())
        while isinstance(reply, Ready) or reply.seq != seq:
            # An answer to another request: forged by an earlier run's code, or the late real
            # answer to a request whose forged answer came first. Skipped; the worker is not
            # believed again after this request.
            self.suspect = True
            reply = self._receive(max(deadline - time.monotonic(), 0.0))
        if isinstance(reply, Answer):
            expected = reply_types(request)
            if expected and not isinstance(reply.result, expected):
                raise WorkerFailed(
                    "crashed",
                    f"the worker answered with {type(reply.result).__name__}, not "
                    + " or ".join(kind.__name__ for kind in expected),
                )
        if self._channel.pending():
            raise WorkerFailed(
                "crashed", "the worker sent more than one reply (the code wrote to its socket)"
            )
        return reply

    def _receive(self, timeout: float, starting: bool = False) -> FromWorker:
        watch = None if starting or not self.memory_limit else self._watch_memory
        try:
            return self._channel.receive(FromWorker, time.monotonic() + timeout, watch)
        except TimeoutError:
            what = "start" if starting else "finish"
            raise WorkerFailed("timeout", f"did not {what} within {timeout:g} s") from None
        except wire.WireError as error:
            raise WorkerFailed("crashed", f"the worker sent a message that is not valid ({error})") from None
        except (EOFError, OSError):
            raise WorkerFailed("crashed", self.describe_death()) from None

    def _watch_memory(self) -> None:
        """Kill the worker once its share of memory, shared memory included, passes the limit."""
        used = memory_share(self.process.pid, within=self.memory_limit)
        if used > self.memory_limit:
            self.kill()
            raise WorkerFailed(
                "out-of-memory",
                f"out of memory: the code used {used / 2**30:.1f} GiB, more than the worker may use "
                f"(the limit is {self.memory_limit / 2**30:.1f} GiB, shared memory counted)",
            )

    def exit_status(self) -> int | None:
        """The worker's exit status (negative: the signal that killed it); None while it runs."""
        return self.process.poll()

    def _forked(self) -> bool:
        """False only while the fork server has not said that it forked this worker."""
        return not isinstance(self.process, forkserver.Spawned) or self.process.known()

    def describe_death(self) -> str:
        """Why the worker is gone, in words a learner understands."""
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "the worker stopped answering"
        if isinstance(self.process, forkserver.Spawned) and self.process.failure is not None:
            return self.process.failure  # never forked
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

    def kill_group(self) -> None:
        """Kill the worker and everything it started; safe from any thread (nothing is closed)."""
        if self.process.returncode is None:  # not reaped: its pid is still its group's id
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def kill(self) -> None:
        """Kill the worker and everything it started, and remove its temp folder."""
        if isinstance(self.process, forkserver.Spawned) and not self.process.known():
            self.process.abandon()  # killed once it is forked: nobody waits for that
        else:
            self.kill_group()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._channel.close()
        self._log.close()
        shutil.rmtree(self.tempdir, ignore_errors=True)

    def stop(self) -> None:
        """Ask the worker to exit, then make sure it did."""
        if self._forked() and self.alive():
            try:
                self._channel.send(Envelope(0, None))
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()


def worker_environment() -> dict[str, str]:
    """The app's environment less what question code has no business knowing: the data dir and
    the cache dir (the compile cache it may use is named to it on its own)."""
    env = {k: v for k, v in os.environ.items() if k not in (paths.DATA_DIR_ENV, paths.CACHE_DIR_ENV)}
    # The worker must import this same jaxquiz, installed or run from a checkout.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # nothing to write outside its temp folder
    return env


_PAGE = os.sysconf("SC_PAGE_SIZE")


def memory_share(pid: int, within: int | None = None) -> int:
    """Bytes of memory a process holds: its proportional set size (shared mappings counted by
    share), and shared memory it holds open without mapping it (memfd).

    Summing the proportional set size walks every mapping of the process (2 ms for a worker,
    20 times a second while it runs). With `within`, a process whose resident set (read at no
    cost, and never less than its proportional share) and shared memory are within that many
    bytes is answered with that sum instead: it is within the limit either way.
    """
    held = _shared_memory_held(pid)
    if within is not None:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                resident = int(statm.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return held
        if resident + held <= within:
            return resident + held
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            pss = next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return held
    return pss + held


def _shared_memory_held(pid: int) -> int:
    """Bytes of the memfd and /dev/shm files a process holds open."""
    held = 0
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(("/memfd:", "/dev/shm/")):
                held += os.stat(f"/proc/{pid}/fd/{fd}").st_blocks * 512
    return held
