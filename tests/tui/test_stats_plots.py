"""The stats screen's pure helpers: the calendar heatmap, whole-number ticks, weekly sums, and
which tags count as the weakest."""

from __future__ import annotations

from datetime import date, timedelta

from jaxquiz.study.statistics import Accuracy
from jaxquiz.tui.screens.stats import heatmap, int_ticks, per_week, weakest

GREEN, BLACK = "#00ff00", "#000000"


def days_before(today: date, counts: list[int]) -> list[tuple[str, int]]:
    return [((today - timedelta(days=len(counts) - 1 - i)).isoformat(), n) for i, n in enumerate(counts)]


def test_the_heatmap_has_a_column_per_week_and_a_row_per_weekday():
    today = date(2025, 3, 1)  # a Saturday
    text = heatmap(days_before(today, [0] * 90 + [3]), GREEN, BLACK).plain.splitlines()
    assert len(text) == 1 + 7 + 1  # months, Mon..Sun, the legend
    assert text[0].split() == ["Dec", "Jan", "Feb", "Mar"]
    saturday = text[1 + 5]
    assert saturday.rstrip().endswith("██")  # today, the only day with reviews
    assert text[1 + 6].rstrip().endswith("··")  # last Sunday had none; this one is still to come
    assert text[-1].startswith("less ··") and text[-1].endswith("more")


def test_heatmap_shades_go_by_quartile_so_one_long_day_does_not_wash_out_the_rest():
    counts = [1, 2, 3, 4, 100]
    content = heatmap(days_before(date(2025, 3, 7), counts), GREEN, BLACK)
    cells = [span for span in content.spans if "██" in content.plain[span.start : span.end]]
    styles = [str(span.style) for span in cells[: len(counts)]]
    assert len(set(styles)) == 4  # 1, 2, 3 and 4+ are four shades; 4 and 100 share the darkest


def test_int_ticks_are_whole_numbers_up_to_the_top():
    assert int_ticks(3)[0] == [0, 1, 2, 3]
    assert int_ticks(176) == ([0, 50, 100, 150, 200], ["0", "50", "100", "150", "200"])
    assert int_ticks(0)[0] == [0, 1]


def test_per_week_sums_days_by_their_monday():
    days = days_before(date(2025, 3, 5), [1] * 10)  # Feb 24 (Mon) .. Mar 5 (Wed)
    assert per_week(days) == [("2025-02-24", 7), ("2025-03-03", 3)]


def test_the_weakest_tags_prefer_those_answered_a_few_times():
    tags = [Accuracy("once", 1, 0), Accuracy("often", 10, 4), Accuracy("good", 10, 9)]
    tags.append(Accuracy("so-so", 5, 3))
    assert [a.name for a in weakest(tags, 3)] == ["often", "so-so", "good"]
    assert [a.name for a in weakest(tags, 10)][-1] == "once"
