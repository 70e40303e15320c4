"""The code box: numbered lines, the blank marked, long lines wrapped to the box's width."""

from __future__ import annotations

from textual.app import App, ComposeResult

from jaxquiz.tui.widgets.code_view import CodeView, render_code

LONG = 'x = jax.device_put(jnp.zeros((8, 6)), jax.NamedSharding(mesh, jax.P("x", "y")))'


class Box(App):
    def compose(self) -> ComposeResult:
        yield CodeView(f"a = 1\n{LONG}\nout = ___ + 2")


async def test_a_long_line_wraps_after_a_space_under_itself_beside_a_blank_number():
    async with Box().run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        shown = pilot.app.query_one(CodeView).render().plain.splitlines()
    assert shown == [
        "1 │ a = 1",
        "2 │ x = jax.device_put(jnp.zeros((8, 6)), ",
        '  │ jax.NamedSharding(mesh, jax.P("x", "y")))',  # the end of the line is on screen
        "3 │ out = ___ + 2",
    ]


def test_without_a_width_or_room_each_line_stays_whole():
    assert render_code(LONG).plain == f"1 │ {LONG}"
    assert render_code(LONG, width=12).plain == f"1 │ {LONG}"  # no room to wrap into
    word = "y" * 30
    assert render_code(word, width=24).plain.splitlines() == ["1 │ " + "y" * 20, "  │ " + "y" * 10]


def test_a_long_line_of_many_tokens_and_blanks_is_cut_in_one_pass():
    # Each slice or stylize of a highlighted line copies its spans: cut piece by piece, a deck's
    # line of 300 KB took minutes to show.
    code = "x = " + "a, ___ " * 20_000
    rows = render_code(code, width=80).plain.splitlines()
    assert len(rows) > 1000 and all(len(row) <= 80 for row in rows)
    assert "".join(row[4:] for row in rows) == code
