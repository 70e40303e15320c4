"""The polling change detector behind `check --watch` (and the app's reload): content, not mtimes."""

from __future__ import annotations

import os
from pathlib import Path

from jaxquiz.decks.watch import Changes, DeckWatcher


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_changed_file_is_reported_once(tmp_path: Path) -> None:
    deck = write(tmp_path / "a.yaml", "one")
    watcher = DeckWatcher([deck])
    assert not watcher.poll()
    write(deck, "two")
    assert watcher.poll() == Changes(changed=[deck])
    assert not watcher.poll(), "reported once, not on every poll"


def test_same_size_edits_with_the_same_mtime_are_seen(tmp_path: Path) -> None:
    deck = write(tmp_path / "a.yaml", "aaaa")
    stamp = deck.stat().st_mtime_ns
    watcher = DeckWatcher([deck])
    write(deck, "bbbb")
    os.utime(deck, ns=(stamp, stamp))  # a coarse clock: two saves in the same tick
    assert watcher.poll().changed == [deck]


def test_saving_the_same_content_is_not_a_change(tmp_path: Path) -> None:
    deck = write(tmp_path / "a.yaml", "same")
    watcher = DeckWatcher([deck])
    write(deck, "same")
    os.utime(deck, ns=(1, 1))
    assert not watcher.poll()


def test_an_editor_that_saves_by_renaming_is_seen(tmp_path: Path) -> None:
    deck = write(tmp_path / "a.yaml", "old")
    watcher = DeckWatcher([deck])
    os.replace(write(tmp_path / ".a.yaml.swp", "new"), deck)
    assert watcher.poll().changed == [deck]


def test_folders_report_added_and_removed_deck_files(tmp_path: Path) -> None:
    folder = tmp_path / "decks"
    first = write(folder / "a.yaml", "a")
    watcher = DeckWatcher([folder])
    assert watcher.files == [first]
    second = write(folder / "sub" / "b.yml", "b")
    write(folder / "notes.txt", "not a deck")
    write(folder / ".hidden" / "c.yaml", "hidden folders are skipped, as discovery does")
    assert watcher.poll() == Changes(added=[second])
    first.unlink()
    found = watcher.poll()
    assert found == Changes(removed=[first])
    assert found.paths == [first]


def test_a_file_that_does_not_exist_yet_is_added_when_created(tmp_path: Path) -> None:
    deck = tmp_path / "later.yaml"
    watcher = DeckWatcher([deck])
    assert watcher.files == []
    write(deck, "now")
    assert watcher.poll() == Changes(added=[deck])


def test_changes_polls_until_stopped_and_yields_only_real_changes(tmp_path: Path) -> None:
    deck = write(tmp_path / "a.yaml", "0")
    watcher = DeckWatcher([deck])
    ticks: list[float] = []

    def sleep(seconds: float) -> None:  # each tick, the "editor" saves on odd ticks only
        ticks.append(seconds)
        if len(ticks) % 2:
            write(deck, str(len(ticks)))

    events = list(watcher.changes(interval=0.25, stop=lambda: len(ticks) >= 6, sleep=sleep))
    assert ticks == [0.25] * 6
    assert events == [Changes(changed=[deck])] * 3
