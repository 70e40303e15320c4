"""Entry point of a worker process: `python -m jaxquiz.engine.worker FD MEMORY_LIMIT [DEVICES]`.

It talks to its parent over the socket FD only; fds 1 and 2 belong to user code.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection

TIDY_LIMIT_S = 2.0  # tidying takes well under a millisecond unless a run left something odd


def _die_with_parent() -> None:
    """Exit when the app goes away, even while user code is stuck in a loop.

    PR_SET_PDEATHSIG would fire when the parent *thread* that started this worker ends (the
    app starts replacements from short-lived threads), so watch the parent process instead.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="jaxquiz-parent-watch", daemon=True).start()


def _limit_memory(limit: int) -> None:
    # RLIMIT_DATA counts what is really allocated, not the address space XLA reserves, so jax
    # works under it and a huge allocation fails with a clean error instead of swapping.
    if limit > 0:
        try:
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        except (ValueError, OSError):
            pass


def _use_devices(count: int) -> None:
    """Make `jax.devices()` hold `count` devices: the real ones when there are exactly that many,
    else as many virtual CPU devices (which must be asked for before a backend starts)."""
    import jax
    from jax.extend import backend

    jax.config.update("jax_num_cpu_devices", count)
    if len(jax.devices()) != count:  # e.g. one GPU: fall back to CPU for every device
        backend.clear_backends()
        jax.config.update("jax_platforms", "cpu")


def main() -> None:
    fd, memory_limit = int(sys.argv[1]), int(sys.argv[2])
    devices = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    _die_with_parent()
    _limit_memory(memory_limit)
    # Each worker takes GPU memory as it needs it, so several can share one device.
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    conn = Connection(fd)
    start = time.perf_counter()

    import jax

    if devices:
        _use_devices(devices)
    # Full float32 matmuls on every device: verdicts must not depend on TF32 on a GPU.
    jax.config.update("jax_default_matmul_precision", "highest")

    from jaxquiz.engine.protocol import EXIT_UNTIDY, Ready
    from jaxquiz.engine.worker import chores, sandbox
    from jaxquiz.engine.worker.service import Service

    service = Service(memory_limit or None)
    # Compile something once so the first question does not pay for backend start-up.
    sandbox.execute("out = jax.jit(lambda x: x @ x.T + 1)(jnp.ones((2, 2)))", None, "out")
    chores.tidy()
    # Everything alive now (jax and its caches) lives as long as the worker: keep it out of the
    # garbage collector's full passes, which would otherwise walk it again and again.
    gc.freeze()
    import_ms = (time.perf_counter() - start) * 1000
    conn.send(Ready(os.getpid(), service.device, jax.__version__, import_ms))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            reply = service.handle(request)
            conn.send(("ok", reply.result, reply.recycle))
        except Exception:
            conn.send(("error", traceback.format_exc(), "an internal error"))
        try:
            tidied = chores.tidy_within(TIDY_LIMIT_S)  # after the reply: nobody waits for it
        except BaseException:  # its alarm fired just as it was handling a failure
            tidied = False
        if not tidied:
            # The next run's state is not certain: exit before reading another request, so
            # that the engine gives it to the spare.
            sys.stderr.flush()
            os._exit(EXIT_UNTIDY)


if __name__ == "__main__":
    main()
