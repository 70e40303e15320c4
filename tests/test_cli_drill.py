"""`jaxquiz drill`: the options become the drill's settings, and a typo in a deck id or tag is a
clear error before the app opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import jaxquiz.tui
from jaxquiz.cli import main
from jaxquiz.study.drills import DrillSettings


@pytest.fixture
def opened(monkeypatch) -> list[tuple]:
    """The arguments `jaxquiz.tui.run` was called with (the app itself is not opened)."""
    calls: list[tuple] = []
    monkeypatch.setattr(jaxquiz.tui, "run", lambda *args: calls.append(args))
    return calls


def test_the_options_become_the_drill_settings(opened, tmp_path):
    db = tmp_path / "progress.sqlite3"
    result = CliRunner().invoke(
        main,
        [
            *("--db", str(db), "drill", "--minutes", "2.5"),
            *("--deck", "vmap", "--deck", "jit", "--tag", "vmap", "--interview"),
        ],
    )
    assert result.exit_code == 0, result.output
    [(deck_paths, db_path, settings)] = opened
    assert (deck_paths, db_path) == ([], db)
    assert settings == DrillSettings(minutes=2.5, decks=("vmap", "jit"), tags=("vmap",), interview=True)


def test_a_plain_drill_has_the_default_count(opened):
    result = CliRunner().invoke(main, ["--deck", "extra", "drill", "--count", "5"])
    assert result.exit_code == 0, result.output
    [(deck_paths, _, settings)] = opened
    assert deck_paths == [Path("extra")] and settings == DrillSettings(count=5)
    assert DrillSettings().effective_count == 10


@pytest.mark.parametrize(
    ("args", "message", "fix"),
    [
        (["--deck", "vmapp"], "no deck with the id 'vmapp'", "use one of: "),
        (["--tag", "vmapp"], "no question has the tag 'vmapp'", "did you mean vmap"),
    ],
)
def test_an_unknown_deck_or_tag_is_an_error(opened, args, message, fix):
    result = CliRunner().invoke(main, ["drill", *args])
    assert result.exit_code == 2
    assert message in result.output and fix in result.output
    assert opened == []


@pytest.mark.parametrize("args", [["--count", "0"], ["--minutes", "0"], ["--minutes", "-1"]])
def test_a_drill_needs_a_positive_length(opened, args):
    result = CliRunner().invoke(main, ["drill", *args])
    assert result.exit_code == 2 and "Invalid value" in result.output
    assert opened == []


def test_the_mode_chooses_typed_or_options_first(opened):
    result = CliRunner().invoke(main, ["drill", "--mode", "choice"])
    assert result.exit_code == 0, result.output
    [(_, _, settings)] = opened
    assert settings.mode == "choice" and settings.answer_mode == "choice"
    assert DrillSettings().answer_mode == "recall"  # recall first by default
    assert DrillSettings(interview=True, mode="choice").answer_mode == "recall"  # always typed
