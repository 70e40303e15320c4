"""`jaxquiz check` shows the truth it found (`--json`, `--show-truth`) and warns when a
tolerance near zero hides a difference; the real command on the test process's warm engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from jaxquiz.cli import main
from jaxquiz.engine import Engine

TRUTHS = """\
format: 1
deck: truths
title: Truths
questions:
  - id: rows
    type: shape
    prompt: p
    params: {N: [2, 3]}
    code: out = jnp.zeros(($N, 4))
    expect: ($N, 4)
  - id: boom
    type: raises
    prompt: p
    code: jnp.zeros(3)[0] = 1
    expect: TypeError
  - id: a-card
    type: card
    prompt: p
    back: b
    code: out = jnp.arange(3)
"""

FLUSH = """\
format: 1
deck: flush
title: Flush to zero
questions:
  - id: subnormal
    type: value
    prompt: What is `out`?
    code: out = jnp.float32(0.0)
    expect: "0.0"
    options: ["0.0", "1e-45", "1.0"]
  - id: exact
    type: value
    prompt: What is `out`?
    code: out = jnp.float32(0.0)
    expect: "0.0"
    tolerance: {rtol: 0, atol: 0}
    options: ["0.0", "1e-45"]
"""


Check = Callable[..., Result]


@pytest.fixture
def check(engine: Engine) -> Check:
    """`jaxquiz check --trust -j 1 ARGS`, run here on the shared engine."""

    def run(*args: str | Path) -> Result:
        command = ["check", "--trust", "-j", "1", *map(str, args)]
        return CliRunner().invoke(main, command, obj=engine, catch_exceptions=False)

    return run


def test_check_json_holds_each_draws_truth_and_the_jax_version(tmp_path: Path, check: Check):
    import jax  # only to know which version the worker must report; the test process may import it

    path = tmp_path / "truths.yaml"
    path.write_text(TRUTHS)
    result = check("--json", path)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["jax"] == jax.__version__
    assert report["backend"] in ("cpu", "gpu", "tpu") and report["device"].startswith(report["backend"])
    rows = {row["question"]: row for row in report["questions"]}
    assert [(d["params"], d["shape"], d["dtype"]) for d in rows["rows"]["draws"]] == [
        ({"N": 2}, [2, 4], "float32"),
        ({"N": 3}, [3, 4], "float32"),
    ]
    assert "0." in rows["rows"]["draws"][0]["preview"]
    [raised] = rows["boom"]["draws"]
    assert raised["exception"] == "TypeError" and raised["error"] and raised["shape"] is None
    [card] = rows["a-card"]["draws"]
    assert card["shape"] == [3] and card["exception"] is None


def test_show_truth_prints_every_draw(tmp_path: Path, check: Check):
    path = tmp_path / "truths.yaml"
    path.write_text(TRUTHS)
    result = check("--show-truth", path)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "truth from JAX " in out
    assert "truths::rows" in out and "[N=3] shape (3, 4), dtype float32" in out
    assert "raised TypeError" in out


def test_check_warns_when_atol_hides_a_difference_near_zero(tmp_path: Path, check: Check):
    path = tmp_path / "flush.yaml"
    path.write_text(FLUSH)
    result = check(path)
    out = result.stdout
    assert f"WARNING {path}:5 flush::subnormal" in out, out
    assert "option '1e-45' is graded right only because of atol=1e-06" in out
    assert "set `tolerance: {atol: 0}`" in out
    assert out.count("WARNING") == 1  # not for `exact`, whose tolerance is 0
    rows = json.loads(check("--json", path).stdout)["questions"]
    assert rows[0]["warnings"] and not rows[1]["warnings"]
