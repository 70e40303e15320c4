"""The worker's descendants: adopted when orphaned, and all killed after each run.

The worker is a child subreaper (Linux): a process its code starts, even one that double-forks
or calls setsid, stays below it, so that one sweep after each run finds and kills everything.
"""

from __future__ import annotations

import contextlib
import os
import signal

from jaxquiz.engine.forkserver import become_subreaper

__all__ = ["become_subreaper", "children", "sweep"]

_ROUNDS = 64  # a fork bomb refills the list while it is swept; it cannot outrun this many


def children() -> list[int]:
    """The pids of this process's children, zombies included."""
    pids: set[int] = set()
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return []
    for task in tasks:
        with contextlib.suppress(OSError, ValueError), open(f"/proc/self/task/{task}/children") as listed:
            pids.update(int(pid) for pid in listed.read().split())
    return sorted(pids)


def sweep() -> int:
    """Kill and reap every descendant; how many were found."""
    try:  # one system call when, as almost always, the code started nothing
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return 0
    found = 0
    for _ in range(_ROUNDS):
        pids = children()
        if not pids:
            break
        found += len(pids)
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, 0)  # SIGKILL cannot be caught: this returns at once
    return found
