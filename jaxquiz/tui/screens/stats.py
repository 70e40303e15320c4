"""Progress statistics as terminal plots: activity (a calendar heatmap), accuracy by deck and tag,
retention, drill scores and the due forecast, one tab each; the same figures as `jaxquiz stats`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static, TabbedContent, TabPane
from textual_plotext import Plot, PlotextPlot

from jaxquiz.decks import LoadResult
from jaxquiz.study.statistics import Accuracy, DrillPoint, Stats, compute, question_tags
from jaxquiz.tui.screens.base import AppScreen
from jaxquiz.tui.services import Services
from jaxquiz.tui.widgets.footer import AppFooter
from jaxquiz.tui.widgets.top_bar import TopBar

EMPTY = (
    "No reviews yet, so nothing to plot.\n\n"
    "Press Escape, pick a deck and press Enter to quiz it (s studies the marked decks, "
    "d starts a timed drill). Every answer is recorded and shows up here."
)
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
# The heatmap's columns: the weekday labels, then one column per week ("██ ").
DAY_LABEL_WIDTH = 4
WEEK_WIDTH = 3
TAGS_SHOWN = 12  # the weakest tags; more do not fit a terminal's height
DRILL_SETTINGS_SHOWN = 4
TABS = ("activity", "accuracy", "retention", "drills", "due")
DRILLS_LISTED = 3
# Rows of a plot that are not bars: the title, the frame's top and bottom, and the x ticks.
PLOT_FRAME_ROWS = 4
PERCENT_TICKS: tuple[list[float], list[str]] = ([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])


def heatmap(per_day: Sequence[tuple[str, int]], color: str, background: str) -> Content:
    """A calendar of the days in `per_day`: one column per week (Monday first), darker for more reviews."""
    if not per_day:
        return Content("")
    counts = {date.fromisoformat(day): n for day, n in per_day}
    first, last = min(counts), max(counts)
    start = first - timedelta(days=first.weekday())
    weeks = (last - start).days // 7 + 1
    # Shades by quartile of the active days, so one long day does not wash out all the others.
    active = sorted(n for n in counts.values() if n)
    cuts = [active[len(active) * k // 4] for k in (1, 2, 3)] if active else []
    base, full = Color.parse(background), Color.parse(color)
    shades = [base.blend(full, share).hex for share in (0.3, 0.5, 0.75, 1.0)]

    def cell(day: date) -> tuple[str, str]:
        if day < first or day > last:
            return ("   ", "")
        n = counts[day]
        if n == 0:
            return ("·· ", "$text-disabled")
        return ("██ ", shades[sum(n >= cut for cut in cuts)])

    lines = [Content.styled(month_row(first, last, weeks), "$text-muted")]
    for weekday in range(7):
        row: list[str | tuple[str, str]] = [(f"{WEEKDAYS[weekday]:<{DAY_LABEL_WIDTH}}", "$text-muted")]
        row.extend(cell(start + timedelta(weeks=week, days=weekday)) for week in range(weeks))
        lines.append(Content.assemble(*row))
    legend: list[str | tuple[str, str]] = [("less ", "$text-muted"), ("·· ", "$text-disabled")]
    legend.extend(("██ ", shade) for shade in shades)
    legend.append(("more", "$text-muted"))
    lines.append(Content.assemble(*legend))
    return Content("\n").join(lines)


def month_row(first: date, last: date, weeks: int) -> str:
    """The heatmap's top row: a month's name over the week of its 1st (the first week: the month
    it starts in), placed from the right so that a crowded partial first month gives way to the next."""
    start = first - timedelta(days=first.weekday())
    labels: list[tuple[int, str]] = []
    for week in range(weeks):
        days = [start + timedelta(weeks=week, days=d) for d in range(7)]
        firsts = [day for day in days if day.day == 1 and first <= day <= last]
        if firsts:
            labels.append((week, firsts[0].strftime("%b")))
        elif week == 0:
            labels.append((0, first.strftime("%b")))
    months = [" "] * (DAY_LABEL_WIDTH + WEEK_WIDTH * weeks)
    free_from = len(months) + 1  # a gap of one column between names
    for week, label in reversed(labels):
        column = DAY_LABEL_WIDTH + WEEK_WIDTH * week
        if column + len(label) < free_from:
            months[column : column + len(label)] = label
            free_from = column
    return "".join(months).rstrip()


def per_week(per_day: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Daily counts summed per week (its Monday), oldest first; the first week may be partial."""
    weeks: dict[str, int] = {}
    for day, n in per_day:
        monday = date.fromisoformat(day) - timedelta(days=date.fromisoformat(day).weekday())
        weeks[monday.isoformat()] = weeks.get(monday.isoformat(), 0) + n
    return list(weeks.items())


def activity_facts(stats: Stats) -> Content:
    per_day = stats.reviews_per_day
    week = sum(n for _, n in per_day[-7:])
    active = sum(1 for _, n in per_day if n)
    busiest = max(per_day, key=lambda dn: dn[1], default=("", 0))
    key = "$text-muted"
    streak = f"{stats.streak_days} day{'s' * (stats.streak_days != 1)}"
    rows: list[Content] = [
        Content.assemble(
            ("Streak      ", key), (streak, "bold $text-success" if stats.streak_days else "bold")
        ),
        Content.assemble(("Reviews     ", key), (str(stats.total_reviews), "bold")),
        Content.assemble(("Last 7 days ", key), str(week)),
        Content.assemble(("Active days ", key), f"{active} of {len(per_day)}"),
    ]
    if busiest[1]:
        rows.append(Content.assemble(("Busiest     ", key), f"{busiest[0]} ({busiest[1]})"))
    due = stats.due_now  # counted as the home screen counts it
    rows.append(Content.assemble(("Due now     ", key), (str(due), "bold $text-warning" if due else "")))
    return Content("\n").join(rows)


def int_ticks(top: int, most: int = 5) -> tuple[list[float], list[str]]:
    """Whole-number ticks from 0 to at least `top`, at most `most` of them (plotext would write 29.3)."""
    step = 1
    while top / step > most - 1:
        step = next(s * 10**k for k in range(6) for s in (1, 2, 5) if s * 10**k > step)
    ticks: list[float] = list(range(0, max(top, 1) + step, step))
    return ticks, [f"{t:g}" for t in ticks]


def weakest(items: Sequence[Accuracy], limit: int, least: int = 3) -> list[Accuracy]:
    """The `limit` least accurate, weakest first; those reviewed fewer than `least` times only
    when there are not enough others (one wrong answer says little about a tag)."""
    ranked = sorted(items, key=lambda a: (a.reviews < least, a.share, -a.reviews, a.name))
    return ranked[:limit]


def bar_label(accuracy: Accuracy) -> str:
    return f"{accuracy.name} {accuracy.share:.0%}"


def drill_series(
    points: Sequence[DrillPoint], limit: int = DRILL_SETTINGS_SHOWN
) -> dict[str, list[DrillPoint]]:
    """Drill scores grouped by settings, the settings drilled most often first."""
    groups: dict[str, list[DrillPoint]] = defaultdict(list)
    for point in points:
        groups[point.settings].append(point)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return dict(ranked[:limit])


class StatsScreen(AppScreen[None]):
    """Progress at a glance; 1-5 switch between the plots."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back"),
        *(Binding(str(n), f"tab('{name}')", name.capitalize(), show=False) for n, name in enumerate(TABS, 1)),
    ]

    HELP = """\
**Stats.** 1-5 (or the arrows on the tab bar) switch between the plots. Accuracy counts a
self-graded card as right when you rated it Good or Easy; retention is the share of each week's
reviews that were right. `jaxquiz stats` prints the same figures for the shell.
"""

    def __init__(self, services: Services, decks: LoadResult | None) -> None:
        super().__init__(services)
        self.stats = compute(services.store, question_tags(decks.decks if decks else []), services.now())
        # A drill ended before its first answer is stored, but has no score to plot.
        self.drills = [p for p in self.stats.drills if p.answered]

    def compose(self) -> ComposeResult:
        stats = self.stats
        yield TopBar("Stats")
        if stats.empty:
            yield Static(EMPTY, id="stats-empty")
            yield AppFooter()
            return
        with TabbedContent(id="stats-tabs"):
            with TabPane("1 Activity", id="activity"):
                with Horizontal(id="activity-row"):
                    yield Static(id="heatmap")
                    yield Static(activity_facts(stats), id="activity-facts")
                yield PlotextPlot(id="plot-activity")
            with TabPane("2 Accuracy", id="accuracy"), VerticalScroll(id="accuracy-scroll"):
                yield PlotextPlot(id="plot-decks")
                if stats.accuracy_by_tag:
                    yield PlotextPlot(id="plot-tags")
            with TabPane("3 Retention", id="retention"):
                yield PlotextPlot(id="plot-retention")
            with TabPane("4 Drills", id="drills"):
                if self.drills:
                    with Vertical():
                        yield PlotextPlot(id="plot-drills")
                        yield Static(id="drill-list")
                else:
                    yield Static(
                        "No drills yet. Press d on the home screen, or run `jaxquiz drill --count 10`.",
                        classes="stats-none",
                    )
            with TabPane("5 Due", id="due"):
                if any(n for _, n in stats.due_forecast):
                    yield PlotextPlot(id="plot-due")
                else:
                    yield Static("Nothing scheduled in the next two weeks.", classes="stats-none")
        yield AppFooter()

    def on_mount(self) -> None:
        if self.stats.empty:
            return
        variables = self.app.theme_variables
        self.query_one("#heatmap", Static).update(
            heatmap(self.stats.reviews_per_day, variables["success"], variables["background"])
        )
        self._plot_activity()
        self._plot_accuracy()
        self._plot_retention()
        self._plot_drills()
        self._plot_due()

    def _rgb(self, name: str) -> tuple[int, int, int]:
        return Color.parse(self.app.theme_variables[name]).rgb

    @staticmethod
    def _int_y(plt: Plot, top: int) -> None:
        ticks, labels = int_ticks(top)
        plt.ylim(0, ticks[-1])
        plt.yticks(ticks, labels)

    def _plot_activity(self) -> None:
        weeks = per_week(self.stats.reviews_per_day)
        plt = self.query_one("#plot-activity", PlotextPlot).plt
        counts = [n for _, n in weeks]
        plt.bar(list(range(len(weeks))), counts, width=0.6, marker="hd", color=self._rgb("success"))
        plt.xlim(-0.5, len(weeks) - 0.5)
        ticks: list[float] = list(range(0, len(weeks), 2))
        plt.xticks(ticks, [date.fromisoformat(weeks[int(i)][0]).strftime("%b %d") for i in ticks])
        self._int_y(plt, max(counts))
        plt.title("reviews per week")

    def _plot_accuracy(self) -> None:
        for selector, items, title in (
            ("#plot-decks", self.stats.accuracy_by_deck, "% right by deck"),
            ("#plot-tags", weakest(self.stats.accuracy_by_tag, TAGS_SHOWN), "% right, weakest tags"),
        ):
            for plot in self.query(selector).results(PlotextPlot):
                # One row per bar: the plot is as tall as its bars and the frame around them.
                plot.styles.height = len(items) + PLOT_FRAME_ROWS
                plt = plot.plt
                # Weakest at the top; plotext draws the first bar at the bottom.
                shown = sorted(items, key=lambda a: (a.share, a.name), reverse=True)
                plt.bar(
                    [bar_label(a) for a in shown],
                    [round(100 * a.share) for a in shown],
                    orientation="horizontal",
                    width=1 / 3,
                    color=self._rgb("success"),
                )
                plt.xlim(0, 100)
                plt.xticks(*PERCENT_TICKS)
                plt.title(title)

    @staticmethod
    def _date_x(plt: Plot, days: Sequence[str]) -> list[float]:
        """Days as numbers (days after the first) with dated ticks; plotext's own date axis
        spans a century when there is a single date."""
        start = min(date.fromisoformat(d) for d in days)
        xs: list[float] = [(date.fromisoformat(d) - start).days for d in days]
        span = max(xs)
        plt.xlim(-1 - span / 20, span + 1 + span / 20)
        ticks: list[float] = sorted({round(span * k / 4) for k in range(5)}) if span else [0]
        plt.xticks(ticks, [(start + timedelta(days=int(t))).strftime("%b %d") for t in ticks])
        return xs

    def _plot_retention(self) -> None:
        weeks = self.stats.retention_by_week
        plt = self.query_one("#plot-retention", PlotextPlot).plt
        days = self._date_x(plt, [w for w, _ in weeks])
        shares = [round(100 * s) for _, s in weeks]
        color = self._rgb("primary")
        plt.plot(days, shares, marker="braille", color=color)
        plt.scatter(days, shares, marker="●", color=color)
        plt.ylim(0, 100)
        plt.yticks(*PERCENT_TICKS)
        plt.title("% of reviews right, per week")

    def _plot_drills(self) -> None:
        if not self.drills:
            return
        plt = self.query_one("#plot-drills", PlotextPlot).plt
        series = drill_series(self.drills)
        shown = [p for points in series.values() for p in points]
        x_of = dict(zip((p.at for p in shown), self._date_x(plt, [p.at for p in shown]), strict=True))
        colors = [self._rgb(name) for name in ("primary", "success", "warning", "accent")]
        for (label, points), color in zip(series.items(), colors, strict=False):
            days, scores = [x_of[p.at] for p in points], [p.correct for p in points]
            plt.plot(days, scores, marker="braille", color=color, label=label)
            plt.scatter(days, scores, marker="●", color=color)
        self._int_y(plt, max(p.answered for p in self.drills))
        plt.title("drill scores (right answers) by settings")
        recent = self.drills[-DRILLS_LISTED:]
        self.query_one("#drill-list", Static).update(
            Content("\n").join(
                Content.assemble((p.at, "$text-muted"), f"  {p.correct:>3}/{p.answered:<3} ", p.settings)
                for p in reversed(recent)
            )
        )

    def _plot_due(self) -> None:
        for plot in self.query("#plot-due").results(PlotextPlot):
            forecast = self.stats.due_forecast
            plt = plot.plt
            counts = [n for _, n in forecast]
            plt.bar(list(range(len(counts))), counts, width=0.6, color=self._rgb("warning"))
            plt.xlim(-0.5, len(counts) - 0.5)
            ticks: list[float] = list(range(0, len(forecast), 2))
            labels = [
                "today" if i == 0 else date.fromisoformat(forecast[int(i)][0]).strftime("%a %d")
                for i in ticks
            ]
            plt.xticks(ticks, labels)
            self._int_y(plt, max(counts))
            plt.title("questions coming due, next two weeks (today: due now and later today)")

    def action_tab(self, name: str) -> None:
        for tabs in self.query("#stats-tabs").results(TabbedContent):
            tabs.active = name

    def action_back(self) -> None:
        self.dismiss(None)
