"""A drill being run: its questions drawn like a session's, every answer kept as a review of the
drill (scheduled like any other) that undo can take back, and the summary stored with the drill
when it ends.

The pure parts (picking, the clock, the numbers) are in `drills`; this module adds the store. No
textual here: the screens call `record` and `finish`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from jaxquiz.decks import LoadedDeck
from jaxquiz.engine import Verdict
from jaxquiz.errors import StoreError
from jaxquiz.store import Store
from jaxquiz.study.drills import (
    Drill,
    DrillAnswer,
    DrillItem,
    DrillSettings,
    DrillSummary,
    personal_best,
    pick_questions,
    summarize,
)
from jaxquiz.study.scheduler import Rating, Scheduler
from jaxquiz.study.session import Attempt, Entry, Item, Session, propose, records


@dataclass(frozen=True)
class Answered:
    """One answer of the drill, with what is needed to show its verdict again at the end."""

    item: Item
    answer: str
    verdict: Verdict
    response_ms: int
    rating: Rating

    @property
    def correct(self) -> bool:
        return bool(self.verdict.correct)


@dataclass
class DrillRun:
    """The drill (`drills.Drill`), its items drawn through a `Session`, and its row in the store.

    `drill.items[drill.position]` is always the session's current item: a question skipped because
    its own code fails is dropped from the drill (it is the deck's fault, not an answer).
    """

    drill: Drill
    session: Session
    store: Store
    scheduler: Scheduler
    drill_id: int
    answered: list[Answered] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)
    summary: DrillSummary | None = None

    @classmethod
    def start(
        cls,
        decks: Sequence[LoadedDeck],
        settings: DrillSettings,
        store: Store,
        scheduler: Scheduler,
        rng: random.Random,
    ) -> DrillRun | None:
        """Pick the questions and record the drill's start; None when no question matches."""
        picked = pick_questions(decks, settings, rng)
        if not picked:
            return None
        drill = Drill(settings, picked, scheduler.now)
        session = Session([Entry(p.deck, p.question) for p in picked], rng, "drill", "Drill")
        drill_id = store.start_drill(settings.as_json(), drill.started_at)
        return cls(drill, session, store, scheduler, drill_id)

    # -- the queue -----------------------------------------------------------------------------

    @property
    def settings(self) -> DrillSettings:
        return self.drill.settings

    @property
    def over(self) -> bool:
        return self.summary is not None or self.drill.is_over()

    def current(self) -> Item | None:
        """The question to ask now; None once the drill is over."""
        return None if self.over else self.session.current()

    def correct(self) -> int:
        return sum(a.correct for a in self.answered)

    # -- answers -------------------------------------------------------------------------------

    def record(
        self,
        item: Item,
        answer: str,
        verdict: Verdict,
        response_ms: int,
        *,
        looked: bool = False,
        picked: bool = False,
    ) -> Answered | None:
        """Count the answer in the drill and store it as a review with the drill's id.

        A question whose own code failed is skipped (None) and not stored; the answers before it
        can no longer be taken back. The store's error (`StoreError`) is raised after the drill has
        counted the answer, so the drill goes on.
        """
        assert item is self.session.current(), "answers come in the drill's order"
        if not records(verdict):
            self.session.skip()
            del self.drill.items[self.drill.position]
            self.skipped.append(item)
            return None
        rating = propose(item, verdict, response_ms, looked=looked, picked=picked)
        answered = Answered(item, answer, verdict, response_ms, rating)
        self.answered.append(answered)
        tags = DrillItem(item.deck, item.question).tags
        self.drill.record(
            DrillAnswer(item.deck.id, item.question.id, tags, answered.correct, response_ms, answer)
        )
        attempt = Attempt(item, answer, verdict, response_ms, looked=looked, picked=picked)
        session, at = self.session, self.scheduler.now()
        try:
            session.answer(attempt, rating, self.store, self.scheduler, at, drill_id=self.drill_id)
        except StoreError:
            session.answer(attempt, None, self.store, self.scheduler, at)  # counted, not stored
            raise
        return answered

    @property
    def can_take_back(self) -> bool:
        """Whether undo may take back the last answer: not in an interview (answers are final
        there, as in one), not once the drill is over, not past a skipped question."""
        return not self.settings.interview and not self.over and self.session.can_take_back

    def take_back(self) -> Item:
        """Undo the last answer: out of the drill's score and the store (its review and the card
        change), and its item (the same draw) is asked again. The clock is not turned back: a
        timed drill gives no time back for an undo.

        When the store refuses (`StoreError`), the drill is unchanged.
        """
        assert self.can_take_back
        item = self.session.take_back(self.store)
        self.answered.pop()
        self.drill.take_back()
        return item

    def finish(self) -> DrillSummary:
        """Stop the clock, sum up against the personal best, and store the summary (once).

        An interrupted drill is stored too (marked not completed: it never sets a best).
        """
        if self.summary is not None:
            return self.summary
        self.drill.stop()
        key = self.settings.key()
        earlier = [d.summary for d in self.store.drills() if d.id != self.drill_id and d.summary]
        self.summary = summarize(self.drill, personal_best(earlier, key))
        assert self.drill.stopped_at is not None
        self.store.finish_drill(self.drill_id, self.drill.stopped_at, self.summary.as_json())
        return self.summary

    def missed(self) -> list[Answered]:
        return [a for a in self.answered if not a.correct]
