"""docs/coverage.md is generated from the bundled decks; it must match them."""

from __future__ import annotations

from pathlib import Path

from jaxquiz.decks import discover
from jaxquiz.decks.coverage import coverage_markdown, coverage_rows

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_coverage_table_is_up_to_date():
    decks = discover(user=False).decks
    committed = (ROOT / "docs" / "coverage.md").read_text()
    assert committed == coverage_markdown(decks), (
        "docs/coverage.md is stale: run `jaxquiz decks --markdown decks/ > docs/coverage.md`"
    )


def test_rows_count_types_executing_and_parametrised_questions(tmp_path):
    from jaxquiz.decks import load_deck_file

    path = tmp_path / "d.yaml"
    path.write_text(
        "format: 1\ndeck: d\ntitle: D\nquestions:\n"
        "  - {id: a, type: shape, prompt: p, code: 'out = jnp.ones($N)', expect: '($N,)',\n"
        "     params: {N: [1, 2]}}\n"
        "  - {id: b, type: card, prompt: p, back: b}\n"
        "  - {id: c, type: shape, prompt: p, code: 'out = jnp.ones(2)', expect: '(2,)'}\n"
    )
    [row] = coverage_rows([load_deck_file(path)])
    assert (row.questions, row.executing, row.parametrised) == (3, 2, 1)
    assert row.types == "shape 2, card 1"
