"""The deck list at start-up, read from the outlines in the deck cache: it shows exactly what the
full load offers, and gives up (None, the list waits for the load) whenever it cannot be sure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jaxquiz import paths
from jaxquiz.decks.loaded import DeckOutline
from jaxquiz.study.library import open_library
from jaxquiz.study.listing import list_decks
from jaxquiz.trust import TrustStore

# Each test starts from a deck cache of its own, and some damage entries in it.
pytestmark = pytest.mark.usefixtures("private_deck_cache")

DECK = """\
format: 1
deck: {deck}
title: {title}
description: |
  A lesson on {title}.
tags: [mine, small]
questions:
  - id: first
    type: card
    prompt: Front
    back: Back
  - id: second
    type: card
    prompt: Front again
    back: Back again
"""


def write(folder: Path, name: str, deck: str, title: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(DECK.format(deck=deck, title=title))
    return path


def offered(extra: list[Path] | None = None) -> list[DeckOutline]:
    """What the full load offers (and, loading, keeps in the deck cache), as outlines."""
    opened = open_library(extra or [])
    assert not opened.pending and not opened.result.problems
    return [DeckOutline.of(d) for d in opened.result.decks]


@pytest.fixture(scope="module")
def bundled_cached(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deck cache that holds every bundled deck, as any earlier start leaves it: parsed once for
    this module, not by every test's first load."""
    folder = tmp_path_factory.mktemp("bundled-cached")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_DIR_ENV, str(folder / "data"))
        patch.setenv(paths.CACHE_DIR_ENV, str(folder / "cache"))
        assert offered()
    return folder / "cache"


@pytest.fixture
def mine(data_dir: Path, private_deck_cache: Path, bundled_cached: Path) -> Path:
    """A deck in the user's folder, which the user trusts as a whole; the bundled decks were
    loaded before (the deck cache holds them), this deck never."""
    shutil.copytree(bundled_cached, private_deck_cache)
    deck = write(paths.user_decks_dir(), "mine.yaml", "mine", "My deck")
    TrustStore.load().trust_folder(paths.user_decks_dir())
    return deck


def test_a_first_start_has_nothing_to_list_before_the_load():
    assert list_decks() is None


def test_a_second_start_lists_every_deck_as_the_load_offers_it(mine):
    first = offered()
    listed = list_decks()
    # Everything the deck list shows, in the same order, with the hash of the bytes outlined.
    assert listed == first
    assert [o.origin for o in listed][-1] == "user" and listed[-1].id == "mine"
    assert listed[-1].description == "A lesson on My deck.\n"
    assert listed[-1].tags == ("mine", "small") and listed[-1].question_ids == ("first", "second")
    assert len(listed) > 10  # the bundled decks too


def test_an_edited_deck_is_not_listed_from_its_old_outline(mine):
    offered()
    write(mine.parent, mine.name, "mine", "My edited deck")
    assert list_decks() is None  # the list waits for the load, which parses the new text
    after = offered()
    assert list_decks() == after and after[-1].title == "My edited deck"


def test_a_new_or_broken_deck_waits_for_the_load(mine):
    offered()
    extra = write(mine.parent, "other.yaml", "other", "Other deck")
    assert list_decks() is None
    offered()
    assert [o.id for o in list_decks() or []][-2:] == ["mine", "other"]
    extra.write_text(extra.read_text().replace("title: Other deck", "title: Other\ncolour: red"))
    assert list_decks() is None  # a broken deck is never cached: its problem is for the load to show


def test_a_deck_that_may_not_run_waits_for_the_load_that_asks(data_dir, tmp_path):
    deck = write(tmp_path / "given", "given.yaml", "given", "Given deck")
    opened = open_library([deck])
    assert [p.path for p in opened.pending] == [deck]  # the load holds it back and the app asks
    assert list_decks([deck]) is None
    TrustStore.load().trust_file(deck)
    assert [o.id for o in list_decks([deck]) or []][-1] == "given"


def test_a_changed_file_agreed_to_before_is_not_listed(data_dir, tmp_path):
    deck = write(tmp_path / "given", "given.yaml", "given", "Given deck")
    TrustStore.load().trust_file(deck)
    offered([deck])
    # Edited back and forth: the cache holds this content, but the user agreed to another one.
    write(deck.parent, deck.name, "given", "Changed deck")
    offered_now = open_library([deck])
    assert [p.path for p in offered_now.pending] == [deck]
    assert list_decks([deck]) is None


def test_unreadable_trust_records_wait_for_the_load(mine):
    offered()
    paths.trust_path().write_text("{not json")
    assert list_decks() is None


def test_a_missing_deck_path_or_a_deck_id_used_twice_waits_for_the_load(mine, tmp_path):
    offered()
    assert list_decks([tmp_path / "gone.yaml"]) is None
    twin = write(tmp_path / "twin", "twin.yaml", "mine", "Another deck with my id")
    TrustStore.load().trust_file(twin)
    open_library([twin])  # loaded on its own into the cache, as a problem beside `mine`
    assert list_decks([twin]) is None


@pytest.mark.parametrize(
    "outline",
    [
        None,
        [],
        {"id": "mine"},
        {"id": "mine", "title": 3, "description": None, "tags": [], "questions": ["first"]},
        {"id": "mine", "title": "T", "description": None, "tags": "mine", "questions": ["first"]},
        {"id": "mine", "title": "T", "description": None, "tags": [], "questions": []},
        {"id": "", "title": "T", "description": None, "tags": [], "questions": ["first"]},
        {"id": "mine", "title": "T", "description": 1, "tags": [], "questions": ["first"]},
        {"id": "mine", "title": "T", "description": None, "tags": [], "questions": ["a"], "extra": 1},
    ],
    ids=[
        "absent",
        "not-a-mapping",
        "missing-keys",
        "title-not-text",
        "tags-not-a-list",
        "no-questions",
        "empty-id",
        "description-not-text",
        "unknown-key",
    ],
)
def test_a_damaged_outline_is_not_listed_and_the_load_still_works(mine, outline):
    first = offered()
    entries = list(paths.deck_cache_dir().glob("*.json"))
    for entry in entries:
        data = json.loads(entry.read_text())
        if data["outline"]["id"] == "mine":
            data["outline"] = outline
            entry.write_text(json.dumps(data))
    assert list_decks() is None
    assert offered() == first  # the load parses that deck again and rewrites its entry
    assert list_decks() == first
