"""The execution engine: a warm, sandboxed worker process that runs JAX and grades answers.

Only `jaxquiz.engine.worker` imports jax, and only inside the worker process. The names below
load on first use (PEP 562): a worker, and the fork server it is forked from, import the modules
of the engine they use (the protocol, the wire), not the app's side of it (the pool, its threads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jaxquiz.lazy import loader

if TYPE_CHECKING:
    from jaxquiz.engine.devices import Engine
    from jaxquiz.engine.pool import Prepared, default_memory_limit
    from jaxquiz.engine.protocol import Binding, Exploration, Outcome, Task, Timings, Verdict

# Each public name, and the module that defines it.
_WHERE = {
    "Binding": "protocol",
    "Engine": "devices",
    "Exploration": "protocol",
    "Outcome": "protocol",
    "Prepared": "pool",
    "Task": "protocol",
    "Timings": "protocol",
    "Verdict": "protocol",
    "default_memory_limit": "pool",
}

__all__ = [
    "Binding",
    "Engine",
    "Exploration",
    "Outcome",
    "Prepared",
    "Task",
    "Timings",
    "Verdict",
    "default_memory_limit",
]


__getattr__ = loader(__name__, _WHERE)
