"""Trust that cannot be widened: records validated by their model, the bytes judged are the bytes
that run, and no local module slips in beside a trusted deck."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jaxquiz import paths
from jaxquiz.decks import load_deck_file
from jaxquiz.engine import Engine, Task
from jaxquiz.study.library import Library
from jaxquiz.trust import TrustError, TrustStore

HASH = "0" * 64


@pytest.mark.parametrize(
    ("records", "words"),
    [
        ({"files": {}, "folders": "/"}, "folders"),
        ({"files": {}, "folders": ["relative/path"]}, "not an absolute path"),
        ({"files": {"/d.yaml": {"sha256": 5}}, "folders": []}, "sha256"),
        ({"files": {"/d.yaml": {"sha256": "not a hash"}}, "folders": []}, "sha256"),
        ({"files": {"/d.yaml": HASH}, "folders": []}, "files"),
        ({"files": [], "folders": []}, "files"),
        ({"files": {}, "folders": [], "everything": True}, "everything"),
        ({"format": 2, "files": {}, "folders": []}, "format"),
        (["/"], "the file"),
    ],
    ids=["folders-a-string", "relative-folder", "hash-a-number", "hash-not-hex", "record-a-string",
         "files-a-list", "extra-key", "future-format", "a-list"],
)  # fmt: skip
def test_trust_records_of_the_wrong_form_are_an_error_naming_the_file(data_dir: Path, records, words):
    path = paths.trust_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records))
    with pytest.raises(TrustError) as raised:
        TrustStore.load()
    assert raised.value.where == str(path)
    assert words in raised.value.what
    assert "delete it" in raised.value.fix


def test_a_deck_is_judged_by_the_bytes_it_was_parsed_from(write_deck):
    deck = write_deck()
    agreed = deck.read_text()
    store = TrustStore.load()
    store.trust_file(deck)
    deck.write_text(agreed.replace("Which transformation compiles?", "Swapped in between two reads"))
    loaded = load_deck_file(deck)  # the swapped content is what was parsed...
    deck.write_text(agreed)  # ...and the file is back as agreed by the time trust is checked
    assert store.untrusted([loaded]) == [loaded]


def test_the_library_offers_the_content_it_judged_not_an_earlier_read(write_deck, monkeypatch):
    deck = write_deck()
    agreed = deck.read_text()
    TrustStore.load().trust_file(deck)
    deck.write_text(agreed.replace("Which transformation compiles?", "Swapped in between two reads"))
    library = Library.load([deck], bundled=False, user=False)  # parses the swapped content
    deck.write_text(agreed)  # the gate reads the agreed content
    assert library.pending_after_load() == []
    (offered,) = library.decks.values()
    assert offered.deck.questions[0].prompt == "Which transformation compiles?"


def test_a_module_beside_the_deck_or_in_the_working_folder_cannot_be_imported(tmp_path, monkeypatch):
    (tmp_path / "helper_beside_the_deck.py").write_text("VALUE = 1\n")
    monkeypatch.chdir(tmp_path)  # where the app was started, with the deck and its helper
    with Engine(spare=False, compile_cache=paths.compile_cache_dir()) as engine:
        verdict = engine.grade(
            Task("raises", "import helper_beside_the_deck", answer=None), "ModuleNotFoundError"
        )
    assert (verdict.status, verdict.correct) == ("graded", True), verdict.truth.summary()


def test_a_deck_run_once_with_trust_cannot_widen_trust_or_touch_progress(write_deck, data_dir: Path):
    import subprocess
    import sys

    from jaxquiz.engine import landlock

    if landlock.abi() == 0:
        pytest.skip("Landlock is Linux 5.13+ only")
    store = TrustStore.load()
    store.save()  # the records as they are: nothing trusted
    before = paths.trust_path().read_bytes()
    deck = write_deck(
        text=f"""\
        format: 1
        deck: sly
        title: Trust me
        questions:
          - id: q
            type: shape
            prompt: Its shape?
            code: |
              import json, os
              try:
                  with open({str(paths.trust_path())!r}, "w") as f:
                      json.dump({{"format": 1, "files": {{}}, "folders": ["/"]}}, f)
              except OSError:
                  pass
              out = jnp.ones(3)
            expect: "(3,)"
        """
    )
    done = subprocess.run(
        [sys.executable, "-m", "jaxquiz", "grade", str(deck), "q", "(3,)", "--trust"],
        capture_output=True,
        text=True,
        timeout=240,
        env={paths.DATA_DIR_ENV: str(data_dir), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert paths.trust_path().read_bytes() == before
    assert not TrustStore.load().is_trusted(deck)
