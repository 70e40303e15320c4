"""XLA's persistent compile cache, kept within a size.

Every draw of a parametrised question can compile a program of new shapes, and jax never removes
an entry: the cache in the data dir would grow for as long as the app is used. jax's own bound
(`jax_compilation_cache_max_size`) is no answer: it needs an access-time file beside every entry,
and once one is missing (an entry written before, or by the user's own jax work sharing the
folder) jax writes no new entry at all. So the app removes the entries written longest ago when
the folder holds more than its limit, touching nothing but jax's entries.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

LIMIT_BYTES = 128 * 2**20  # the bundled decks' 1,100 draws of `jaxquiz check` take about 6 MiB
ENTRY_SUFFIX = "-cache"  # how jax names an entry; an `-atime` file may sit beside it
ACCESS_SUFFIX = "-atime"


def prune(folder: Path, limit: int | None = None) -> int:
    """Remove the entries written longest ago until `folder` holds at most `limit` bytes of
    entries (LIMIT_BYTES by default); returns how many bytes were removed. Safe while workers use
    the cache: a removed entry is compiled again when next needed."""
    limit = LIMIT_BYTES if limit is None else limit
    entries: list[tuple[float, int, str]] = []
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.endswith(ENTRY_SUFFIX) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):  # removed meanwhile by another app
                        stat = entry.stat(follow_symlinks=False)
                        entries.append((stat.st_mtime, stat.st_size, entry.path))
    except OSError:
        return 0  # no cache yet, or not readable: nothing to keep small
    total = sum(size for _, size, _ in entries)
    removed = 0
    for _, size, path in sorted(entries):  # the oldest first
        if total - removed <= limit:
            break
        for name in (path, path.removesuffix(ENTRY_SUFFIX) + ACCESS_SUFFIX):
            with contextlib.suppress(OSError):  # gone already (another app pruned it), or none
                os.unlink(name)
        removed += size
    return removed
