"""The README's promises: its first two commands (CI runs the second), and its example deck is a valid,
right deck."""

from __future__ import annotations

import re
from pathlib import Path

from jaxquiz.audit import QuestionReport, audit_question
from jaxquiz.decks.loader import load_deck_text
from jaxquiz.engine import Engine

README = Path(__file__).resolve().parents[1] / "README.md"
CI = Path(__file__).resolve().parents[1] / ".ci" / "run"


def test_the_readme_starts_with_the_install_and_test_commands():
    commands = re.findall(r"```sh\n(.*?)\n```", README.read_text())[:2]
    assert commands[0].endswith("jaxquiz") and "pip install ." in commands[0]
    assert commands[1].endswith("pytest") and ".[dev]" in commands[1]


def test_ci_installs_once_checks_and_ends_with_the_readme_test_command():
    script = CI.read_text().strip().splitlines()
    test_command = re.findall(r"```sh\n(.*?)\n```", README.read_text())[1]
    assert script[-1] == test_command
    installs = [line for line in script if "pip install" in line]
    assert len(installs) == 3 and installs[-1] == test_command  # pip itself, the package, the README's
    for check in ("ruff check .", "ruff format --check .", "mypy", "lint-imports", "jaxquiz check decks/"):
        assert any(line.startswith(f".venv/bin/{check}") for line in script), check


def test_the_example_deck_loads_and_passes_the_audit(engine: Engine):
    block = re.search(r"```yaml\n(.*?)```", README.read_text(), re.S).group(1)
    loaded = load_deck_text(block, Path("README.md"))
    for question in loaded.deck.questions:
        report = QuestionReport(loaded, question)
        audit_question(engine, report)
        assert report.ok, report.failures
