"""The parsed-deck cache: a second load of unchanged files skips parsing and gives the same decks; an
edit, a change of the parsing code, or a damaged entry is never answered from the cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jaxquiz import paths
from jaxquiz.decks import cache as deck_cache
from jaxquiz.decks import content_hash, discover, yaml_lines
from jaxquiz.decks.cache import DeckCache
from jaxquiz.decks.loader import DeckLoadError, LoadResult, load_deck_file, load_decks

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "decks"

DECK = """\
format: 1
deck: tiny
title: Tiny
questions:
  - id: first
    type: shape
    prompt: Shape?
    code: out = jnp.ones((2, 3))
    expect: (2, 3)
  - id: second
    type: value
    params: {N: {range: [1, 4]}, M: [1, 2.5, "x", true]}
    prompt: Value of $N?
    code: out = $N
    expect: 3
"""


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every YAML text parsed from now on (the slow step the cache saves)."""
    seen: list[str] = []
    real = yaml_lines.parse

    def counting(text: str, **options):
        seen.append(text)
        return real(text, **options)

    monkeypatch.setattr(yaml_lines, "parse", counting)
    return seen


def same(first: LoadResult, second: LoadResult) -> None:
    assert [d.path for d in first.decks] == [d.path for d in second.decks]
    for a, b in zip(first.decks, second.decks, strict=True):
        assert a.deck == b.deck
        # == takes True for 1 and 10.0 for 10: repr does not, nor the set fields.
        assert repr(a.deck) == repr(b.deck)
        assert a.deck.model_dump(exclude_unset=True) == b.deck.model_dump(exclude_unset=True)
        assert a.deck.model_dump(mode="json") == b.deck.model_dump(mode="json")
        assert a.question_lines == b.question_lines and a.origin == b.origin
        for qa, qb in zip(a.deck.questions, b.deck.questions, strict=True):
            assert type(qa) is type(qb)
            assert content_hash(a.deck, qa) == content_hash(b.deck, qb)


def test_a_second_start_parses_no_unchanged_deck_and_loads_the_same_decks(parses, private_deck_cache):
    first = discover()
    assert first.decks and len(parses) == len(first.decks)
    assert list(paths.deck_cache_dir().glob("*.json")), "the cache is kept"
    parses.clear()
    second = discover()
    assert parses == []
    same(first, second)
    assert first.problems == second.problems


def test_the_fixture_decks_come_back_from_the_cache_as_parsed(tmp_path, parses):
    cache = DeckCache(tmp_path / "cache")
    sources = [(FIXTURES, "path")]
    fresh = load_decks(sources)
    assert fresh.decks and not fresh.problems
    load_decks(sources, cache)
    parses.clear()
    again = load_decks(sources, cache)
    assert parses == []
    same(fresh, again)


def test_an_edited_deck_is_parsed_again(tmp_path, parses):
    deck = tmp_path / "tiny.yaml"
    deck.write_text(DECK)
    cache = DeckCache(tmp_path / "cache")
    assert cache.load(deck).deck.title == "Tiny"
    deck.write_text(DECK.replace("title: Tiny", "title: Tinier"))
    parses.clear()
    assert cache.load(deck).deck.title == "Tinier"
    assert len(parses) == 1


def test_line_endings_and_values_read_back_as_parsed(tmp_path):
    deck = tmp_path / "tiny.yaml"
    deck.write_bytes(DECK.replace("\n", "\r\n").encode())
    cache = DeckCache(tmp_path / "cache")
    fresh = cache.load(deck, "user")
    cached = cache.load(deck, "user")
    assert cached.deck == fresh.deck and cached.question_lines == {"first": 5, "second": 10}
    assert cached.deck.question("second").params["M"] == [1, 2.5, "x", True]
    assert [type(v) for v in cached.deck.question("second").params["M"]] == [int, float, str, bool]
    assert cached.origin == "user" and cached.path == deck


def test_a_change_of_the_parsing_code_is_not_answered_from_the_cache(tmp_path, parses, monkeypatch):
    deck = tmp_path / "tiny.yaml"
    deck.write_text(DECK)
    cache = DeckCache(tmp_path / "cache")
    cache.load(deck)
    monkeypatch.setattr(deck_cache, "code_fingerprint", lambda: "other code")
    parses.clear()
    cache.load(deck)
    assert len(parses) == 1


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\x00\xff not json",
        b"[1, 2]",
        b'{"deck": {"format": 1}, "lines": {}}',
        b'{"lines": {"first": 5}}',
        b'{"deck": null, "lines": null}',
    ],
    ids=["empty", "garbage", "not-a-mapping", "invalid-deck", "no-deck", "nulls"],
)
def test_a_damaged_entry_is_ignored_and_rewritten(tmp_path, parses, damage):
    deck = tmp_path / "tiny.yaml"
    deck.write_text(DECK)
    cache = DeckCache(tmp_path / "cache")
    fresh = cache.load(deck)
    [entry] = (tmp_path / "cache").glob("*.json")
    entry.write_bytes(damage)
    parses.clear()
    assert cache.load(deck).deck == fresh.deck
    assert len(parses) == 1
    parses.clear()
    assert cache.load(deck).deck == fresh.deck
    assert parses == [], "the damaged entry was replaced"


def test_an_entry_of_another_deck_is_not_taken_for_this_one(tmp_path, parses):
    # Lines that do not match the deck's questions: the entry is not this deck's.
    deck = tmp_path / "tiny.yaml"
    deck.write_text(DECK)
    cache = DeckCache(tmp_path / "cache")
    cache.load(deck)
    [entry] = (tmp_path / "cache").glob("*.json")
    entry.write_text(entry.read_text().replace('"first": 5', '"other": 5'))
    parses.clear()
    assert cache.load(deck).question_lines == {"first": 5, "second": 10}
    assert len(parses) == 1


def test_a_broken_deck_is_reported_every_time(tmp_path, parses):
    deck = tmp_path / "broken.yaml"
    deck.write_text(DECK.replace("title: Tiny", "title: Tiny\ncolour: red"))
    cache = DeckCache(tmp_path / "cache")
    for _ in range(2):
        result = load_decks([(deck, "path")], cache)
        assert not result.decks and "unknown key `colour`" in result.problems[0].rule
    assert len(parses) == 2
    assert not list((tmp_path / "cache").glob("*.json"))


def test_a_cache_that_cannot_be_written_still_loads(tmp_path):
    deck = tmp_path / "tiny.yaml"
    deck.write_text(DECK)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    cache = DeckCache(blocked / "decks")
    assert cache.load(deck).deck.deck == "tiny"
    assert cache.load(deck).deck.deck == "tiny"


def test_an_unreadable_deck_is_a_problem_as_without_the_cache(tmp_path):
    missing = tmp_path / "gone.yaml"
    not_utf8 = tmp_path / "latin.yaml"
    not_utf8.write_bytes(DECK.replace("Tiny", "T\xeflny").encode("latin-1"))
    cache = DeckCache(tmp_path / "cache")
    for path, rule in ((missing, "cannot read the file"), (not_utf8, "the file is not UTF-8")):
        with pytest.raises(DeckLoadError) as with_cache:
            cache.load(path)
        with pytest.raises(DeckLoadError) as without:
            load_deck_file(path)
        assert with_cache.value.problems == without.value.problems
        assert with_cache.value.problems[0].rule.startswith(rule)


def test_old_entries_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(deck_cache, "MAX_ENTRIES", 3)
    cache = DeckCache(tmp_path / "cache")
    for n in range(5):
        deck = tmp_path / f"d{n}.yaml"
        deck.write_text(DECK.replace("deck: tiny", f"deck: tiny-{n}"))
        cache.load(deck)
    assert len(list((tmp_path / "cache").glob("*.json"))) == 3


def test_a_copy_of_a_deck_shares_its_entry(tmp_path, parses):
    # The key is the content, not the path: a copy of a deck is not parsed twice.
    cache = DeckCache(tmp_path / "cache")
    original = FIXTURES / "every-type.yaml"
    copy = tmp_path / "copy.yaml"
    shutil.copy(original, copy)
    first = cache.load(original)
    parses.clear()
    second = cache.load(copy)
    assert parses == [] and second.deck == first.deck and second.path == copy
