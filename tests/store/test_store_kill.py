"""A process killed with SIGKILL mid-write loses at most its in-flight review and never corrupts."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jaxquiz.store import Store

# Records reviews as fast as it can, printing the total after each commit. It continues from what
# the database already holds, so each round also exercises recovery of the previous round's WAL.
CHILD = r"""
import sys
from datetime import UTC, datetime, timedelta

from jaxquiz.store import Review, Store
from jaxquiz.study.scheduler import Rating, Scheduler

store = Store.open(sys.argv[1])
t0 = datetime(2025, 1, 1, tzinfo=UTC)
scheduler = Scheduler(lambda: t0)
count = len(store.reviews())
state = store.card("deck", "q")
card = state.card_json if state else None
while True:
    at = t0 + timedelta(seconds=count)
    card, _due = scheduler.review(card, Rating.Good, at)
    review = Review(
        at=at, deck="deck", question="q", content_hash="h", params={"i": count},
        answer="x" * 4000, correct=True, verdict={"ok": True}, response_ms=count, rating=3,
    )
    store.record_review(review, card)
    count += 1
    print(count, flush=True)
"""

LINES_BEFORE_KILL = 25
# The parent reacts to a line within microseconds, long before the child's next write starts, so
# killing on a line would always hit the same idle point of the loop. Each round instead waits a
# different fraction of the child's measured loop period, spreading the kills across two loops.
ROUNDS = 12
# Only a hung child would reach this; a healthy one prints its first lines well within a second.
WATCHDOG_S = 60.0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_write_keeps_committed_reviews(tmp_path: Path) -> None:
    db = tmp_path / "progress.sqlite3"
    for round_ in range(ROUNDS):
        reported = _run_and_kill(db, phase=2 * (round_ + 0.5) / ROUNDS)

        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        count, last_id = conn.execute("SELECT count(*), max(id) FROM reviews").fetchone()
        # Every commit the child reported is there; at most the one in flight (committed but not
        # yet printed) is extra.
        assert reported <= count <= reported + 1
        # Review and card were written together: the card points at the newest review.
        assert conn.execute("SELECT last_review_id FROM cards").fetchall() == [(last_id,)]
        conn.close()

    with Store.open(db) as store:  # still opens and reads after repeated kills
        assert len(store.reviews()) >= ROUNDS * LINES_BEFORE_KILL


def _run_and_kill(db: Path, phase: float) -> int:
    """Start the writer, let it report some commits, SIGKILL it `phase` loop periods after the
    last line read; return the last count it printed."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stderr is not None
    watchdog = threading.Timer(WATCHDOG_S, child.kill)
    watchdog.start()
    try:
        lines = [child.stdout.readline()]
        start = time.perf_counter()
        lines += [child.stdout.readline() for _ in range(LINES_BEFORE_KILL - 1)]
        now = time.perf_counter()
        period = (now - start) / (LINES_BEFORE_KILL - 1)
        # Spin rather than sleep: the wait is well under a millisecond, below sleep's resolution.
        deadline = now + phase * period
        while time.perf_counter() < deadline:
            pass
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        watchdog.cancel()
    lines += child.stdout.readlines()  # what it printed before dying
    printed = [line for line in lines if line.strip()]
    assert len(printed) >= LINES_BEFORE_KILL, f"child died early: {child.stderr.read()}"
    assert child.returncode == -signal.SIGKILL
    return int(printed[-1])
