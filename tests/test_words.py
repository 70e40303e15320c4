"""Counts in messages: one draw, two draws."""

from jaxquiz.words import counted


def test_one_thing_is_singular_and_others_plural():
    assert [counted(n, "draw") for n in (0, 1, 2)] == ["0 draws", "1 draw", "2 draws"]
