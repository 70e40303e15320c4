"""The app's side of the fork server: one process per app that imports jax once and forks workers.

The server (`jaxquiz.engine.worker.zygote`) forks each worker twice removed, and this process, a
child subreaper, adopts it: the worker is then this process's child, waited for and killed like one
that `subprocess` started. `Spawned` offers what `WorkerProcess` uses of a `Popen`.

A spawn request is answered with the worker's pid once it is forked. It is read when first needed,
so that starting a worker never blocks, even while the server is still importing jax.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence

CONTROL_FD_ENV = "JAXQUIZ_FORKSERVER_FD"
SERVER_COMMAND = (sys.executable, "-P", "-m", "jaxquiz.engine.worker.zygote")
MAX_REQUEST = 2**20  # a spawn request: the worker's argv, environment and folder
MAX_REPLY = 4096
WORKER_FD = 3  # where a forked worker finds its socket
# The environment read when jax and numpy are imported (jaxquiz's worker modules read theirs as
# they run): a worker forked from a server started under other values would not see the new ones,
# so they start a new server. Not TF_CPP_MIN_LOG_LEVEL, which jax sets as it is imported (a test
# process that imports jax has it from then on) and XLA reads when it first logs, in the worker.
IMPORT_TIME_PREFIXES = ("JAX_", "XLA_", "PYTHON", "LD_", "OPENBLAS", "OMP_", "MKL", "NUMPY")
_PR_SET_CHILD_SUBREAPER = 36


class Spawned:
    """A worker the fork server forked for this process; `pid` blocks until the server said it."""

    def __init__(self, server: ForkServer) -> None:
        self._server = server
        self._pid: int | None = None
        self.failure: str | None = None  # why there is no worker: the server could not fork it
        self.returncode: int | None = None
        self._abandoned = False
        self._waiting = threading.Lock()  # one waitpid at a time: a second would lose the status

    @property
    def pid(self) -> int:
        if self._pid is None and self.failure is None:
            self._server.resolve(self, None)
        return self._pid if self._pid is not None else -1

    def known(self) -> bool:
        """Whether the server has answered (without waiting for it)."""
        if self._pid is None and self.failure is None:
            self._server.resolve(self, 0.0)
        return self._pid is not None or self.failure is not None

    def poll(self) -> int | None:
        if self.returncode is None and self.known() and self._pid is not None:
            with self._waiting:
                if self.returncode is None and self._pid is not None:
                    try:
                        pid, status = os.waitpid(self._pid, os.WNOHANG)
                    except ChildProcessError:  # not adopted here: its status is lost
                        pid, status = self._pid, 1 << 8
                    if pid:
                        self.returncode = os.waitstatus_to_exitcode(status)
                        _reap_group(self._pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.0005
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired("worker", timeout or 0.0)
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
        assert self.returncode is not None
        return self.returncode

    def abandon(self) -> None:
        """Not wanted any more: killed as soon as the server says its pid."""
        self._abandoned = True

    def _forked(self, pid: int) -> None:
        self._pid = pid
        if self._abandoned:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.wait(5.0)  # reaped: SIGKILL cannot be caught, this returns at once

    def _failed(self, why: str) -> None:
        self.failure = why
        self.returncode = 1


class ForkServer:
    """One server process and the requests it has not answered yet; thread-safe."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.key = import_environment(env)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        server_env = dict(env)
        server_env[CONTROL_FD_ENV] = str(theirs.fileno())
        # One thread in the server (numpy's BLAS would start more): a fork copies only the
        # thread that calls it, and nothing then holds a lock another thread held.
        server_env["OPENBLAS_NUM_THREADS"] = "1"
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            SERVER_COMMAND,
            cwd="/",
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env=server_env,
            start_new_session=True,
        )
        theirs.close()
        self._control = ours
        self._sending = threading.Lock()
        self._reading = threading.Lock()
        self._waiting: collections.deque[Spawned] = collections.deque()
        self.broken: str | None = None

    def usable(self) -> bool:
        return self.broken is None and self.process.poll() is None

    def spawn(self, argv: Sequence[str], env: Mapping[str, str], cwd: str, fds: Sequence[int]) -> Spawned:
        """Ask for a worker with this argv (after the module), environment, folder, and
        socket and log (fds); the answer is read when the worker's pid is first needed."""
        child = Spawned(self)
        request = json.dumps({"argv": list(argv), "env": dict(env), "cwd": cwd}).encode()
        with self._sending:
            if self.broken is not None:
                child._failed(self.broken)
                return child
            try:
                socket.send_fds(self._control, [request], list(fds))
            except OSError as error:
                child._failed(f"the fork server could not be asked for a worker ({error})")
                return child
            self._waiting.append(child)
        return child

    def resolve(self, child: Spawned, timeout: float | None) -> None:
        """Read the server's answers, in the order the requests were sent, until `child` has
        its own or `timeout` seconds have passed (None: no limit)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._reading.acquire(timeout=-1 if timeout is None else timeout):
            return
        try:
            while child._pid is None and child.failure is None:
                wait = None if deadline is None else max(0.0, deadline - time.monotonic())
                readable, _, _ = select.select([self._control], [], [], wait)
                if not readable:
                    return
                try:
                    reply = self._control.recv(MAX_REPLY)
                except OSError:
                    reply = b""
                if not reply:
                    self._break(f"the fork server exited{self._last_words()}")
                    return
                with self._sending:
                    first = self._waiting.popleft() if self._waiting else None
                if first is not None:
                    _answer(first, reply)
        finally:
            self._reading.release()

    def close(self) -> None:
        """Stop the server; workers it forked are not its children and go on."""
        self._break("the fork server was stopped")
        self._control.close()
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self._log.close()

    def _break(self, why: str) -> None:
        with self._sending:
            if self.broken is None:
                self.broken = why
            waiting, self._waiting = list(self._waiting), collections.deque()
        for child in waiting:
            child._failed(why)

    def _last_words(self) -> str:
        with contextlib.suppress(OSError, ValueError):
            self._log.seek(0)
            lines = self._log.read()[-2000:].decode("utf-8", errors="replace").strip().splitlines()
            if lines:
                return f": {lines[-1].strip()}"
        return ""


def _answer(child: Spawned, reply: bytes) -> None:
    """Give a request its answer: a pid, or why the server could not fork."""
    try:
        message = json.loads(reply)
        pid = message.get("pid")
        error = message.get("error")
    except (ValueError, AttributeError):
        child._failed("the fork server's answer is not valid")
        return
    if isinstance(pid, int) and not isinstance(pid, bool) and pid > 1:
        child._forked(pid)
    else:
        child._failed(f"the fork server could not fork a worker ({str(error)[:300]})")


def _reap_group(pgid: int) -> None:
    """Wait for what is left of an exited worker's process group: killed with it, its members
    were adopted here and would stay zombies."""
    while True:
        try:
            found = os.waitid(os.P_PGID, pgid, os.WEXITED | os.WNOHANG)
        except ChildProcessError:
            return
        if found is None:
            return


def import_environment(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """What of `env` a worker's imports read; a server serves only workers with the same."""
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith(IMPORT_TIME_PREFIXES)))


_server: ForkServer | None = None
_server_lock = threading.Lock()
_adopting: bool | None = None


def shared(env: Mapping[str, str]) -> ForkServer | None:
    """This process's fork server, started when first needed (again after it died, or when the
    part of `env` that imports read changed); None where this process cannot adopt the workers
    it forks (not Linux). `env`: what every worker's environment holds, none of its own folders."""
    global _server
    with _server_lock:
        if not _adopts_orphans():
            return None
        if _server is not None and (not _server.usable() or _server.key != import_environment(env)):
            _server.close()
            _server = None
        if _server is None:
            _server = ForkServer(env)
        return _server


def stop() -> None:
    """Stop this process's fork server, if one runs; the next worker start starts another."""
    global _server
    with _server_lock:
        if _server is not None:
            _server.close()
            _server = None


def _adopts_orphans() -> bool:
    global _adopting
    if _adopting is None:
        _adopting = become_subreaper()
    return _adopting


def become_subreaper() -> bool:
    """Adopt every orphaned descendant (Linux); whether the system allows it."""
    if sys.platform != "linux":
        return False
    import ctypes

    return bool(ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
