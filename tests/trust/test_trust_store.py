"""The trust records: bundled decks, agreed file contents, trusted folders, and the gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaxquiz import paths
from jaxquiz.decks import discover, load_deck_file
from jaxquiz.trust import Snapshot, TrustError, TrustStore, UntrustedDeck, untrusted


def test_bundled_decks_are_trusted_without_any_record() -> None:
    bundled = discover(user=False).decks
    assert bundled, "the bundled decks should load"
    store = TrustStore.load()
    assert all(store.is_trusted(d.path) for d in bundled)
    assert untrusted(bundled, store) == []
    assert not paths.trust_path().exists()  # nothing was written to decide that


def test_a_file_is_trusted_for_its_exact_content_only(write_deck) -> None:
    deck = write_deck()
    store = TrustStore.load()
    assert not store.is_trusted(deck)
    assert "not trusted yet" in store.why_untrusted(deck)

    store.trust_file(deck)
    assert store.is_trusted(deck)
    assert TrustStore.load().is_trusted(deck), "the record is saved to the trust file"

    deck.write_text(deck.read_text() + "# one more line\n")
    assert not store.is_trusted(deck), "a changed file asks again"
    assert "changed since you agreed" in store.why_untrusted(deck)


def test_a_trusted_folder_covers_every_deck_below_it_now_and_later(write_deck, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    before = write_deck("a.yaml", folder=mine)
    store = TrustStore.load()
    store.trust_folder(mine)
    later = write_deck("b.yaml", folder=mine / "sub", deck_id="later")
    later.write_text(later.read_text() + "# edited\n")
    neighbour = write_deck("c.yaml", folder=tmp_path / "mine-too", deck_id="neighbour")  # same prefix

    reloaded = TrustStore.load()
    assert reloaded.is_trusted(before)
    assert reloaded.is_trusted(later)
    assert not reloaded.is_trusted(neighbour), "a folder covers its own subtree, not names that start alike"


def test_untrusted_lists_only_the_decks_that_need_agreement(write_deck, tmp_path: Path) -> None:
    agreed = write_deck("agreed.yaml", deck_id="agreed")
    stranger = write_deck("stranger.yaml", deck_id="stranger")
    store = TrustStore.load()
    store.trust_file(agreed)
    decks = [*discover(user=False).decks, load_deck_file(agreed), load_deck_file(stranger)]
    assert [d.id for d in store.untrusted(decks)] == ["stranger"]


def test_forget_removes_a_file_or_a_folder(write_deck, tmp_path: Path) -> None:
    deck = write_deck()
    store = TrustStore.load()
    store.trust_file(deck)
    store.trust_folder(tmp_path / "decks")
    assert store.forget(deck) and store.forget(tmp_path / "decks")
    assert not store.forget(deck)
    assert not TrustStore.load().is_trusted(deck)


def test_a_damaged_trust_file_is_an_error_not_an_empty_store(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    paths.trust_path().write_text("{not json")
    with pytest.raises(TrustError) as caught:
        TrustStore.load()
    assert str(paths.trust_path()) in caught.value.message
    assert "fix:" in caught.value.message


def test_gate_refuses_without_a_way_to_ask(write_deck) -> None:
    deck = load_deck_file(write_deck())
    with pytest.raises(UntrustedDeck) as caught:
        TrustStore.load().gate([deck])
    assert "jaxquiz trust" in caught.value.fix


def test_gate_run_anyway_runs_once_and_records_nothing(write_deck) -> None:
    deck = load_deck_file(write_deck())
    store = TrustStore.load()
    assert [d.id for d in store.gate([deck], run_anyway=True)] == ["theirs"]
    assert not TrustStore.load().is_trusted(deck.path)


def test_gate_records_a_yes_and_raises_on_a_no(write_deck) -> None:
    deck = load_deck_file(write_deck())
    store = TrustStore.load()
    with pytest.raises(UntrustedDeck, match="did not agree"):
        store.gate([deck], ask=lambda snapshot, why: False)
    assert not store.is_trusted(deck.path)

    asked = []
    store.gate([deck], ask=lambda snapshot, why: asked.append(snapshot) or True)
    assert asked[0].text == deck.path.read_text()
    assert TrustStore.load().is_trusted(deck.path)
    store.gate([deck], ask=lambda snapshot, why: pytest.fail("a trusted deck must not ask"))


def test_gate_runs_exactly_the_content_that_was_agreed_to(write_deck) -> None:
    path = write_deck()
    deck = load_deck_file(path)
    swapped = path.read_text().replace("Which transformation compiles?", "Something else entirely")

    def agree_while_the_file_changes(snapshot: Snapshot, why: str) -> bool:
        path.write_text(swapped)  # the file changes between showing it and running it
        return True

    (ran,) = TrustStore.load().gate([deck], ask=agree_while_the_file_changes)
    assert ran.deck.questions[0].prompt == "Which transformation compiles?"
    assert not TrustStore.load().is_trusted(path), "the record is for what was shown, not the new content"


def test_bundled_decks_pass_the_gate_untouched() -> None:
    bundled = discover(user=False).decks[:2]
    assert TrustStore.load().gate(bundled, ask=lambda s, w: pytest.fail("bundled decks never ask")) == bundled
