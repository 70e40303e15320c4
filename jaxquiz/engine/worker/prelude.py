"""What every question's code finds already imported, and the modules the state guard restores."""

from __future__ import annotations

import builtins
from functools import partial
from types import ModuleType
from typing import Any

import einops
import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
from einops import rearrange, reduce, repeat
from jax import lax

PRELUDE: dict[str, Any] = {
    "jax": jax,
    "jnp": jnp,
    "jr": jr,
    "lax": lax,
    "np": np,
    "eqx": eqx,
    "einops": einops,
    "rearrange": rearrange,
    "reduce": reduce,
    "repeat": repeat,
    "partial": partial,
}

# Modules whose attributes code may monkeypatch: the prelude's, and those reached through them
# that questions use. They are put back after every run.
GUARDED_MODULES: tuple[ModuleType, ...] = (
    builtins,  # first: everything after it calls len() and friends
    *(value for value in PRELUDE.values() if isinstance(value, ModuleType)),
    np.random,
    jax.nn,
    jax.tree,
    jax.tree_util,
)
