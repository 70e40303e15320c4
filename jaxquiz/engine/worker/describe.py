"""Turning live results into the plain descriptions the UI process receives."""

from __future__ import annotations

import sys
from typing import Any

import equinox as eqx
import jax
import numpy as np

from jaxquiz.engine.protocol import Binding, Outcome
from jaxquiz.engine.worker.prelude import PRELUDE
from jaxquiz.engine.worker.sandbox import Run, first_lines, message_of

PREVIEW_CHARS = 240
PREVIEW_LINES = 6


def device_name() -> str:
    """The device that runs the code, e.g. `cpu` or `cuda:0`; several: `8 virtual CPU devices`."""
    devices = jax.devices()
    device = devices[0]
    if len(devices) > 1:
        # Several CPU devices only exist when asked for (jax_num_cpu_devices): they share one CPU.
        kind = "virtual CPU devices" if device.platform == "cpu" else f"{device.platform.upper()} devices"
        return f"{len(devices)} {kind}"
    return "cpu" if device.platform == "cpu" else f"{device.platform}:{device.id}"


_ARRAY_TYPES = (np.ndarray, np.generic, jax.Array)  # numpy's first: a cheaper check


def is_array(value: Any) -> bool:
    return isinstance(value, _ARRAY_TYPES)


def dtype_name(value: Any) -> str | None:
    dtype = getattr(value, "dtype", None)
    return None if dtype is None else str(dtype)


def shape_of(value: Any) -> tuple[int, ...] | None:
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and all(isinstance(d, int) for d in shape):
        return shape
    return None


def preview(value: Any) -> str:
    """A short repr: arrays summarised by numpy's printer, long text cut."""
    try:
        if is_array(value) and not jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
            with np.printoptions(threshold=20, edgeitems=2, precision=4, linewidth=80):
                text = repr(value)
        else:
            text = repr(value)
    except BaseException as error:  # a user object whose repr fails (with anything at all)
        text = f"<{type(value).__name__}: repr failed: {message_of(error)}>"
    lines = text.splitlines()
    if len(lines) > PREVIEW_LINES:
        # A tall array says little line by line: keep its start and say how much was left out.
        text = "\n".join([*lines[: PREVIEW_LINES - 1], f"... ({len(lines) - PREVIEW_LINES + 1} more lines)"])
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 3] + "..."


def class_path(cls: type) -> str:
    """Where users import the class from: jax defines its public errors in private modules
    (`jax._src.checkify.JaxRuntimeError` is `jax.experimental.checkify.JaxRuntimeError`, a
    ValueError, and not `jax.errors.JaxRuntimeError`, a RuntimeError of the same name)."""
    module = cls.__module__
    for home in _public_homes(module):
        imported = sys.modules.get(home)
        if imported is not None and getattr(imported, cls.__name__, None) is cls:
            module = home
            break
    return cls.__name__ if module == "builtins" else f"{module}.{cls.__name__}"


def _public_homes(module: str) -> list[str]:
    if not module.startswith("jax"):
        return []
    homes = ["jax.errors"]
    if module.startswith("jax._src."):
        rest = module.removeprefix("jax._src.")
        homes += [f"jax.experimental.{rest}", f"jax.{rest}"]
    return homes


def jax_bases(cls: type) -> tuple[str, ...]:
    """The JAX-defined base classes of an exception class (not the class itself)."""
    return tuple(
        class_path(base)
        for base in cls.__mro__[1:]
        if base.__module__.startswith("jax") and not base.__name__.startswith("_")
    )


def outcome_of(run: Run, device: str, *, with_preview: bool = True) -> Outcome:
    """Describe what a run gave; `with_preview=False` skips printing the value (not free)."""
    if run.exception is not None:
        cls = type(run.exception)
        return Outcome(
            exception=class_path(cls),
            exception_bases=jax_bases(cls),
            error=first_lines(message_of(run.exception)) or cls.__name__,
            traceback=run.traceback,
            output=run.output,
            device=device,
        )
    value = run.value
    return Outcome(
        type_name=type(value).__name__,
        shape=shape_of(value),
        dtype=dtype_name(value),
        preview=preview(value) if with_preview else "",
        output=run.output,
        device=device,
    )


def bindings(namespace: dict[str, Any]) -> tuple[Binding, ...]:
    """Every array, module and pytree of arrays that the code left behind, by name."""
    found = []
    for name, value in namespace.items():
        if name.startswith("_") or name in PRELUDE or (callable(value) and not isinstance(value, eqx.Module)):
            continue
        if is_array(value):
            found.append(Binding(name, "array", shape_of(value), dtype_name(value), preview(value)))
            continue
        leaves = jax.tree.leaves(value)
        if (leaves and isinstance(value, list | tuple | dict | eqx.Module)) or is_pytree_node(value):
            shapes = jax.tree.map(lambda x: shape_of(x) if is_array(x) else type(x).__name__, value)
            kind = "module" if isinstance(value, eqx.Module) else "pytree"
            found.append(Binding(name, kind, None, None, preview(shapes), len(leaves)))
        elif isinstance(value, int | float | bool | complex | str):
            found.append(Binding(name, type(value).__name__, None, None, preview(value)))
    return tuple(found)


def is_pytree_node(value: Any) -> bool:
    return jax.tree_util.treedef_is_leaf(jax.tree.structure(value)) is False
