"""The CLI's trust gate, one test per path: bundled, refused without a terminal, --trust, asked on a
terminal (yes and no), trusted file, changed file, trusted folder, and the `trust` command.

The decks hold a choice question, which `jaxquiz grade` answers without starting JAX, so these run
the real commands in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from jaxquiz import cli, paths
from jaxquiz.decks import discover
from jaxquiz.decks.models import ChoiceQuestion
from jaxquiz.trust import TrustStore


def invoke(*args: str, tty: bool = False, answer: str | None = None, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr(cli, "_interactive", lambda: tty)
    return CliRunner().invoke(cli.main, list(args), input=answer)


def grade_pick(deck: Path, *extra: str, **kw):
    return invoke("grade", str(deck), "pick", "0", *extra, **kw)


def test_bundled_decks_run_without_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded, question = next(
        (d, q) for d in discover(user=False).decks for q in d.deck.questions if isinstance(q, ChoiceQuestion)
    )
    result = invoke("grade", loaded.id, question.id, str(question.correct[0]), monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "right" in result.output
    assert not paths.trust_path().exists()


def test_an_untrusted_deck_is_refused_without_a_terminal(write_deck, monkeypatch: pytest.MonkeyPatch) -> None:
    deck = write_deck()
    result = grade_pick(deck, monkeypatch=monkeypatch)
    assert result.exit_code == cli.EXIT_BAD_INPUT
    assert f"{deck} is not trusted yet" in result.output
    assert f"jaxquiz trust {deck}" in result.output
    assert "right" not in result.output


def test_trust_flag_runs_it_once_without_recording(write_deck, monkeypatch: pytest.MonkeyPatch) -> None:
    deck = write_deck()
    result = grade_pick(deck, "--trust", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert not TrustStore.load().is_trusted(deck)


def test_on_a_terminal_it_shows_the_deck_asks_and_remembers_a_yes(
    write_deck, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck = write_deck()
    result = grade_pick(deck, tty=True, answer="y\n", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "Which transformation compiles?" in result.output, "the file is shown before the question"
    assert f"Run the code of {deck}?" in result.output
    assert TrustStore.load().is_trusted(deck)
    # Agreed once: no terminal needed any more.
    assert grade_pick(deck, monkeypatch=monkeypatch).exit_code == 0


def test_on_a_terminal_a_no_refuses_and_records_nothing(write_deck, monkeypatch: pytest.MonkeyPatch) -> None:
    deck = write_deck()
    result = grade_pick(deck, tty=True, answer="n\n", monkeypatch=monkeypatch)
    assert result.exit_code == cli.EXIT_BAD_INPUT
    assert "you did not agree" in result.output
    assert not TrustStore.load().is_trusted(deck)


def test_trust_command_then_a_change_asks_again(write_deck, monkeypatch: pytest.MonkeyPatch) -> None:
    deck = write_deck()
    recorded = invoke("trust", str(deck), monkeypatch=monkeypatch)
    assert recorded.exit_code == 0 and "trusted" in recorded.output
    assert grade_pick(deck, monkeypatch=monkeypatch).exit_code == 0

    deck.write_text(deck.read_text().replace("jax.vmap", "jax.grad"))
    refused = grade_pick(deck, monkeypatch=monkeypatch)
    assert refused.exit_code == cli.EXIT_BAD_INPUT
    assert "changed since you agreed" in refused.output

    asked = grade_pick(deck, tty=True, answer="y\n", monkeypatch=monkeypatch)
    assert asked.exit_code == 0 and "changed since you agreed" in asked.output
    assert "jax.grad" in asked.output, "the new content is what is shown"


def test_decks_in_a_trusted_folder_never_ask(
    write_deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    assert invoke("trust", "--folder", str(mine), monkeypatch=monkeypatch).exit_code == 0
    deck = write_deck("new.yaml", folder=mine)
    deck.write_text(deck.read_text() + "# edited\n")
    assert grade_pick(deck, monkeypatch=monkeypatch).exit_code == 0


def test_user_decks_found_by_id_are_gated_too(
    write_deck, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_deck("theirs.yaml", folder=paths.user_decks_dir())
    result = invoke("grade", "theirs", "pick", "0", monkeypatch=monkeypatch)
    assert result.exit_code == cli.EXIT_BAD_INPUT
    assert "not trusted yet" in result.output


def test_check_refuses_an_untrusted_deck_before_running_anything(
    write_deck, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck = write_deck()
    result = invoke("check", str(deck), monkeypatch=monkeypatch)
    assert result.exit_code == cli.EXIT_BAD_INPUT
    assert "not trusted yet" in result.output
    assert "passed" not in result.output


def test_trust_command_lists_forgets_and_explains_mistakes(
    write_deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck = write_deck()
    folder = tmp_path / "decks"
    invoke("trust", str(deck), monkeypatch=monkeypatch)
    listing = invoke("trust", "--list", monkeypatch=monkeypatch)
    assert str(deck.resolve()) in listing.output

    as_folder = invoke("trust", str(folder), monkeypatch=monkeypatch)
    assert as_folder.exit_code == cli.EXIT_BAD_INPUT and "--folder" in as_folder.output
    missing = invoke("trust", str(tmp_path / "nope.yaml"), monkeypatch=monkeypatch)
    assert missing.exit_code == cli.EXIT_BAD_INPUT and "no such deck file" in missing.output

    forgot = invoke("trust", "--forget", str(deck), monkeypatch=monkeypatch)
    assert forgot.exit_code == 0 and "forgot" in forgot.output
    assert not TrustStore.load().is_trusted(deck)


def test_trust_command_refuses_a_file_that_is_not_a_deck_and_trusts_nothing(
    write_deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping: [eggs\n")
    good = write_deck().read_text()
    broken = write_deck("broken.yaml", text=good.replace("prompt:", "promt:"))
    for path, where in [(notes, f"{notes}:2:1: YAML syntax error"), (broken, f"{broken}:")]:
        result = invoke("trust", str(path), monkeypatch=monkeypatch)
        assert result.exit_code == cli.EXIT_BAD_INPUT, result.output
        assert f"error: not a deck that loads: {where}" in result.output
        assert f"then trust it (`jaxquiz check {path}` lists every problem)" in result.output
        assert not TrustStore.load().is_trusted(path)
    assert not paths.trust_path().exists()


@pytest.mark.parametrize("command", ["trust", "new", "export", "check", "grade"])
def test_help(command: str) -> None:
    result = CliRunner().invoke(cli.main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
