"""The engine the app uses: one worker pool per device count, each started when first needed.

A question with `devices: N` (N > 1) runs in a worker where `jax.devices()` holds N devices (virtual
CPU devices when the machine does not have exactly N); every other request goes to the default pool,
exactly as before. A pool of another device count is started on demand (or ahead, by `warm`) and
stopped once nothing has used it for `idle_stop` seconds, so studying a sharding deck keeps its
8-device worker warm without holding it for the rest of the session.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from jaxquiz.engine.pool import START_TIMEOUT, Prepared
from jaxquiz.engine.pool import Engine as Pool
from jaxquiz.engine.protocol import Exploration, Ready, Task, Verdict
from jaxquiz.errors import EngineError

MAX_DEVICES = 8
IDLE_STOP = 600.0  # seconds a pool of another device count stays warm unused


def pool_key(devices: int | None) -> int | None:
    """The pool that runs a question with `devices`: None for the default one. `devices: 1` has
    its own too: the default may hold several (two GPUs, or XLA_FLAGS asking for more)."""
    return devices


class Engine:
    """Routes each request to the pool of its device count; same interface as one pool.

    Every option (`spare`, `memory_limit`, `compile_cache`, ...) applies to every pool.
    """

    def __init__(self, *, idle_stop: float = IDLE_STOP, **options: Any) -> None:
        self._options = options
        self.idle_stop = idle_stop
        self._lock = threading.Lock()
        self.default = Pool(**options)
        self._pools: dict[int, Pool] = {}
        self._used: dict[int, float] = {}  # device count -> when last asked for
        self._closed = False

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> Engine:
        """Start the default pool without waiting for it to import jax."""
        if self._closed:
            raise EngineError("the engine was closed", fix="create a new Engine")
        self.default.start()
        return self

    def warm(self, devices: Iterable[int | None]) -> None:
        """Start the pools of these device counts now (a deck that needs them is being studied)."""
        for count in {pool_key(d) for d in devices}:
            self.pool(count)

    def wait_ready(self, timeout: float = START_TIMEOUT, devices: int | None = None) -> Ready:
        """Block until the pool of `devices` (default: the default pool) can take requests."""
        return self.pool(pool_key(devices)).wait_ready(timeout)

    @property
    def is_ready(self) -> bool:
        return self.default.is_ready

    @property
    def running(self) -> tuple[int, ...]:
        """Device counts whose pool is running, besides the default one."""
        with self._lock:
            return tuple(sorted(self._pools))

    @property
    def replacements(self) -> int:
        with self._lock:
            pools = [self.default, *self._pools.values()]
        return sum(p.replacements for p in pools)

    def close(self) -> None:
        """Stop every pool."""
        with self._lock:
            self._closed = True
            pools = [self.default, *self._pools.values()]
            self._pools.clear()
        for pool in pools:
            pool.close()

    def __enter__(self) -> Engine:
        # Nothing starts yet: the first request starts the pool it needs (`start` the default one).
        if self._closed:
            raise EngineError("the engine was closed", fix="create a new Engine")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        # Anything else a pool offers (memory_limit, compile_cache, ...) is the default pool's.
        default = self.__dict__.get("default")
        if default is None:
            raise AttributeError(name)
        return getattr(default, name)

    # -- requests -----------------------------------------------------------------------------

    def prepare(self, task: Task) -> Prepared:
        if pool_key(task.devices) is None:
            return self._default().prepare(task)
        with self._route(task.devices) as pool:
            return pool.prepare(task)

    def grade(self, task: Task, answer: str, prepared: Prepared | None = None) -> Verdict:
        if pool_key(task.devices) is None:  # most questions: the shortest way to a verdict
            return self._default().grade(task, answer, prepared)
        with self._route(task.devices) as pool:
            return pool.grade(task, answer, prepared)

    def forget(self, *prepared: Prepared) -> None:
        by_pool: dict[int | None, list[Prepared]] = {}
        for item in prepared:
            by_pool.setdefault(pool_key(item.task.devices), []).append(item)
        for key, items in by_pool.items():
            with self._lock:
                pool = self.default if key is None else self._pools.get(key)
            if pool is not None:  # a stopped pool has forgotten everything already
                pool.forget(*items)

    def explore(
        self,
        code: str,
        setup: str | None = None,
        answer: str | None = None,
        timeout: float = 10.0,
        devices: int | None = None,
    ) -> Exploration:
        with self._route(devices) as pool:
            return pool.explore(code, setup, answer, timeout)

    # -- machinery ----------------------------------------------------------------------------

    def pool(self, key: int | None) -> Pool:
        """The pool of a device count (None: the default one), started if it was not."""
        if key is None:
            return self.start().default
        if not 1 <= key <= MAX_DEVICES:
            raise EngineError(f"no worker runs {key} devices", fix=f"ask for 1 to {MAX_DEVICES} devices")
        with self._lock:
            if self._closed:
                raise EngineError("the engine was closed", fix="create a new Engine")
            self._used[key] = time.monotonic()
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = Pool(**self._options, devices=key)
        return pool.start()

    def _default(self) -> Pool:
        """The default pool, for a request; pools idle for too long are stopped meanwhile."""
        if self._pools:
            self._stop_idle(keep=None)
        return self.start().default

    @contextmanager
    def _route(self, devices: int | None) -> Iterator[Pool]:
        """The pool for a request; pools idle for too long are stopped meanwhile."""
        key = pool_key(devices)
        pool = self.pool(key)
        self._stop_idle(keep=key)
        try:
            yield pool
        finally:
            if key is not None:  # a long request counts as use until it ends
                with self._lock:
                    self._used[key] = time.monotonic()

    def _stop_idle(self, keep: int | None) -> None:
        now = time.monotonic()
        with self._lock:
            idle = [k for k in self._pools if k != keep and now - self._used.get(k, now) > self.idle_stop]
            stopped = [self._pools.pop(k) for k in idle]
        for pool in stopped:
            pool.close()
