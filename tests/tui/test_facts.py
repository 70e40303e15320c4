"""Labelled rows of facts, drawn by one widget: labels in their column, each value wrapped to the
width right of it and its lines kept under its first; the verdict's snapshot shows the colours."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content

from jaxquiz.tui.widgets.facts import Facts

ROWS = [
    ("You said", Content("(3, 2)")),
    ("Difference", Content("you said 2 where it is 5, and 3 where it is 3")),
    ("Output", Content("first line\nsecond")),
    ("A label too long", Content("x")),
]


class FactsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Facts(ROWS)
        yield Facts([("Last", Content("right under the rows above"))])


async def test_values_wrap_under_themselves_and_the_rows_take_their_lines(ui):
    app = FactsApp()
    async with app.run_test(size=(34, 12)) as pilot:
        await pilot.pause()
        assert ui.shown(app).splitlines() == [
            "You said    (3, 2)",
            "Difference  you said 2 where it is",
            "            5, and 3 where it is 3",
            "Output      first line",
            "            second",
            "A label too x",
            "long",
            "Last        right under the rows",
            "            above",
        ]
        first, second = app.query(Facts)
        assert (first.region.height, second.region.y) == (7, 7)
