"""The "From a notebook to a deck" section of the authoring guide: its deck passes `check`, and
`jaxquiz new` shows the keys it introduces."""

from __future__ import annotations

import re
from pathlib import Path

from jaxquiz.audit import QuestionReport, audit_question
from jaxquiz.authoring.scaffold import render
from jaxquiz.decks import instantiate, load_deck_file
from jaxquiz.engine import Engine

ROOT = Path(__file__).resolve().parents[2]


def section() -> str:
    text = (ROOT / "docs" / "writing-decks.md").read_text(encoding="utf-8")
    return text.split("## From a notebook to a deck", 1)[1].split("\n## ", 1)[0]


def test_the_notebook_deck_passes_check_and_uses_printed_and_arithmetic(tmp_path: Path, engine: Engine):
    (deck_text,) = re.findall(r"```yaml\n(.*?)```", section(), flags=re.DOTALL)
    path = tmp_path / "sharp-bits.yaml"
    path.write_text(deck_text)
    loaded = load_deck_file(path)
    printed, computed = loaded.deck.questions
    assert "printed" in printed.answer and "${" in computed.code  # type: ignore[attr-defined]
    assert loaded.deck.source and printed.source
    for question in loaded.deck.questions:
        report = QuestionReport(loaded, question)
        audit_question(engine, report)
        assert report.ok, report.failures
        assert report.truths and not report.warnings
    assert instantiate(computed, {"R": 12, "C": 2}).expect == "(3, 4, 2)"  # type: ignore[attr-defined]


def test_jaxquiz_new_shows_source_printed_and_arithmetic(tmp_path: Path):
    text = render("starter", "Starter")
    assert re.search(r"^source: ", text, flags=re.MULTILINE)  # the deck's
    assert re.search(r"^    source: ", text, flags=re.MULTILINE)  # a question's
    assert "printed" in text and "warned" in text
    assert "${N + 1}" in text
