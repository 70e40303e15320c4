"""The fork server: jax imported once, and every worker forked from that warm image.

Started by the app (`jaxquiz.engine.forkserver`) as `python -P -m jaxquiz.engine.worker.zygote`.
Importing jax, equinox and einops is most of a worker's start (about a second of CPU); forked
from here, a worker starts in the time its backend and one compile take.

It never runs question code. It reads spawn requests on a socket that only it and the app hold,
and forks twice: the worker's first parent exits at once, so the worker is adopted by the app (a
child subreaper), which then waits for it, reads its exit status and kills its process group
exactly as for a worker it started itself. In the worker, before any code of a deck runs, the
process is made what `python -P -m jaxquiz.engine.worker` would be: its own session, its
socket and log as the only files open, its folder, its environment, then `serve` sandboxes it.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import socket
import sys
import tempfile
import time
import traceback
from typing import Any, NoReturn

from jaxquiz.engine.forkserver import CONTROL_FD_ENV, MAX_REQUEST, WORKER_FD
from jaxquiz.engine.protocol import FD_ENV

# What jax imports on its first lowering (MLIR's dialects): the fork server imports them for its workers.
_FIRST_LOWERING_IMPORTS = (
    "jaxlib.mlir.dialects.builtin",
    "jaxlib.mlir.dialects.mhlo",
    "jaxlib.mlir.extras.meta",
)

ADOPTION_LIMIT_S = 10.0  # the worker's first parent exits at once; the app adopts it then


def main() -> None:
    control = socket.socket(fileno=int(os.environ.pop(CONTROL_FD_ENV)))
    app = os.getppid()
    _preload()
    from jaxquiz.engine.worker import guard

    # What was imported lives as long as every worker: kept out of the garbage collector's
    # passes, its pages stay shared with the workers instead of being copied by them.
    gc.freeze()
    while True:
        try:
            payload, fds, _, _ = socket.recv_fds(control, MAX_REQUEST, 2)
        except OSError:
            return
        if not payload:
            return  # the app is gone
        try:
            reply: dict[str, Any] = {"pid": _spawn(payload, fds, control, app)}
        except Exception as error:
            reply = {"error": f"{type(error).__name__}: {error}"}
        finally:
            for fd in fds:
                os.close(fd)
        control.send(json.dumps(reply).encode())
        if not guard.deep_baseline_taken():
            # Once the first worker is on its way (it takes its own: it should not wait for
            # this), for the workers forked from here later: the spare, the replacements.
            guard.take_deep_baseline()
            gc.freeze()


def _preload() -> None:
    """Import what a worker imports before its first request."""
    import jax.extend.backend  # noqa: F401  (the device count of a pool is set through it)

    from jaxquiz import paths  # noqa: F401
    from jaxquiz.engine import landlock, seccomp, wire  # noqa: F401
    from jaxquiz.engine.worker import __main__, service  # noqa: F401

    # What jax imports on its first lowering (MLIR's dialects): importing them starts no thread,
    # and a worker that finds them here neither imports them nor sees them added to the modules
    # its state guard watches (which costs its first check a full comparison).
    for name in _FIRST_LOWERING_IMPORTS:
        with contextlib.suppress(ImportError):  # another jax: the worker imports what it needs
            importlib.import_module(name)


def _spawn(payload: bytes, fds: list[int], control: socket.socket, app: int) -> int:
    request = json.loads(payload)
    argv, env, cwd = request["argv"], request["env"], request["cwd"]
    if len(fds) != 2:
        raise ValueError(f"a spawn request carries the worker's socket and log, not {len(fds)} fds")
    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:  # the first parent: forks the worker, says its pid, and exits
        try:
            os.close(read_end)
            worker = os.fork()
            if worker == 0:
                os.close(write_end)
                _become_worker([str(a) for a in argv], dict(env), str(cwd), fds, control, app)
            os.write(write_end, str(worker).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as said:
        pid = said.read()
    # Reaped once it has exited: by then the worker has been handed to the app.
    os.waitpid(middle, 0)
    if not pid:
        raise OSError("the worker could not be forked")
    return int(pid)


def _become_worker(
    argv: list[str], env: dict[str, str], cwd: str, fds: list[int], control: socket.socket, app: int
) -> NoReturn:
    status = 1
    try:
        os.setsid()  # its own process group: killing the group kills what its code started
        control.close()
        worker_socket, log = fds
        os.dup2(log, 2)
        os.dup2(worker_socket, WORKER_FD)
        os.closerange(WORKER_FD + 1, os.sysconf("SC_OPEN_MAX"))
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.close(null)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        os.environ[FD_ENV] = str(WORKER_FD)
        tempfile.tempdir = None  # read again, from this worker's TMPDIR
        from jaxquiz.engine.worker import __main__ as worker

        sys.argv[:] = [worker.__file__, *argv]
        _wait_for_adoption(app)
        import numpy as np

        np.random.seed()  # each worker its own global RNG, as in a process of its own
        worker.serve(int(argv[0]), int(argv[1]))
        status = 0
    except SystemExit as leaving:  # as Python ends on one: a message is printed, status 1
        status = leaving.code if isinstance(leaving.code, int) else 1
        if leaving.code is not None and not isinstance(leaving.code, int):
            print(leaving.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(status)


def _wait_for_adoption(app: int) -> None:
    """Wait until the app is this worker's parent: it watches the app from then on."""
    first = os.getppid()
    deadline = time.monotonic() + ADOPTION_LIMIT_S
    while (parent := os.getppid()) != app:
        if parent != first or time.monotonic() > deadline:
            raise SystemExit(f"the worker was not adopted by the app (its parent is {parent})")
        time.sleep(0.0002)


if __name__ == "__main__":
    main()
