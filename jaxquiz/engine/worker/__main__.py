"""Entry point of a worker process: `python -m jaxquiz.engine.worker MEMORY_LIMIT [DEVICES]`, or
`serve` in a process the fork server forked (`jaxquiz.engine.worker.zygote`), jax imported.

It talks to its parent over the socket whose fd is in $JAXQUIZ_WORKER_FD only, in JSON frames;
fds 1 and 2 belong to user code.
"""

from __future__ import annotations

import gc
import os
import resource
import shutil
import signal
import socket
import sys
import threading
import time
import traceback
from typing import NoReturn

from jaxquiz.engine.worker import reaper

# jax reserves about 1.5 GiB of address space on a CPU and works under 8 GiB.
ADDRESS_SPACE_FLOOR = 8 * 2**30
FILE_SIZE_LIMIT = 64 * 2**20  # any one file, the captured output included
TIDY_LIMIT_S = 2.0  # tidying takes well under a millisecond unless a run left something odd


def _die_with_parent(private_dir: str | None) -> None:
    """Exit when the app goes away, even while user code is stuck in a loop.

    PR_SET_PDEATHSIG would fire when the parent *thread* that started this worker ends (the
    app starts replacements from short-lived threads), so watch the parent process instead.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        _leave(private_dir)

    threading.Thread(target=watch, name="jaxquiz-parent-watch", daemon=True).start()


def _leave(private_dir: str | None) -> NoReturn:
    """Exit once the app is gone, with nothing left behind: what the code started, its files."""
    reaper.sweep()
    if private_dir:
        # Nobody else is left to remove them. The empty folder may stay: Landlock lets the
        # worker change only what is below it.
        shutil.rmtree(private_dir, ignore_errors=True)
    os._exit(0)


def _limit_memory(limit: int) -> None:
    # RLIMIT_DATA counts what is really allocated, not the address space XLA reserves, so jax
    # works under it and a huge allocation fails with a clean error instead of swapping. It does
    # not count shared memory: the app watches the worker's proportional share for that, and
    # RLIMIT_AS bounds what one mapping can take at once (CUDA reserves far more address space
    # than it uses, so not with an NVIDIA GPU).
    held = _data_size()
    if 0 < limit <= held:
        # Forked with jax imported, the worker holds this already: under the limit, XLA would
        # fail to start in a way that depends on which of its threads allocates first.
        raise SystemExit(
            f"the worker holds {held / 2**20:.0f} MiB once jax is imported, more than its memory "
            f"limit of {limit / 2**20:.0f} MiB"
        )
    if limit > 0:
        _set_limit(resource.RLIMIT_DATA, limit)
        if not os.path.exists("/dev/nvidiactl"):
            _set_limit(resource.RLIMIT_AS, max(ADDRESS_SPACE_FLOOR, 2 * limit))
    # Files the code writes, its captured output first, stop growing here (the write fails
    # with EFBIG instead of killing the worker with SIGXFSZ).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _set_limit(resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT)


def _data_size() -> int:
    """Bytes of this process's data segments (what RLIMIT_DATA counts); 0 where unknown."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return 0


def _set_limit(which: int, value: int) -> None:
    try:
        hard = resource.getrlimit(which)[1]
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))
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


def _use_compile_cache() -> None:
    """XLA's persistent cache as the environment names it. A worker forked from the fork server
    was imported before its environment was set, so jax has not read these yet."""
    import jax

    from jaxquiz.engine.protocol import COMPILE_CACHE_SETTINGS
    from jaxquiz.paths import COMPILE_CACHE_ENV

    for name, kind in COMPILE_CACHE_SETTINGS.items():
        value = os.environ.get(name)
        if value is not None:
            jax.config.update(name.lower(), kind(value))
    if COMPILE_CACHE_ENV not in os.environ:  # the server's environment may have named one
        jax.config.update(COMPILE_CACHE_ENV.lower(), None)


def main() -> None:
    serve(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)


def serve(memory_limit: int, devices: int) -> None:
    """Sandbox this process, warm jax up, then answer requests until told to stop."""
    from jaxquiz.engine import landlock, seccomp
    from jaxquiz.engine.protocol import FD_ENV, PRIVATE_PREFIX, WRITABLE_ENV

    fd = int(os.environ.pop(FD_ENV))
    os.set_inheritable(fd, False)  # nothing the code starts inherits the socket
    reaper.become_subreaper()
    # Before any thread starts: a Landlock domain and a seccomp filter bind the calling thread and
    # the threads it starts later. The filter refuses new sockets; the one above is open already.
    landlock.restrict(os.environ.pop(WRITABLE_ENV, "").split(os.pathsep))
    seccomp.restrict()
    tmpdir = os.environ.get("TMPDIR", "")
    private_dir = tmpdir if os.path.basename(tmpdir).startswith(PRIVATE_PREFIX) else None
    _die_with_parent(private_dir)
    _limit_memory(memory_limit)
    # Each worker takes GPU memory as it needs it, so several can share one device.
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    from jaxquiz.engine.wire import Channel

    channel = Channel(socket.socket(fileno=fd))
    start = time.perf_counter()

    import jax

    _use_compile_cache()
    if devices:
        _use_devices(devices)
    # Full float32 matmuls on every device: verdicts must not depend on TF32 on a GPU.
    jax.config.update("jax_default_matmul_precision", "highest")

    from jaxquiz.engine.protocol import EXIT_UNTIDY, Answer, Envelope, InternalFailure, Ready, Result
    from jaxquiz.engine.worker import chores, sandbox
    from jaxquiz.engine.worker.service import Service

    # The request in progress until it is answered: by this thread, or by the watchdog's when
    # an execution runs past its limit (this thread is then stuck in the code).
    in_progress: list[Envelope] = []
    answering = threading.Lock()

    def answer_now(result: Result, why: str, request: object) -> None:
        answering.acquire()
        if not in_progress or in_progress[0].request is not request:
            answering.release()  # answered already: the execution ended just in time
            return
        reaper.sweep()
        channel.send(Answer(in_progress.pop().seq, result, why))
        # The lock stays held: this thread never answers again. The engine replaces this
        # worker on reading `why`.

    service = Service(memory_limit or None, answer_now)
    # Compile something once so the first question does not pay for backend start-up.
    sandbox.execute("out = jax.jit(lambda x: x @ x.T + 1)(jnp.ones((2, 2)))", None, "out")
    chores.tidy()
    # Everything alive now (jax and its caches) lives as long as the worker: keep it out of the
    # garbage collector's full passes, which would otherwise walk it again and again.
    gc.freeze()
    import_ms = (time.perf_counter() - start) * 1000
    pid = os.getpid()
    channel.send(Ready(pid, service.device, jax.__version__, import_ms))
    while True:
        try:
            envelope = channel.receive(Envelope)
        except (EOFError, OSError):  # the app is gone
            _leave(private_dir)
        if envelope.request is None:
            return
        in_progress[:] = [envelope]
        try:
            reply = service.handle(envelope.request)
            message: Answer | InternalFailure = Answer(envelope.seq, reply.result, reply.recycle)
        except Exception:
            message = InternalFailure(envelope.seq, traceback.format_exc())
        if os.getpid() != pid:  # a copy forked by the code came back here: it has no say
            os._exit(0)
        reaper.sweep()  # nothing the code started outlives its run
        with answering:
            in_progress.clear()
            channel.send(message)
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
