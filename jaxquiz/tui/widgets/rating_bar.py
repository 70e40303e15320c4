"""The four FSRS ratings with the proposed one highlighted: one key accepts it, 1-4 choose."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from jaxquiz.study.scheduler import Rating

RATING_STYLES = {
    Rating.Again: "$text-error",
    Rating.Hard: "$text-warning",
    Rating.Good: "$text-success",
    Rating.Easy: "$text-primary",
}


class RatingBar(Widget):
    """Again/Hard/Good/Easy with their keys; the proposed rating stands out."""

    DEFAULT_CSS = """
    RatingBar {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    proposed: reactive[Rating | None] = reactive(None)

    def __init__(self, proposed: Rating | None = None, best: Rating = Rating.Easy, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.set_reactive(RatingBar.proposed, proposed)
        self.best = best

    def render(self) -> Content:
        parts: list[Content | str | tuple[str, str]] = [("Rate: ", "bold")]
        for rating in Rating:
            if rating > self.best:  # not open to this answer: a key for it records `best`
                break
            chosen = rating == self.proposed
            style = f"bold reverse {RATING_STYLES[rating]}" if chosen else RATING_STYLES[rating]
            parts.append((f" {int(rating)} {rating.label} ", style))
            parts.append(" ")
        if self.proposed is not None:
            parts.append((f" Enter accepts {self.proposed.label}", "$text-muted"))
        if self.best < Rating.Easy:  # why the better ratings are not offered
            why = "a pick among options" if self.best == Rating.Hard else "after a hint or try-it"
            parts.append((f" ({why})", "$text-muted"))
        return Content.assemble(*parts)
