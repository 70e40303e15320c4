"""The execution engine: a warm, sandboxed worker process that runs JAX and grades answers.

Only `jaxquiz.engine.worker` imports jax, and only inside the worker process.
"""

from jaxquiz.engine.devices import Engine
from jaxquiz.engine.pool import Prepared, default_memory_limit
from jaxquiz.engine.protocol import Binding, Exploration, Outcome, Task, Timings, Verdict

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
