"""`check --watch`: after a save only edited questions are re-audited and reported, a syntax error is
shown and the watcher goes on. The loop is driven with explicit change events and a real engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from jaxquiz import cli
from jaxquiz.audit import QuestionReport
from jaxquiz.authoring.watch import Rechecker, engine_auditor, render, watch
from jaxquiz.decks import LoadedDeck
from jaxquiz.decks.models import QuestionBase
from jaxquiz.decks.watch import Changes, DeckWatcher
from jaxquiz.engine import Engine

DECK = """\
format: 1
deck: watched
title: Watched
questions:
  - id: zeros
    type: shape
    prompt: Shape?
    params: {N: [2, 3]}
    code: out = jnp.zeros(($N, 4))
    expect: ($N, 4)
  - id: mean
    type: dtype
    prompt: Dtype?
    code: out = jnp.mean(jnp.arange(4))
    expect: float32
  - id: pick
    type: choice
    prompt: Which compiles?
    options: ["jax.jit", "jax.vmap"]
    correct: [0]
"""


class Recorder:
    """The real auditor, noting which questions it ran."""

    def __init__(self, engine: Engine) -> None:
        self.audit = engine_auditor(engine)
        self.ran: list[str] = []

    def __call__(self, deck: LoadedDeck, question: QuestionBase) -> QuestionReport:
        self.ran.append(question.id)
        return self.audit(deck, question)

    def take(self) -> list[str]:
        ran, self.ran = self.ran, []
        return ran


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "watched.yaml"
    path.write_text(DECK)
    return path


@pytest.fixture
def recorder(engine: Engine) -> Recorder:
    return Recorder(engine)


def lines_of(round_) -> list[str]:
    seen: list[str] = []
    render(round_, lambda text, color: seen.append(text))
    return seen


def test_an_edit_re_audits_and_reports_only_the_edited_question(deck: Path, recorder: Recorder) -> None:
    rechecker = Rechecker(recorder)
    first = rechecker.check(deck)
    assert recorder.take() == ["zeros", "mean", "pick"]
    assert first.ok and lines_of(first) == [f"{deck}: 3 checked (3 passed)"]

    deck.write_text(DECK.replace("expect: float32", "expect: int32"))
    second = rechecker.check(deck)
    assert recorder.take() == ["mean"]
    out = lines_of(second)
    assert out[0] == f"FAILED {deck}:11 watched::mean"
    assert "expect 'int32' is graded wrong" in out[1]
    assert out[-1] == f"{deck}: 1 re-checked (0 passed, 1 failed), 2 unchanged"
    assert not any("zeros" in line or "pick" in line for line in out)

    deck.write_text("# a comment moves every line\n" + DECK)
    third = rechecker.check(deck)
    assert recorder.take() == ["mean"], "only the fixed question runs; moved ones keep their result"
    assert lines_of(third) == ["PASSED watched::mean", f"{deck}: 1 re-checked (1 passed), 2 unchanged"]
    assert {r.question.id: r.location for r in third.kept}["pick"] == f"{deck}:17"


def test_a_syntax_error_is_shown_and_the_last_results_are_kept(deck: Path, recorder: Recorder) -> None:
    rechecker = Rechecker(recorder)
    rechecker.check(deck)
    recorder.take()

    deck.write_text(DECK.replace("title: Watched", "title: [Watched"))
    broken = rechecker.check(deck)
    assert recorder.take() == []
    out = lines_of(broken)
    assert out[0].startswith(f"ERROR {deck}:")
    assert out[-1] == f"{deck}: does not load (1 error); the last results of its 3 questions are kept"
    assert not rechecker.ok

    deck.write_text(DECK.replace("params: {N: [2, 3]}", "params: {N: [2, 5]}"))
    fixed = rechecker.check(deck)
    assert recorder.take() == ["zeros"], "after the fix only what was edited meanwhile runs"
    assert fixed.ok and rechecker.ok


def test_removed_questions_deleted_files_and_setup_changes(deck: Path, recorder: Recorder) -> None:
    rechecker = Rechecker(recorder)
    rechecker.check(deck)
    recorder.take()

    without_pick = DECK.split("  - id: pick")[0]
    deck.write_text(without_pick)
    out = lines_of(rechecker.check(deck))
    assert recorder.take() == []
    assert out == ["removed watched::pick", f"{deck}: 2 unchanged"]

    deck.write_text(without_pick.replace("questions:", "setup: scale = 2\nquestions:"))
    rechecker.check(deck)
    assert recorder.take() == ["zeros", "mean"], "the setup runs before every question: all re-run"

    deck.unlink()
    assert lines_of(rechecker.check(deck)) == [f"removed {deck}"]


def test_content_that_may_not_run_is_not_run(deck: Path, recorder: Recorder) -> None:
    rechecker = Rechecker(recorder, allowed=lambda snapshot: f"{snapshot.path} is not trusted yet")
    refused = rechecker.check(deck)
    assert recorder.take() == []
    assert lines_of(refused) == [f"NOT RUN {deck}", f"  {deck} is not trusted yet"]
    assert not rechecker.ok


def test_the_loop_goes_on_after_a_syntax_error(deck: Path, recorder: Recorder) -> None:
    saves = [
        DECK.replace("expect: float32", "expect: float32\n  oops"),  # half-typed
        DECK.replace("expect: float32", "expect: float16"),
        DECK,
    ]

    def events():
        for text in saves:
            deck.write_text(text)
            yield Changes(changed=[deck])

    seen: list[tuple[str, str | None]] = []
    ok = watch(Rechecker(recorder), [deck], events(), lambda text, color: seen.append((text, color)))
    texts = [text for text, _ in seen]
    assert ok
    assert texts[0] == f"{deck}: 3 checked (3 passed)"
    assert texts[1] == "watching for changes (Ctrl-C to stop)"
    assert texts.count(f"changed {deck}") == 3
    error = next(i for i, t in enumerate(texts) if t.startswith("ERROR"))
    assert "does not load" in texts[error + 2]
    assert any(t == f"FAILED {deck}:11 watched::mean" for t in texts[error:])
    assert texts[-2:] == ["PASSED watched::mean", f"{deck}: 1 re-checked (1 passed), 2 unchanged"]
    assert ("PASSED watched::mean", "green") in seen


def test_check_watch_wires_the_loop_to_the_cli(
    deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    monkeypatch.setattr(DeckWatcher, "changes", lambda self, *a, **k: iter(()))  # stop after the first round
    monkeypatch.setattr(cli, "_interactive", lambda: False)
    refused = CliRunner().invoke(cli.main, ["check", "--watch", str(deck)], obj=engine)
    assert refused.exit_code == 1
    assert f"NOT RUN {deck}" in refused.output and "jaxquiz trust" in refused.output

    trusted = CliRunner().invoke(cli.main, ["check", "--watch", "--trust", str(tmp_path)], obj=engine)
    assert trusted.exit_code == 0, trusted.output
    assert f"{deck}: 3 checked (3 passed)" in trusted.output
    assert "watching for changes" in trusted.output


def test_a_warning_near_zero_is_shown_when_a_question_is_checked(tmp_path: Path, recorder: Recorder) -> None:
    path = tmp_path / "flush.yaml"
    path.write_text(
        "format: 1\ndeck: flush\ntitle: Flush\nquestions:\n"
        "  - id: tiny\n    type: value\n    prompt: p\n    code: out = jnp.float32(0.0)\n"
        "    expect: '0.0'\n    options: ['0.0', '1e-45', '1.0']\n"
    )
    out = lines_of(Rechecker(recorder).check(path))
    assert out[0] == f"WARNING {path}:5 flush::tiny"
    assert "option '1e-45' is graded right only because of atol=1e-06" in out[1]
