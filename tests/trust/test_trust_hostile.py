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
    with Engine(spare=False) as engine:
        verdict = engine.grade(
            Task("raises", "import helper_beside_the_deck", answer=None), "ModuleNotFoundError"
        )
    assert (verdict.status, verdict.correct) == ("graded", True), verdict.truth.summary()
