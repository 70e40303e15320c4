"""The command line imports neither jax nor textual, the engine starts a worker without importing
jax here, and the worker imports no deck models. (That the lower layers never import textual nor
jax, and the app never imports jax, is checked by tests/tui/test_layers.py.)

Each check runs in a fresh interpreter and looks at `sys.modules`, since this test process may
already hold jax from other tests.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jaxquiz.cli import main
from jaxquiz.engine import Task

HEAVY = ("jax", "jaxlib", "textual")

PROBE = """
import json, sys
{body}
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & {heavy})
print(json.dumps(loaded))
"""


def imported_after(body: str, tmp_path: Path, watched: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of the `watched` packages (jax, jaxlib and textual) are in sys.modules after `body`."""
    code = PROBE.format(body=textwrap.dedent(body), heavy=set(watched))
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"JAXQUIZ_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_probe_sees_jax_when_it_is_imported(tmp_path):
    # Proves the probe can fail: without this, an empty list would prove nothing.
    assert imported_after("import jax.numpy", tmp_path) == ["jax", "jaxlib"]
    assert "textual" in imported_after("import textual.app", tmp_path)


def test_importing_the_cli_imports_neither_jax_nor_textual(tmp_path):
    assert imported_after("import jaxquiz.cli", tmp_path) == []


def _run_cli(*args: str) -> str:
    return f"""
    sys.argv = ["jaxquiz", *{list(args)!r}]
    from jaxquiz.cli import run
    try:
        run()
    except SystemExit as exit:
        assert exit.code in (0, None), exit.code
    """


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("-h",)], ids=" ".join)
def test_help_and_version_import_neither_jax_nor_textual(tmp_path, args):
    assert imported_after(_run_cli(*args), tmp_path) == []


def test_every_subcommands_help_imports_neither_jax_nor_textual(tmp_path):
    body = "\n".join(
        f"""
    sys.argv = ["jaxquiz", {name!r}, "--help"]
    try:
        run()
    except SystemExit as exit:
        assert exit.code in (0, None), ({name!r}, exit.code)
    """
        for name in sorted(main.commands)
    )
    assert imported_after("from jaxquiz.cli import run\n" + textwrap.dedent(body), tmp_path) == []


def test_the_engine_starts_a_worker_without_importing_jax_here(tmp_path):
    body = """
    from jaxquiz.engine import Engine, Task
    with Engine(spare=False) as engine:
        verdict = engine.grade(Task("shape", "out = jnp.zeros((2, 3))"), "(2, 3)")
    assert verdict.correct, verdict
    """
    assert imported_after(body, tmp_path) == []


def test_the_worker_holds_jax_but_no_deck_models_nor_textual_nor_the_pool(engine):
    # Read in the real worker (forked from the fork server, which imported what workers share):
    # it reads plain dataclasses off the wire, so pydantic (and the YAML the decks come in) would
    # only slow its start and widen what question code can reach; textual is the UI's.
    watched = {"jax", "jaxlib", "jaxquiz", "pydantic", "yaml", "textual"}
    code = f"import sys\nout = sorted({{name.split('.')[0] for name in sys.modules}} & {watched!r})"
    outcome = engine.prepare(Task("value", code)).outcome
    assert outcome.status == "ok", outcome
    assert ast.literal_eval(outcome.preview) == ["jax", "jaxlib", "jaxquiz"]
    # Nor the app's side of the engine (the pool, its threads, how workers are started): the
    # package loads it on use, and the worker reads what it shares with the app from `protocol`.
    app_side = {"jaxquiz.engine.pool", "jaxquiz.engine.devices", "jaxquiz.engine.process"}
    code = f"import sys\nout = sorted(set(sys.modules) & {app_side!r})"
    outcome = engine.prepare(Task("value", code)).outcome
    assert (outcome.status, ast.literal_eval(outcome.preview)) == ("ok", []), outcome
