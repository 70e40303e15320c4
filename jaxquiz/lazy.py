"""Names of a package that load on first use (PEP 562), so that importing one light module of the
package does not import the heavy ones behind its other names.

A leaf like `paths` and `errors`: plain Python, imported by the deck layer and the worker alike.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def loader(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: each name in `where` comes from the submodule that
    `where` names, imported when the name is first read."""
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value  # found once: later lookups do not come here
        return value

    return __getattr__
