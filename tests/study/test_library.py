"""The app's deck library: the trust gate and reloading files edited on disk (real files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaxquiz.study.library import Library, open_library
from jaxquiz.trust import TrustStore

DECK = """\
format: 1
deck: {id}
title: {title}
questions:
  - id: q
    type: shape
    prompt: What is the shape?
    code: out = jnp.ones(3)
    expect: (3,)
"""


def write(path: Path, deck_id: str = "mine", title: str = "Mine") -> Path:
    path.write_text(DECK.format(id=deck_id, title=title))
    return path


def ids(library: Library) -> set[str]:
    return {d.id for d in library.result.decks}


@pytest.fixture
def deck(tmp_path) -> Path:
    return write(tmp_path / "mine.yaml")


def test_bundled_decks_never_wait_and_an_unknown_file_does(deck):
    opened = open_library([deck])
    assert opened.library is not None
    assert [p.path for p in opened.pending] == [deck]
    assert "not trusted yet" in opened.pending[0].why
    assert "mine" not in {d.id for d in opened.result.decks}
    assert {"shapes", "vmap"} <= {d.id for d in opened.result.decks}


def test_agreeing_records_the_content_and_offers_the_deck(deck):
    opened = open_library([deck])
    library = opened.library
    library.agree(opened.pending[0])
    assert "mine" in ids(library)
    assert TrustStore.load().is_trusted(deck)
    assert open_library([deck]).pending == []  # agreed once: not asked again


def test_refusing_keeps_the_deck_out_with_a_way_to_agree_later(deck):
    opened = open_library([deck])
    opened.library.refuse(opened.pending[0])
    [problem] = [p for p in opened.library.result.problems if p.path == deck]
    assert "jaxquiz trust" in problem.fix
    assert "mine" not in ids(opened.library)


def test_an_edited_trusted_file_asks_again_and_a_yes_loads_the_new_content(deck):
    TrustStore.load().trust_file(deck)
    library = open_library([deck]).library
    assert "mine" in ids(library)
    write(deck, title="Mine, edited")
    changed, pending = library.poll()
    assert changed and [p.path for p in pending] == [deck]
    assert "changed since you agreed" in pending[0].why
    library.agree(pending[0])
    assert next(d for d in library.result.decks if d.id == "mine").deck.title == "Mine, edited"


def test_a_file_in_a_trusted_folder_reloads_without_asking_and_a_broken_save_spares_the_others(tmp_path):
    folder = tmp_path / "authoring"
    folder.mkdir()
    first, second = write(folder / "one.yaml", "one"), write(folder / "two.yaml", "two")
    TrustStore.load().trust_folder(folder)
    library = open_library([folder]).library
    assert {"one", "two"} <= ids(library)

    write(first, "one", title="One again")
    assert library.poll() == (True, [])
    assert next(d for d in library.result.decks if d.id == "one").deck.title == "One again"

    first.write_text("format: 1\ndeck: one\ntitle: [unclosed\n")
    assert library.poll() == (True, [])
    assert "one" not in ids(library) and "two" in ids(library)
    [problem] = [p for p in library.result.problems if p.path == first]
    assert "YAML" in problem.rule and problem.line >= 1

    second.unlink()
    write(folder / "three.yaml", "three")
    library.poll()
    assert ids(library) >= {"three"} and "two" not in ids(library)


def test_nothing_changed_means_no_event(deck):
    TrustStore.load().trust_file(deck)
    library = open_library([deck]).library
    deck.write_text(deck.read_text())  # saved again, same content
    assert library.poll() == (False, [])


def test_an_edit_that_reuses_another_decks_id_is_a_problem_not_a_merge(tmp_path):
    folder = tmp_path / "authoring"
    folder.mkdir()
    write(folder / "one.yaml", "one")
    clash = write(folder / "two.yaml", "two")
    TrustStore.load().trust_folder(folder)
    library = open_library([folder]).library
    write(clash, "one")
    library.poll()
    [problem] = [p for p in library.result.problems if p.path == clash]
    assert "already used" in problem.rule


def test_broken_trust_records_offer_only_the_bundled_decks(deck):
    from jaxquiz import paths

    paths.trust_path().parent.mkdir(parents=True, exist_ok=True)
    paths.trust_path().write_text("{not json")
    opened = open_library([deck])
    assert opened.library is None
    assert all(d.origin == "bundled" for d in opened.result.decks)
    assert any("trust" in p.rule for p in opened.result.problems)
