"""The `devices` key: a question runs where `jax.devices()` holds that many devices.

Real workers throughout: pools of 2 and 4 virtual CPU devices beside the default one (in the
test process's shared engine, where they stay warm), the real `jaxquiz grade` and `jaxquiz check`
commands, and the real deck loader.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from jaxquiz.cli import main
from jaxquiz.decks import DeckLoadError, instantiate
from jaxquiz.decks.loader import load_deck_text
from jaxquiz.engine import Engine, Task
from jaxquiz.engine.tasks import task_of

DECK = """\
format: 1
deck: mesh-deck
title: Questions on several devices
devices: 4
questions:
  - id: count
    type: value
    prompt: How many devices?
    code: out = len(jax.devices())
    expect: 4
  - id: two
    type: value
    prompt: How many devices?
    devices: 2
    code: out = len(jax.devices())
    expect: 2
  - id: shard
    type: shape
    prompt: The shape of one shard?
    code: |
      mesh = jax.make_mesh((4,), ("x",))
      x = jax.device_put(jnp.zeros((8, 3)), jax.NamedSharding(mesh, jax.P("x")))
      out = x.addressable_shards[0].data
    expect: (2, 3)
"""

PLAIN = """\
format: 1
deck: plain-deck
title: A question without the key
questions:
  - id: count
    type: value
    prompt: How many devices?
    code: out = len(jax.devices())
    expect: 1
"""


def load(text: str, name: str = "deck.yaml"):
    return load_deck_text(textwrap.dedent(text), Path(name)).deck


def deck_task(deck, question_id: str) -> Task:
    return task_of(instantiate(deck.question(question_id), {}), deck.setup)


# --- the deck format ------------------------------------------------------------------------


def test_the_deck_default_fills_questions_that_do_not_set_their_own():
    deck = load(DECK)
    assert [q.devices for q in deck.questions] == [4, 2, 4]
    assert load(PLAIN).questions[0].devices is None


@pytest.mark.parametrize("value", ["0", "9", '"x"', "2.5"])
@pytest.mark.parametrize("where", ["deck", "question"])
def test_a_bad_devices_value_is_a_clear_load_error(value, where):
    if where == "deck":
        text = DECK.replace("devices: 4", f"devices: {value}")
        line, question = 4, None
    else:
        text = DECK.replace("    devices: 2", f"    devices: {value}")
        line, question = 14, "two"
    with pytest.raises(DeckLoadError) as caught:
        load(text, "mesh.yaml")
    [problem] = caught.value.problems
    assert (problem.path.name, problem.line, problem.question) == ("mesh.yaml", line, question)
    assert "whole number of devices from 1 to 8" in problem.rule
    assert "devices: 8" in problem.fix


# --- the engine -----------------------------------------------------------------------------

# The tests that start pools of several devices run in one test process (with the app's research
# deck test), where the shared engine keeps those pools warm: each pool is a worker and a spare.
ON_DEVICES = pytest.mark.xdist_group("devices")


@ON_DEVICES
def test_a_devices_question_sees_that_many_devices_and_says_so(engine):
    deck = load(DECK)
    task = deck_task(deck, "count")
    assert task.devices == 4
    verdict = engine.grade(task, "4", engine.prepare(task))
    assert verdict.correct, verdict
    assert verdict.device == "4 virtual CPU devices"
    assert not engine.grade(task, "1").correct


@ON_DEVICES
def test_shards_are_cut_across_the_virtual_devices(engine):
    deck = load(DECK)
    task = deck_task(deck, "shard")
    verdict = engine.grade(task, "(2, 3)")
    assert verdict.correct, verdict
    assert verdict.truth.shape == (2, 3)


def test_a_question_without_the_key_runs_on_the_default_device_as_before(engine):
    task = deck_task(load(PLAIN), "count")
    assert task.devices is None
    verdict = engine.grade(task, "1")
    assert verdict.correct, verdict
    assert verdict.device == "cpu"


def test_one_device_is_one_where_the_machine_s_default_holds_several(shared_compile_cache, monkeypatch):
    monkeypatch.setenv("XLA_FLAGS", "--xla_force_host_platform_device_count=3")  # as a 3-GPU machine
    one = Task("value", "out = len(jax.devices())", devices=1)
    with Engine(spare=False, compile_cache=shared_compile_cache) as several:
        assert several.grade(Task("value", "out = len(jax.devices())"), "3").correct
        verdict = several.grade(one, "1")
    assert verdict.correct and verdict.device == "cpu", verdict


@ON_DEVICES
def test_each_device_count_has_its_own_warm_pool(engine):
    deck = load(DECK)
    assert engine.grade(deck_task(deck, "two"), "2").device == "2 virtual CPU devices"
    # try-it runs edited code on the question's devices too
    exploration = engine.explore("n = len(jax.devices())", answer="n", devices=4)
    assert exploration.answer is not None and exploration.answer.preview.startswith("4")
    # both stay warm: asserted after this test's own requests, whichever tests ran before it
    assert set(engine.running) >= {2, 4}


# --- the command line -----------------------------------------------------------------------


def run_cli(engine: Engine, *args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], obj=engine, catch_exceptions=False)


@ON_DEVICES
def test_jaxquiz_grade_runs_a_devices_question_on_its_devices(tmp_path, engine):
    deck = tmp_path / "mesh.yaml"
    deck.write_text(DECK)
    result = run_cli(engine, "grade", "--trust", deck, "shard", "(2, 3)", "--json")
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["correct"] is True
    assert verdict["truth"]["device"] == "4 virtual CPU devices"


@ON_DEVICES
def test_jaxquiz_check_audits_devices_questions(tmp_path, engine):
    deck = tmp_path / "mesh.yaml"
    deck.write_text(DECK.replace("expect: 2\n", "expect: 1\n"))
    result = run_cli(engine, "check", "--trust", deck)
    assert result.exit_code == 1, result.output
    assert "mesh-deck::two" in result.stdout
    assert "2 passed" in result.stdout and "1 failed" in result.stdout
