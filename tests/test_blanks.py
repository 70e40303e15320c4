"""Filling a fill question's blank: the one rule the worker grades with and try-it runs."""

from jaxquiz.blanks import BLANK, fill_blank
from jaxquiz.decks.models import BLANK as DECK_BLANK


def test_a_line_replaces_the_blank_as_typed():
    assert fill_blank("f(___)", "0, None", block=False) == "f(0, None)"


def test_a_block_is_indented_to_the_blanks_column():
    code = "def f(x):\n    ___\nout = f(1)"
    filled = fill_blank(code, "y = x\nreturn y\n", block=True)
    assert filled == "def f(x):\n    y = x\n    return y\nout = f(1)"


def test_only_the_first_blank_is_filled_and_the_decks_blank_is_the_same():
    assert fill_blank("___ + ___", "1", block=False) == "1 + ___"
    assert DECK_BLANK is BLANK
