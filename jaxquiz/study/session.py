"""A study session: the queue of questions to ask, each drawn once, and how an answer is recorded.

A session is either *study* (the due questions of the chosen decks, then a few new ones) or a
*quiz* of one deck (every question, in order or shuffled). Each question is drawn when first
needed: parameters picked with the session's random generator and substituted, so the question
after the current one can be prepared by the engine while the learner reads. No textual here.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, assert_never

from jaxquiz.blanks import fill_blank
from jaxquiz.decks import BLANK, LoadedDeck, QuestionBase, content_hash, draw, instantiate
from jaxquiz.decks.models import CardQuestion, ChoiceQuestion, FillQuestion, PuzzleQuestion, QuestionType
from jaxquiz.decks.setup_use import has_lesson
from jaxquiz.engine import Task, Verdict
from jaxquiz.engine.puzzle_draws import try_it_code
from jaxquiz.engine.tasks import task_of
from jaxquiz.store import CardState, Review, Store
from jaxquiz.study.scheduler import Rating, Scheduler, propose_rating

# New (never reviewed) questions added after the due ones when studying, so that a first session
# has something to do and a long backlog is not buried under new material.
NEW_PER_STUDY = 10

# A missed question comes back after this many others (or at the end of a shorter session).
AGAIN_GAP = 3
# An answer whose next review FSRS puts within this time is in a learning (or relearning) step:
# the question is asked again in the same session rather than another day.
STEP_HORIZON = timedelta(hours=1)

Mode = Literal["study", "quiz", "drill"]
# How the learner answers: one line, a multi-line editor, a list of options, or a flashcard.
InputKind = Literal["line", "block", "options", "card"]
# Recall first: typed answers, the options on request. `choice` shows the options at once.
AnswerMode = Literal["recall", "choice"]
ANSWER_MODES: tuple[AnswerMode, ...] = ("recall", "choice")


@dataclass(frozen=True, eq=False)
class Entry:
    """A question picked for a session, before its parameters are drawn."""

    deck: LoadedDeck
    question: QuestionBase
    again: bool = False  # asked again after a miss in this session


@dataclass(eq=False)
class Item:
    """One question as the learner sees it: parameters drawn and substituted.

    Compared by identity: the same question drawn twice is two items with two truths.
    """

    index: int
    deck: LoadedDeck
    question: QuestionBase  # as written in the deck
    shown: QuestionBase  # with the drawn parameters substituted
    params: dict[str, Any]
    content_hash: str
    lesson: bool = False  # show the deck's lesson (description, source, setup) before this question
    changed: bool = False  # the question was edited since the learner's last review
    again: bool = False  # missed earlier in this session, asked again

    @property
    def type(self) -> QuestionType:
        return self.question.type

    def input_kind(self, *, options_shown: bool = False) -> InputKind:
        """How the learner answers: typed first; the options of a typed question on request."""
        shown = self.shown
        match shown.type:
            case "shape" | "dtype" | "value" | "raises":
                return "options" if options_shown and shown.options else "line"
            case "fill":
                return "block" if isinstance(shown, FillQuestion) and shown.input == "block" else "line"
            case "puzzle":
                return "block"
            case "choice":
                return "options"
            case "card":
                return "card"
            case _:
                assert_never(shown.type)

    @property
    def has_fallback_options(self) -> bool:
        """A typed question whose options the learner may ask for."""
        return bool(self.shown.options) and not isinstance(self.shown, ChoiceQuestion)

    @property
    def multiple(self) -> bool:
        """A choice with several right options: the learner marks every one."""
        return isinstance(self.shown, ChoiceQuestion) and len(self.shown.correct) > 1

    @property
    def prefill(self) -> str:
        """The text a block editor starts with: a puzzle's signature line."""
        match self.shown.type:
            case "puzzle":
                assert isinstance(self.shown, PuzzleQuestion)
                return self.shown.starter
            case "fill" | "shape" | "dtype" | "value" | "raises" | "choice" | "card":
                return ""
            case _:
                assert_never(self.shown.type)

    @property
    def code(self) -> str:
        """The code shown to the learner ('' for a choice or a card without code)."""
        return getattr(self.shown, "code", None) or ""

    @property
    def options(self) -> list[str]:
        return list(self.shown.options or [])

    @property
    def task(self) -> Task | None:
        """What the engine runs for this item; None when nothing is executed."""
        shown = self.shown
        match shown.type:
            case "shape" | "dtype" | "value" | "raises" | "fill" | "puzzle":
                return task_of(shown, self.deck.deck.setup)
            case "card":
                has_code = isinstance(shown, CardQuestion) and bool(shown.code)
                return task_of(shown, self.deck.deck.setup) if has_code else None
            case "choice":
                return None
            case _:
                assert_never(shown.type)

    @property
    def difficulty(self) -> int:
        return self.question.level

    @property
    def location(self) -> str:
        """file:line of the question, for messages about a broken question."""
        return f"{self.deck.path}:{self.deck.line_of(self.question.id)}"

    def code_with(self, answer: str) -> str:
        """The code with `answer` in place of a fill's blank (as the engine would run it); for a
        puzzle, the learner's function run on the smallest draw it is graded on (its body inlined,
        so every intermediate array can be looked at); the code as shown for any other question."""
        code = self.code
        task = self.task
        if isinstance(self.shown, PuzzleQuestion) and task is not None and task.puzzle is not None:
            return try_it_code(task.puzzle, answer, code or None)
        if BLANK not in code or not isinstance(self.shown, FillQuestion):
            return code
        return fill_blank(code, answer, block=self.shown.input == "block")


@dataclass(frozen=True)
class Result:
    """How one item went, for the end-of-session summary."""

    item: Item
    correct: bool | None  # None: a self-graded card, or a question the deck got wrong
    rating: Rating | None  # None: not recorded


@dataclass(frozen=True)
class Attempt:
    """One answer to an item, everything the rating and the record need."""

    item: Item
    answer: str
    verdict: Verdict | None  # None: a self-graded card
    response_ms: int
    looked: bool = False  # the hint or try-it was opened before answering
    picked: bool = False  # picked from the options of a question that asks for typing

    def propose(self) -> Rating:
        return propose(self.item, self.verdict, self.response_ms, looked=self.looked, picked=self.picked)

    def best(self) -> Rating:
        """The best rating this answer may be recorded at, whatever the learner presses."""
        return best_rating(self.verdict, looked=self.looked, picked=self.picked)


@dataclass(frozen=True)
class Taken:
    """What undoing an answer puts back (kept with a paused quiz, so undo survives a restart)."""

    position: int
    review_id: int | None  # None: nothing was stored
    previous: CardState | None  # the card before the answer
    again: Entry | None  # the copy queued because it was missed
    answer: str = ""  # what was answered, to answer again from


@dataclass
class Session:
    """An ordered queue of questions; items are drawn lazily and kept once drawn."""

    entries: list[Entry]
    rng: random.Random
    mode: Mode = "quiz"
    title: str = ""
    lesson_decks: frozenset[str] = frozenset()  # decks whose lesson to show first (if they have one)
    changed: frozenset[tuple[str, str]] = frozenset()  # (deck, question) edited since reviewed
    resume_key: str = ""  # a deck quiz left before its end resumes under this key ("": never)
    position: int = 0
    results: list[Result] = field(default_factory=list)
    drawn: dict[int, Item] = field(default_factory=dict)  # the items drawn so far, by index
    undo: list[Taken] = field(default_factory=list)  # the answers undo can take back, last last

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def quiz(
        cls,
        deck: LoadedDeck,
        rng: random.Random,
        *,
        shuffled: bool = False,
        store: Store | None = None,
        now: datetime | None = None,
    ) -> Session:
        """Every question of one deck, in the deck's order or shuffled."""
        entries = [Entry(deck, q) for q in deck.deck.questions]
        if shuffled:
            rng.shuffle(entries)
        lessons, changed = _history([deck], store, now)
        title = f"Quiz · {deck.deck.title}" + (" (shuffled)" if shuffled else "")
        return cls(entries, rng, "quiz", title, lessons, changed, resume_key=deck.id)

    @classmethod
    def study(
        cls,
        decks: Sequence[LoadedDeck],
        store: Store,
        now: datetime,
        rng: random.Random,
        *,
        new_limit: int = NEW_PER_STUDY,
    ) -> Session:
        """The questions due at `now` in `decks` (most overdue first), then up to `new_limit` new ones.

        Cards of questions no longer in their deck are skipped.
        """
        by_id = {d.id: d for d in decks}
        entries: list[Entry] = []
        for deck_id, question_id in store.due_questions(list(by_id), now):
            deck = by_id[deck_id]
            try:
                entries.append(Entry(deck, deck.deck.question(question_id)))
            except KeyError:
                continue
        new = 0
        for deck in decks:
            for question in deck.deck.questions:
                if new >= new_limit:
                    break
                if store.card(deck.id, question.id) is None:
                    entries.append(Entry(deck, question))
                    new += 1
        lessons, changed = _history(decks, store, now)
        return cls(entries, rng, "study", "Study", lessons, changed)

    # -- the queue -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def finished(self) -> bool:
        return self.position >= len(self.entries)

    def item(self, index: int) -> Item | None:
        """The item at `index`, drawn on first use; None past the end."""
        if not 0 <= index < len(self.entries):
            return None
        if index not in self.drawn:
            self.drawn[index] = self._draw(index)
        return self.drawn[index]

    def place(self, index: int, params: dict[str, Any]) -> Item:
        """Draw the item at `index` with these parameter values (a resumed quiz keeps its draws)."""
        self.drawn[index] = self._draw(index, params)
        return self.drawn[index]

    def current(self) -> Item | None:
        return self.item(self.position)

    def peek(self) -> Item | None:
        """The item after the current one (drawn now, so its truth can be prepared ahead)."""
        return self.item(self.position + 1)

    def advance(self) -> Item | None:
        """Move to the next question and return it (None when the session is over)."""
        self.position += 1
        return self.current()

    def skip(self) -> None:
        """Move past the current item without an answer (a drill drops a question whose own code
        fails). Undo goes back in order, and this item left the queue: nothing before it can be
        taken back any more."""
        self.position += 1
        self.undo.clear()

    def answer(
        self,
        attempt: Attempt,
        rating: Rating | None,
        store: Store,
        scheduler: Scheduler,
        at: datetime,
        *,
        drill_id: int | None = None,
    ) -> Result:
        """Record the answer to the current item (unless it does not count) and move on.

        A question rated Again whose next review FSRS puts in a learning step comes back after a
        few others (not in a drill); the last answer can be taken back (`take_back`).
        """
        item = attempt.item
        assert item is self.current(), "answers come in the session's order"
        recorded = rating is not None and records(attempt.verdict)
        review_id = previous = again = None
        if recorded:
            assert rating is not None
            previous = store.card(item.deck.id, item.question.id)
            review_id, due = store_review(store, scheduler, attempt, rating, at, drill_id)
            if rating == Rating.Again and due - at <= STEP_HORIZON and self.mode != "drill":
                again = self._again(item)
        verdict = attempt.verdict
        correct = None if verdict is None or not records(verdict) else verdict.correct
        result = Result(item, correct, rating if recorded else None)
        self.results.append(result)
        self.undo.append(Taken(self.position, review_id, previous, again, attempt.answer))
        self.position += 1
        return result

    def _again(self, item: Item) -> Entry:
        entry = Entry(item.deck, item.question, again=True)
        at = min(self.position + 1 + AGAIN_GAP, len(self.entries))
        self._insert(at, entry)
        return entry

    def _insert(self, at: int, entry: Entry) -> None:
        self.entries.insert(at, entry)
        self._renumber(at, +1)

    def _remove(self, entry: Entry) -> None:
        at = next(i for i, e in enumerate(self.entries) if e is entry)
        del self.entries[at]
        self.drawn.pop(at, None)
        self._renumber(at + 1, -1)

    def _renumber(self, start: int, step: int) -> None:
        # Items already drawn past the change keep their draw, at their new place.
        moved = sorted((i for i in self.drawn if i >= start), reverse=step > 0)
        for index in moved:
            item = self.drawn.pop(index)
            item.index = index + step
            self.drawn[index + step] = item

    @property
    def can_take_back(self) -> bool:
        return bool(self.undo)

    def take_back(self, store: Store) -> Item:
        """Undo the last answer: its review and card change leave the store, its missed copy
        leaves the queue, and its item is the current one again (the same draw).

        When the store refuses (`StoreError`), nothing changes here either.
        """
        taken = self.undo[-1]
        if taken.review_id is not None:
            store.take_back(taken.review_id, taken.previous)
        self.undo.pop()
        if taken.again is not None:
            self._remove(taken.again)
        self.results.pop()
        self.position = taken.position
        item = self.current()
        assert item is not None
        return item

    def _draw(self, index: int, values: dict[str, Any] | None = None) -> Item:
        entry = self.entries[index]
        question = entry.question
        if values is None:
            values = draw(question, self.rng)
        earlier = {e.deck.id for e in self.entries[:index]}
        return Item(
            index=index,
            deck=entry.deck,
            question=question,
            shown=shuffle_options(instantiate(question, values), self.rng),
            params=dict(values),
            content_hash=content_hash(entry.deck.deck, question),
            lesson=entry.deck.id in self.lesson_decks
            and entry.deck.id not in earlier
            and has_lesson(entry.deck.deck),
            changed=(entry.deck.id, question.id) in self.changed,
            again=entry.again,
        )

    def heading(self, item: Item) -> str:
        """What the screens say the learner is doing: the quiz, or the deck being studied."""
        return self.title if self.mode == "quiz" else f"{self.title} · {item.deck.deck.title}"

    # -- answers -------------------------------------------------------------------------------

    def score(self) -> tuple[int, int]:
        """(right, graded) over the items answered so far; cards and skipped items not counted."""
        graded = [r for r in self.results if r.correct is not None]
        return sum(r.correct for r in graded if r.correct), len(graded)


def _history(
    decks: Sequence[LoadedDeck], store: Store | None, now: datetime | None
) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """Decks never studied (their lesson is shown) and questions edited since last reviewed."""
    if store is None or now is None:
        return frozenset(d.id for d in decks), frozenset()
    lessons = set()
    changed: set[tuple[str, str]] = set()
    for deck in decks:
        ids = [q.id for q in deck.deck.questions]
        if store.deck_summary(deck.id, ids, now).seen == 0:
            lessons.add(deck.id)
        hashes = {q.id: content_hash(deck.deck, q) for q in deck.deck.questions}
        changed.update((deck.id, q) for q in store.changed_questions(deck.id, hashes))
    return frozenset(lessons), frozenset(changed)


def shuffle_options(question: QuestionBase, rng: random.Random) -> QuestionBase:
    """The question with its options in a random order (a choice's `correct` follows them).

    Authors tend to write the right answer first; a fixed order would teach position, not JAX.
    """
    if not question.options:
        return question
    order = list(range(len(question.options)))
    rng.shuffle(order)
    update: dict[str, Any] = {"options": [question.options[i] for i in order]}
    if isinstance(question, ChoiceQuestion):
        update["correct"] = sorted(order.index(i) for i in question.correct)
    return question.model_copy(update=update)


# -- rating and recording ----------------------------------------------------------------------


def records(verdict: Verdict | None) -> bool:
    """Whether an answer with this verdict goes into the review log and the schedule.

    A question whose own code fails is the deck's fault, not the learner's: it is skipped.
    An answer that could not be read is sent back to the learner before any verdict, so it never
    gets here; if it does, it counts as wrong like any other.
    """
    return verdict is None or verdict.status != "question-error"


def propose(
    item: Item, verdict: Verdict | None, response_ms: int, *, looked: bool = False, picked: bool = False
) -> Rating:
    """The rating suggested for an answer: from correctness, response time and difficulty.

    A right answer found after looking (the hint, or running the code in try-it) is at best Good:
    that did part of the recall. A right pick among the options of a question that asks for
    typing is at best Hard: recognising is weaker than recalling.
    """
    correct = None if verdict is None else verdict.correct
    rating = propose_rating(correct, max(0, response_ms) / 1000, item.difficulty)
    return min(rating, best_rating(verdict, looked=looked, picked=picked))


def best_rating(verdict: Verdict | None, *, looked: bool = False, picked: bool = False) -> Rating:
    """The best rating a right answer found by picking an option (Hard) or after looking (Good)
    may have: recognising or being shown part of it is weaker than recalling it all."""
    correct = verdict is not None and verdict.correct
    if correct and picked:
        return Rating.Hard
    if correct and looked:
        return Rating.Good
    return Rating.Easy


def verdict_summary(verdict: Verdict | None) -> dict[str, Any]:
    """What the review log keeps of a verdict (JSON): enough to explain the grade later."""
    if verdict is None:
        return {"status": "self-graded"}
    summary: dict[str, Any] = {
        "status": verdict.status,
        "correct": verdict.correct,
        "understood": verdict.understood,
        "truth": verdict.truth.summary(),
        "device": verdict.device,
    }
    for key in ("difference", "note", "error"):
        value = getattr(verdict, key)
        if value:
            summary[key] = value
    return summary


def record_answer(
    store: Store,
    scheduler: Scheduler,
    item: Item,
    *,
    answer: str,
    verdict: Verdict | None,
    response_ms: int,
    rating: Rating,
    at: datetime,
    drill_id: int | None = None,
) -> datetime:
    """Store the review and the rescheduled card in one transaction; return when it is due next.

    `verdict=None` is a self-graded card.
    """
    attempt = Attempt(item, answer, verdict, response_ms)
    return store_review(store, scheduler, attempt, rating, at, drill_id)[1]


def store_review(
    store: Store,
    scheduler: Scheduler,
    attempt: Attempt,
    rating: Rating,
    at: datetime,
    drill_id: int | None = None,
) -> tuple[int, datetime]:
    """`record_answer` returning (the review's id, when the question is due next)."""
    item, answer, verdict, response_ms = attempt.item, attempt.answer, attempt.verdict, attempt.response_ms
    previous = store.card(item.deck.id, item.question.id)
    card_json, due = scheduler.review(previous.card_json if previous else None, rating, at)
    review = Review(
        at=at,
        deck=item.deck.id,
        question=item.question.id,
        content_hash=item.content_hash,
        params=item.params,
        answer=answer,
        correct=None if verdict is None else verdict.correct,
        verdict=verdict_summary(verdict),
        response_ms=max(0, int(response_ms)),
        rating=int(rating),
        drill_id=drill_id,
    )
    return store.record_review(review, card_json), due
