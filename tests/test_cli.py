"""The command line as a user runs it: help texts, `check`, `grade`, `schema` and `--version`.

Most commands run in this process through click's test runner, on the test process's warm engine
(starting a Python that imports the CLI and a worker that imports jax for each would be most of
the suite's time); what they print and their exit status are the same. A few run as a real
`python -m jaxquiz` process with its own worker: the entry point, its conversion of library
errors into a message and exit status 2, and one verdict from start to exit status.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from jaxquiz import __version__, cli, paths
from jaxquiz.cli import main
from jaxquiz.decks import load_deck_file
from jaxquiz.decks.models import Deck
from jaxquiz.engine import Engine

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "decks"
EVERY_TYPE = FIXTURES / "every-type.yaml"

WRONG_DECK = """\
format: 1
deck: wrong-deck
title: A deck with a wrong expect
questions:
  - id: fine
    type: dtype
    prompt: dtype?
    code: out = jnp.zeros(2)
    expect: float32
  - id: bad-shape
    type: shape
    prompt: shape?
    code: out = jnp.zeros((3, 2))
    expect: (3, 3)
"""

BROKEN_DECK = """\
format: 1
deck: broken-deck
title: A deck that does not load
questions:
  - id: typo
    type: card
    prompt: Front
    back: Back
    colour: red
"""

FAILING_DECK = """\
format: 1
deck: failing-deck
title: A question whose own code fails
questions:
  - id: boom
    type: value
    prompt: What is `out`?
    code: out = undefined_name + 1
    expect: "1"
  - id: endless
    type: value
    prompt: What is `out`?
    code: |
      while True:
          pass
    timeout: 0.3
    expect: "1"
  - id: fine
    type: value
    prompt: What is `out`?
    code: out = jnp.arange(3)
    expect: "[0, 1, 2]"
"""


@dataclass
class Ran:
    """What a command printed, and its exit status."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def jaxquiz(engine: Engine):
    """Run `jaxquiz ARGS` here, on the shared warm engine (the data dir is the test's own: the
    `data_dir` fixture). An exception that escapes the command fails the test."""

    def run(*args: str | Path, stdin: str | None = None) -> Ran:
        result = CliRunner().invoke(
            main, [str(a) for a in args], input=stdin, obj=engine, catch_exceptions=False
        )
        return Ran(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def jaxquiz_process(data_dir: Path):
    """Run `python -m jaxquiz ARGS` with the test's data dir; returns the completed process."""

    def run(
        *args: str | Path, timeout: float = 240, env: dict[str, str] | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        base = {
            "JAXQUIZ_DATA_DIR": str(data_dir),
            "NO_COLOR": "1",
            "PATH": "/usr/bin:/bin",
            # the run's caches (tests/conftest.py): what another test parsed or compiled is reused
            paths.CACHE_DIR_ENV: os.environ[paths.CACHE_DIR_ENV],
            paths.COMPILE_CACHE_ENV: os.environ[paths.COMPILE_CACHE_ENV],
        }
        stdin_args: dict = {"stdin": subprocess.DEVNULL} if stdin is None else {"input": stdin}
        return subprocess.run(
            [sys.executable, "-m", "jaxquiz", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**base, **(env or {})},
            **stdin_args,
        )

    return run


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def line_of(path: Path, marker: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if marker in line)


# --- help, version, schema --------------------------------------------------------------------


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("command", _commands(main), ids=lambda c: " ".join(c) or "jaxquiz")
def test_every_command_has_help_text(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    target = main
    for name in command:
        target = target.commands[name]  # type: ignore[attr-defined]
    words = (target.help or "").split()
    assert len(words) >= 3, f"`jaxquiz {' '.join(command)}` needs a help text"
    assert " ".join(words[:4]) in " ".join(result.output.split())


def test_the_main_commands_exist():
    assert {"check", "grade", "schema"} <= set(main.commands)


def test_short_help_option():
    assert CliRunner().invoke(main, ["-h"]).exit_code == 0


def test_version(jaxquiz_process):
    result = jaxquiz_process("--version")
    assert result.returncode == 0
    version, sandbox = result.stdout.strip().splitlines()
    assert version == f"jaxquiz, version {__version__}"
    assert sandbox.startswith("sandbox: ")


def test_schema_prints_the_json_schema_of_the_models():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema == Deck.model_json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")


# --- check ------------------------------------------------------------------------------------


def test_check_passes_a_good_deck(jaxquiz):
    questions = len(load_deck_file(EVERY_TYPE).deck.questions)
    result = jaxquiz("check", "--trust", "-j", "2", EVERY_TYPE)
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(rf"{questions} passed \(\d+ draws\) in \d+\.\ds", last), last
    assert "FAILED" not in result.stdout and "ERROR" not in result.stdout


def test_check_reports_a_wrong_expect_a_broken_deck_and_a_missing_path(jaxquiz, tmp_path):
    wrong = write(tmp_path, "wrong.yaml", WRONG_DECK)
    broken = write(tmp_path, "broken.yaml", BROKEN_DECK)
    missing = tmp_path / "nowhere.yaml"
    result = jaxquiz("check", "--trust", "-j", "1", wrong, broken, missing)
    assert result.returncode == 1
    out = result.stdout
    assert f"FAILED {wrong}:{line_of(wrong, 'id: bad-shape')} wrong-deck::bad-shape" in out
    assert "expect '(3, 3)' is graded wrong: axis 1: you said 3, it is 2" in out
    assert "wrong-deck::fine" not in out
    colour = line_of(broken, "colour:")
    assert f"ERROR {broken}:{colour}:5" in out
    assert "unknown key `colour`" in out and "fix: check the spelling" in out
    assert f"ERROR {missing}:1:1" in out and "no such file or folder" in out
    assert "Traceback" not in out + result.stderr
    assert re.fullmatch(r"1 passed, 1 failed, 2 errors \(2 draws\) in \d+\.\ds", out.strip().splitlines()[-1])


def test_check_json_has_one_object_per_question(jaxquiz, tmp_path):
    wrong = write(tmp_path, "wrong.yaml", WRONG_DECK)
    broken = write(tmp_path, "broken.yaml", BROKEN_DECK)
    result = jaxquiz("check", "--trust", "--json", "-j", "1", wrong, broken)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["jax"] and report["backend"]
    rows = report["questions"]
    assert all(set(row) == {"deck", "question", "ok", "message", "warnings", "draws"} for row in rows)
    assert all(isinstance(row["ok"], bool) and isinstance(row["message"], str) for row in rows)
    by_question = {row["question"]: row for row in rows}
    assert by_question["fine"] | {"draws": None} == {
        "deck": "wrong-deck",
        "question": "fine",
        "ok": True,
        "message": "",
        "warnings": [],
        "draws": None,
    }
    assert by_question["bad-shape"]["deck"] == "wrong-deck"
    assert by_question["bad-shape"]["ok"] is False
    assert "expect '(3, 3)' is graded wrong" in by_question["bad-shape"]["message"]
    assert by_question["typo"]["ok"] is False
    assert f"{broken}:{line_of(broken, 'colour:')}" in by_question["typo"]["message"]


def test_check_fails_when_no_jax_worker_can_start(jaxquiz_process):
    # A memory limit too small to start jax: nothing can be audited, so nothing may pass.
    result = jaxquiz_process("check", "--trust", EVERY_TYPE, env={"JAXQUIZ_MEMORY_LIMIT_MB": "1"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: the JAX worker could not start" in result.stderr
    # A worker forked with jax imported says that it holds more than the limit already; one
    # started anew runs out while importing jax: a MemoryError, or an OSError (ENOMEM).
    reasons = ("more than its memory limit of 1 MiB", "MemoryError", "Cannot allocate memory")
    assert any(why in result.stderr for why in reasons), result.stderr
    assert "fix: " in result.stderr and "JAXQUIZ_MEMORY_LIMIT_MB" in result.stderr
    assert "passed" not in result.stdout


def test_check_of_a_folder_without_decks_fails(jaxquiz, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = jaxquiz("check", "--trust", empty)
    assert result.returncode == 1
    assert result.stdout.strip().splitlines()[-1].startswith("no questions found")


# --- grade ------------------------------------------------------------------------------------


def test_grade_right_exits_0_and_keeps_what_it_compiled_for_the_next(jaxquiz_process, data_dir):
    result = jaxquiz_process(
        "grade",
        "--trust",
        EVERY_TYPE,
        "shape-param",
        "(5, 2)",
        "--param",
        "N=5",
        env={paths.CACHE_DIR_ENV: "", paths.COMPILE_CACHE_ENV: ""},  # unset: the data dir's caches
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "right"
    assert any(re.fullmatch(r"\s*params: N=5", line) for line in lines)
    assert any(re.fullmatch(r"\s*you said: \(5, 2\)", line) for line in lines)
    assert any((data_dir / "cache" / "xla").iterdir())


def test_grade_wrong_exits_1_and_prints_json(jaxquiz):
    result = jaxquiz("grade", "--trust", EVERY_TYPE, "shape-param", "(4, 2)", "--param", "N=5", "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["params"] == {"N": 5}
    assert verdict["status"] == "graded"
    assert verdict["correct"] is False
    assert verdict["understood"] == "(4, 2)"
    assert verdict["difference"] == "axis 0: you said 4, it is 5"
    assert verdict["truth"]["shape"] == [5, 2]
    assert verdict["truth"]["device"]


def test_grade_a_question_whose_code_fails_exits_2(jaxquiz, tmp_path):
    deck = write(tmp_path, "failing.yaml", FAILING_DECK)
    result = jaxquiz("grade", "--trust", deck, "boom", "1")
    assert result.returncode == 2
    assert result.stdout.splitlines()[0] == "question-error"
    assert "NameError" in result.stdout


def test_grade_a_question_whose_code_times_out_exits_2(jaxquiz, tmp_path):
    deck = write(tmp_path, "failing.yaml", FAILING_DECK)
    result = jaxquiz("grade", "--trust", deck, "endless", "1", "--json")
    assert result.returncode == 2, result.stdout + result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["status"] == "question-error"
    assert verdict["truth"]["status"] == "timeout"
    assert "the question's own code did not run to the end (timed out" in verdict["error"]


def test_grade_an_answer_that_crashes_the_worker_is_wrong_and_keeps_the_truth(jaxquiz, tmp_path):
    deck = write(tmp_path, "failing.yaml", FAILING_DECK)
    answer = "__import__('os')._exit(3)"
    result = jaxquiz("grade", "--trust", deck, "fine", answer, "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["status"] == "crashed"
    assert "exited with status 3" in verdict["error"]
    assert verdict["truth"]["status"] == "ok"
    assert verdict["truth"]["shape"] == [3]


MULTI_CHOICE_DECK = """\
format: 1
deck: multi
title: Several right options
questions:
  - id: pure
    type: choice
    prompt: Which of these are pure functions?
    options: [jnp.cos, print, jnp.sin]
    correct: [0, 2]
"""


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("no-such-deck", "q", "1"), "no deck file or deck id 'no-such-deck'"),
        ((EVERY_TYPE, "no-such-question", "1"), "deck 'every-type' has no question 'no-such-question'"),
        ((EVERY_TYPE, "shape-param", "(5, 2)", "--param", "N5"), "--param 'N5' has no '='"),
        ((EVERY_TYPE, "shape-param", "(5, 2)", "--param", "M=5"), "the question has no parameter 'M'"),
        ((EVERY_TYPE, "card-plain", "x"), "'card-plain' is a card"),
    ],
)
def test_grade_bad_input_exits_2_with_a_message_and_a_fix(jaxquiz, args, words):
    result = jaxquiz("grade", "--trust", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"error: {words}" in result.stderr
    assert "fix: " in result.stderr
    assert "Traceback" not in result.stderr


def test_grade_a_broken_deck_exits_2_and_names_the_problem(jaxquiz_process, tmp_path):
    broken = write(tmp_path, "broken.yaml", BROKEN_DECK)
    result = jaxquiz_process("grade", "--trust", broken, "typo", "x")
    assert result.returncode == 2
    assert f"{broken}:{line_of(broken, 'colour:')}:5 [typo]: unknown key `colour`" in result.stderr
    assert "fix: check the spelling" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("answer", "status", "label"), [("0", 0, "right"), ("1", 1, "wrong")])
def test_grade_a_choice_by_index(jaxquiz, answer, status, label):
    result = jaxquiz("grade", "--trust", EVERY_TYPE, "choice-pure", answer)
    assert result.returncode == status
    assert result.stdout.splitlines()[0] == label


def test_grade_an_unreadable_answer_exits_3_not_1(jaxquiz):
    result = jaxquiz("grade", "--trust", EVERY_TYPE, "choice-pure", "7")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "cannot read '7': it is not one of the options" in result.stdout


def test_grade_a_choice_with_several_right_options_wants_exactly_those(jaxquiz, tmp_path):
    deck = write(tmp_path, "multi.yaml", MULTI_CHOICE_DECK)
    assert jaxquiz("grade", "--trust", deck, "pure", "0, 2").returncode == 0
    partial = jaxquiz("grade", "--trust", deck, "pure", "0")
    assert partial.returncode == 1
    assert "not picked: jnp.sin" in partial.stdout
    assert jaxquiz("grade", "--trust", deck, "pure", "0,1,2").returncode == 1


def test_grade_finds_a_user_deck_by_its_id(jaxquiz, data_dir):
    decks = data_dir / "decks"
    decks.mkdir(parents=True)
    (decks / "mine.yaml").write_text(EVERY_TYPE.read_text())
    result = jaxquiz("grade", "--trust", "every-type", "choice-pure", "lambda x: x + 1", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == {"correct": True, "answer": "lambda x: x + 1"}


TWO_RIGHT_DECK = """\
format: 1
deck: two-right
title: Two right options
questions:
  - id: cube-slope
    type: value
    prompt: p
    params: {X: [2, 4]}
    code: "out = jax.grad(lambda x: x ** 3)($X.0)"
    expect: 3 * $X ** 2
    options: ["3 * $X ** 2", "6 * $X", "$X ** 2"]
"""


def test_check_names_the_draw_and_the_options_that_are_both_right(jaxquiz, tmp_path):
    deck = write(tmp_path, "two-right.yaml", TWO_RIGHT_DECK)
    result = jaxquiz("check", "--trust", "-j", "1", deck)
    assert result.returncode == 1
    out = result.stdout
    assert f"FAILED {deck}:{line_of(deck, 'id: cube-slope')} two-right::cube-slope" in out
    # 3·X² equals 6·X at X=2 only: the draw, the two options and the fix are named
    assert "[X=2] 2 options are right ('3 * 2 ** 2', '6 * 2'): exactly one must be." in out
    assert "Fix: change the parameters or the option" in out
    assert "[X=4]" not in out


# --- a puzzle's answer is several lines -------------------------------------------------------------

PUZZLE_ANSWER = (
    'def scale(params, key, x, k):\n    return k * x * params["w"][:, None] + params["inner"]["b"]\n'
)


def test_grade_reads_a_puzzle_answer_from_stdin(jaxquiz):
    result = jaxquiz("grade", "--trust", EVERY_TYPE, "puzzle-scale", "-", stdin=PUZZLE_ANSWER)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "right"
    assert "passed 4 draws of 2 sizes, each directly and under jit, vmap and grad" in result.stdout


def test_grade_reads_a_puzzle_answer_from_a_file_and_shows_where_it_fails(jaxquiz, tmp_path):
    answer = write(
        tmp_path, "answer.py", 'def scale(params, key, x, k):\n    return params["w"][:, None] * x\n'
    )
    result = jaxquiz("grade", "--trust", EVERY_TYPE, "puzzle-scale", "--file", answer)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "wrong"
    assert lines[1] == "difference: calling scale(params, key, x, k) directly, with"
    assert any(line.strip().startswith("x = float32(1, 2) [[") for line in lines)


@pytest.mark.parametrize(
    ("question", "answer", "why"),
    [
        ("puzzle-scale", "def scale(params, key, x, k)\n    return x\n", "your code is not valid Python: "),
        ("fill-shape", "(3, 2", "with your answer in the blank the code is not valid Python"),
    ],
)
def test_grade_code_that_is_not_python_is_an_answer_not_read_and_runs_nothing(
    jaxquiz, monkeypatch, question, answer, why
):
    def no_engine():
        raise AssertionError("nothing is to run for an answer that does not parse")

    monkeypatch.setattr(cli, "_engine", no_engine)
    result = jaxquiz("grade", "--trust", EVERY_TYPE, question, "-", stdin=answer)
    assert result.returncode == cli.EXIT_UNREADABLE, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "cannot read the answer"
    assert any(why in line for line in lines), lines


def test_grade_without_an_answer_says_how_to_give_one(jaxquiz):
    result = jaxquiz("grade", "--trust", EVERY_TYPE, "puzzle-scale")
    assert result.returncode == 2
    assert "no ANSWER given" in result.stderr and "--file F" in result.stderr
