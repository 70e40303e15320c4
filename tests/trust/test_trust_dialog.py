"""The app's trust dialog, driven with Pilot: the code wrapped in full, prose left out, and the
change since the version agreed to shown first."""

from __future__ import annotations

import html
import re
import time

from textual.app import App

from jaxquiz.study.library import PendingTrust
from jaxquiz.trust import Snapshot, TrustStore, code_blocks, diff_blocks
from jaxquiz.tui.screens.trust import TrustScreen

DECK = """\
format: 1
deck: theirs
title: A deck from someone else
setup: import math
questions:
  - id: q
    type: shape
    prompt: A prompt nobody needs to vet
    code: out = jnp.ones(3) * len("{tail}")
    expect: (3,)
    timeout: 5
"""
LONG_TAIL = "x" * 150 + "-END-OF-A-LONG-LINE"


class DialogApp(App[None]):
    def __init__(self, pending: PendingTrust) -> None:
        super().__init__()
        self.pending = pending

    def on_mount(self) -> None:
        self.push_screen(TrustScreen(self.pending))


def screen_text(app: App) -> str:
    svg = app.export_screenshot()
    return " ".join(html.unescape(" ".join(re.findall(r">([^<]*)</text>", svg))).replace("\xa0", " ").split())


async def show(path) -> str:
    pending = PendingTrust(Snapshot.read(path), "path", "not trusted yet")
    app = DialogApp(pending)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        return screen_text(app)


async def test_a_long_line_is_wrapped_and_shown_to_its_end(tmp_path):
    path = tmp_path / "deck.yaml"
    path.write_text(DECK.format(tail=LONG_TAIL))
    text = await show(path)
    assert "END-OF-A-LONG-LINE" in text
    assert "import math" in text  # the deck's setup runs too
    assert "A prompt nobody needs to vet" not in text


async def test_a_changed_deck_shows_what_changed_since_it_was_agreed_to(tmp_path):
    path = tmp_path / "deck.yaml"
    path.write_text(DECK.format(tail="first"))
    TrustStore.load().trust_file(path)
    path.write_text(
        DECK.format(tail="first").replace("code: out = jnp.ones(3)", "code: import os; out = jnp.ones(3)")
    )
    text = await show(path)
    assert "What changed since you agreed to it" in text
    assert "@@ question q: code (line 9)" in text
    assert '-│ out = jnp.ones(3) * len("first")' in text
    assert '+│ import os; out = jnp.ones(3) * len("first")' in text


LISTS = """\
format: 1
deck: theirs
title: T
questions:
  - id: a
    type: value
    prompt: p
    code: |
      x = 1
      out = x
    expect: "1"
  - id: b
    type: choice
    prompt: q
    options: [jax.jit, jax.vmap]
    correct: [0]
  - id: c
    type: value
    prompt: p
    code: out = 2
    expect: "2"
"""


def test_the_diff_shows_only_what_changed_not_the_blocks_that_moved_with_the_change_s_place():
    edited = LISTS.replace("      x = 1\n", "      x = 1\n      import os\n").replace("out = 2", "out = 3")
    diff = diff_blocks(code_blocks(LISTS), code_blocks(edited)).splitlines()
    assert diff[:3] == ["--- the version you agreed to", "+++ this version", "@@ question a: code (line 8)"]
    # every block below moved a line down: none is shown as changed, its place says where it is now
    assert [line for line in diff if line[:1] in "+-"][2:] == ["+import os", "-out = 2", "+out = 3"]
    assert "@@ question c: code (line 21)" in diff  # the second hunk, where it is now
    assert not any("question b" in line for line in diff)  # unchanged, far from both changes
    assert diff_blocks(code_blocks(LISTS), code_blocks(LISTS)) == ""


def test_the_diff_of_a_deck_of_many_alike_lines_is_quick():
    """A deck is anyone's file: 20,000 equal lines took 40 s to compare line by line."""
    code = "\n".join(["x = 1"] * 20000)
    start = time.process_time()
    diff = diff_blocks(
        [("question a: code (line 5)", code)], [("question a: code (line 5)", code + "\nz = 3")]
    )
    assert time.process_time() - start < 5  # about 0.05 s
    assert "+z = 3" in diff.splitlines()


async def test_a_list_item_kept_reads_apart_from_one_taken_out(tmp_path):
    path = tmp_path / "deck.yaml"
    path.write_text(LISTS)
    TrustStore.load().trust_file(path)
    path.write_text(LISTS.replace("jax.vmap]", "jax.pmap]"))
    text = await show(path)
    assert "│ - jax.jit -│ - jax.vmap +│ - jax.pmap" in text


def test_code_blocks_are_every_value_that_is_not_prose():
    blocks = dict(code_blocks(DECK.format(tail="t")))
    assert blocks == {
        "deck setup (line 4)": "import math",
        "question q: code (line 9)": 'out = jnp.ones(3) * len("t")',
        "question q: expect (line 10)": "(3,)",
    }


def test_a_source_and_a_card_s_back_are_prose_and_a_card_s_code_is_not():
    deck = DECK.format(tail="t").replace("setup: import math\n", "source: https://example.org\n") + (
        "  - id: c\n    type: card\n    prompt: Front\n    back: Nothing runs here.\n    code: out = 2\n"
    )
    blocks = dict(code_blocks(deck))
    assert "Nothing runs here." not in blocks.values() and "https://example.org" not in blocks.values()
    assert blocks["question c: code (line 16)"] == "out = 2"
