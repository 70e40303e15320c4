"""The authoring docs are tested like code: the reference is generated, the tutorial's deck passes."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from jaxquiz.audit import QuestionReport, audit_question
from jaxquiz.decks import load_deck_file
from jaxquiz.engine import Engine

ROOT = Path(__file__).resolve().parents[2]


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "gen_deck_reference", ROOT / "scripts" / "gen_deck_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_deck_reference_is_up_to_date() -> None:
    generator = load_generator()
    committed = (ROOT / "docs" / "deck-reference.md").read_text(encoding="utf-8")
    assert committed == generator.render(), "run: python scripts/gen_deck_reference.py"
    assert generator.main(["--check"]) == 0


def test_the_reference_lists_every_key_of_the_schema() -> None:
    from jaxquiz.decks.models import QUESTION_MODELS, Deck

    text = (ROOT / "docs" / "deck-reference.md").read_text(encoding="utf-8")
    keys = set(Deck.model_fields) | {k for m in QUESTION_MODELS.values() for k in m.model_fields} - {"type"}
    missing = {k for k in keys if f"| `{k}` |" not in text}
    assert not missing
    assert all(f"## `{kind}`" in text for kind in QUESTION_MODELS)


def test_the_tutorial_deck_passes_check(tmp_path: Path, engine: Engine) -> None:
    tutorial = (ROOT / "docs" / "writing-decks.md").read_text(encoding="utf-8")
    section = tutorial.split("## The whole deck", 1)[1]
    (deck_text,) = re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)[:1]
    path = tmp_path / "reductions.yaml"
    path.write_text(deck_text)
    loaded = load_deck_file(path)
    kinds = {q.type: q for q in loaded.deck.questions}  # type: ignore[attr-defined]
    assert kinds["shape"].params and kinds["fill"].wrong and "raises" in kinds, "what the tutorial promises"
    for question in loaded.deck.questions:
        report = QuestionReport(loaded, question)
        audit_question(engine, report)
        assert report.ok, report.failures
