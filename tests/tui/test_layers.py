"""The layers point down: the UI process never imports jax, and decks/store/study/engine never import
textual. Each check runs in a fresh interpreter and reads its `sys.modules`. (That the worker holds
no textual is read in the worker itself: tests/test_import_hygiene.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Every module of these packages (and these modules) is imported by the check below.
LOWER = (
    "jaxquiz.decks",
    "jaxquiz.store",
    "jaxquiz.study",
    "jaxquiz.engine",
    "jaxquiz.audit",
    "jaxquiz.paths",
)

PROBE_FOOTER = """
import json, sys
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & {"jax", "jaxlib", "textual"})))
"""


def loaded_after(body: str, tmp_path: Path) -> list[str]:
    """Which of jax, jaxlib and textual a fresh interpreter holds after running `body`."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(body) + PROBE_FOOTER],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env={"JAXQUIZ_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_probe_can_see_what_it_looks_for(tmp_path):
    assert loaded_after("import textual.app", tmp_path) == ["textual"]


def test_building_and_running_the_app_never_imports_jax(tmp_path):
    loaded = loaded_after(
        """
        import asyncio
        from datetime import UTC, datetime

        from jaxquiz.decks import discover
        from jaxquiz.engine import Engine
        from jaxquiz.store import Store
        import jaxquiz.tui
        from jaxquiz.tui import make_app

        engine = Engine(spare=False)
        app = make_app(engine, Store.open(":memory:"), lambda: datetime(2025, 1, 1, tzinfo=UTC),
                       discover(), on_exit=engine.close)

        async def main():
            async with app.run_test() as pilot:
                await pilot.press("enter")  # into a quiz: the question is prepared by the worker
                await pilot.pause(0.5)

        asyncio.run(main())
        engine.close()
        """,
        tmp_path,
    )
    assert "textual" in loaded  # the probe ran the app
    assert "jax" not in loaded and "jaxlib" not in loaded


def test_the_lower_layers_never_import_textual_nor_jax(tmp_path):
    loaded = loaded_after(
        f"""
        import importlib, pkgutil
        for name in {LOWER!r}:
            package = importlib.import_module(name)
            for module in pkgutil.walk_packages(getattr(package, "__path__", []), name + "."):
                # the worker is the one module that imports jax (in its own process)
                if ".worker" not in module.name and not module.name.endswith("__main__"):
                    importlib.import_module(module.name)
        """,
        tmp_path,
    )
    assert loaded == []
