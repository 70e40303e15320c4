"""A start imports what the home screen and the deck list need, and what the later screens need later.

Each check runs in a fresh interpreter and reads `sys.modules` (this test process has imported
everything already). The list is what benchmarks/startup.py showed to cost start-up time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Loaded on first use: scheduling, markdown (help, lessons), Anki export, plots, the screens after
# home, syntax highlighting (the trust prompt), and YAML parsing (a start whose decks all come from
# the deck cache parses none); the deck models (pydantic), the trust records, sessions and grading
# load in the background once the deck list, read from the deck cache's outlines, is on screen.
LATER = frozenset(
    {
        "fsrs",
        "markdown_it",
        "genanki",
        "textual_plotext",
        "yaml",
        "pydantic",
        "pygments",
        "jaxquiz.decks.loader",
        "jaxquiz.decks.models",
        "jaxquiz.trust",
        "jaxquiz.study.library",
        "jaxquiz.study.session",
        "jaxquiz.study.grading",
        "jaxquiz.tui.screens.trust",
        "jaxquiz.export",
        "jaxquiz.study.drill_run",
        "jaxquiz.tui.screens.drill",
        "jaxquiz.tui.screens.drill_setup",
        "jaxquiz.tui.screens.help",
        "jaxquiz.tui.screens.question",
        "jaxquiz.tui.screens.stats",
        "jaxquiz.tui.screens.summary",
        "jaxquiz.tui.screens.verdict",
    }
)

# What `jaxquiz` does before the home screen and the deck list show (the worker aside): the command
# line, the app, the engine and the store, and the deck list from the deck cache.
START = """
import jaxquiz.cli, jaxquiz.tui, jaxquiz.engine, jaxquiz.store
from jaxquiz.study.listing import list_decks
assert list_decks() is not None, "an earlier start filled the deck cache"
"""
# What an earlier start did in the background: load the decks (filling the deck cache).
LOADED = "from jaxquiz.study.library import open_library\nopen_library()"


def modules_after(code: str, data_dir: Path) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        env={"JAXQUIZ_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_probe_sees_the_later_modules_once_they_are_used(tmp_path):
    # Proves the probe can fail: the first start parses YAML, and opening the screens loads the rest.
    used = f"""{LOADED}
{START}
import jaxquiz.study.grading, jaxquiz.tui.screens.trust
from datetime import UTC, datetime
from jaxquiz.study.scheduler import Rating, Scheduler
Scheduler(lambda: datetime.now(UTC)).review(None, Rating.Good)
import jaxquiz.export, jaxquiz.study.drill_run, jaxquiz.tui.screens.stats
import jaxquiz.tui.screens.drill, jaxquiz.tui.screens.drill_setup, jaxquiz.tui.screens.help
import jaxquiz.tui.screens.summary
"""
    assert modules_after(used, tmp_path) >= LATER


def test_a_start_imports_only_what_the_home_screen_and_the_deck_list_need(tmp_path):
    modules_after(LOADED, tmp_path)  # the first start fills the deck cache
    assert sorted(modules_after(START, tmp_path) & LATER) == []
