"""Deck files that are hostile or broken are parsed with limits, before anyone trusts them.

Each is a load problem of that one file (file, line, the fix): the other decks still load, and
neither the app nor `jaxquiz decks` crashes or hangs.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jaxquiz.decks import params
from jaxquiz.decks.loader import MAX_DECK_BYTES, load_deck_file, load_decks

GOOD = """\
format: 1
deck: good
title: A good deck
questions:
  - id: q
    type: shape
    prompt: Its shape?
    code: out = jnp.ones(3)
    expect: "(3,)"
"""

# 6 levels of ten aliases each: a million strings from a file of a few hundred bytes.
LAUGHS = (
    "format: 1\ndeck: lol\ntitle: lol\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True))
)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (GOOD.replace("A good deck", "A \x00 deck"), 3, "U+0000"),
        (GOOD.replace("ones(3)", "ones(3)\x07"), 8, "U+0007"),
        (GOOD.encode() + b"\x1b[2J", 10, "U+001B"),
        (LAUGHS, None, "expands to more than"),  # at whichever alias the budget runs out
        ("a: " + "[" * 5000 + "]" * 5000, 1, "nest"),  # libyaml has a limit; else ours
        ("? [a, b]\n: 1\n", 1, "a key must be a plain value"),
    ],
    ids=["nul", "bel", "escape", "billion-laughs", "deep", "complex-key"],
)
def test_a_hostile_file_is_a_problem_of_that_file_only(tmp_path, data, line, words):
    write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", data)
    start = time.perf_counter()
    result = load_decks([(tmp_path, "user")])
    assert time.perf_counter() - start < 5
    assert [d.id for d in result.decks] == ["good"]
    (problem,) = result.problems
    assert problem.path == bad
    assert words in problem.rule
    assert problem.line == line or line is None
    assert problem.fix


def test_the_billion_laughs_stay_small(tmp_path):
    assert len(LAUGHS) < 700
    (problem,) = load_decks([(write(tmp_path, "lol.yaml", LAUGHS), "path")]).problems
    assert "`*alias` references" in problem.fix


def test_a_file_too_large_is_not_read_in_full(tmp_path):
    path = write(tmp_path, "huge.yaml", GOOD + "#" * MAX_DECK_BYTES)
    (problem,) = load_decks([(path, "path")]).problems
    assert "larger than" in problem.rule


def test_a_broken_file_of_one_long_line_is_read_in_linear_time(tmp_path):
    """The search for an unclosed quote above a syntax error reads each line once: a line of a
    million list dashes took minutes when it backtracked."""
    dashes = "- " * ((MAX_DECK_BYTES - 200) // 2)
    path = write(
        tmp_path, "dashes.yaml", f'format: 1\nquestions:\n  - id: a\n    prompt: "x\n{dashes}\n  b: [\n'
    )
    start = time.process_time()
    (problem,) = load_decks([(path, "path")]).problems
    assert time.process_time() - start < 5  # about 0.3 s; quadratic, 2 MiB took minutes
    assert (problem.line, problem.column) == (4, 13) and "the quote opened here" in problem.rule


def test_the_cli_lists_good_decks_and_reports_bad_ones_without_a_traceback(tmp_path, data_dir):
    write(tmp_path / "mine", "good.yaml", GOOD)
    write(tmp_path / "mine", "bell.yaml", GOOD.replace("good", "bell").replace("ones(3)", "ones(3)\x07"))
    write(tmp_path / "mine", "lol.yaml", LAUGHS)
    done = subprocess.run(
        [sys.executable, "-m", "jaxquiz", "decks", str(tmp_path / "mine")],
        capture_output=True,
        text=True,
        timeout=120,
        env={"JAXQUIZ_DATA_DIR": str(data_dir), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in done.stderr
    assert "good" in done.stdout
    assert "bell.yaml:8:" in done.stderr and "U+0007" in done.stderr
    assert "lol.yaml:" in done.stderr and "expands to more than" in done.stderr


def test_a_range_of_a_billion_is_drawn_from_without_building_it(tmp_path):
    path = write(
        tmp_path,
        "big.yaml",
        GOOD.replace(
            "code: out = jnp.ones(3)", "code: out = jnp.ones($N)\n    params: {N: {range: [1, 1000000000]}}"
        ),
    )
    question = load_deck_file(path).deck.questions[0]
    start = time.perf_counter()
    drawn = params.draw(question, random.Random(0))["N"]
    checked = params.checked_draws("good", question)
    assert time.perf_counter() - start < 1
    assert 1 <= drawn <= 10**9
    assert len(checked) == params.MAX_CHECKED_DRAWS
    assert len(question.param_values()["N"]) == 10**9


def test_the_app_still_offers_every_other_deck_when_one_of_yours_is_hostile(data_dir):
    from jaxquiz import paths
    from jaxquiz.study.library import open_library

    write(paths.user_decks_dir(), "bell.yaml", GOOD.replace("ones(3)", "ones(3)\x07"))
    write(paths.user_decks_dir(), "lol.yaml", LAUGHS)
    opened = open_library()
    assert len(opened.result.decks) >= 5  # the bundled decks
    assert sorted(p.path.name for p in opened.result.problems) == ["bell.yaml", "lol.yaml"]
