"""A deck quiz left before its end, kept in the store so that it resumes where it was, even after
the app is closed.

The state is plain JSON (`STATE_VERSION` names its shape): the questions in the order they are
asked (the copies of missed ones included), how far the learner got, how each answer went, the
draws made so far, and what undo would put back. It is saved after every answer and undo and on
leaving, and forgotten when the quiz ends or the learner starts over.

The deck may change before the quiz resumes. Then the quiz goes on with the deck as it is: a
removed question leaves the quiz (and its answer the summary: its review stays in the log), an
edited one is asked as it reads now, a new one is asked at the end, and undo starts afresh (what it
would put back belongs to the deck as it was). Nothing left to ask, or a state this version cannot
read: the quiz starts over, and the learner is told why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jaxquiz.decks import LoadedDeck, content_hash
from jaxquiz.store import CardState, Store
from jaxquiz.store.models import from_text, to_text
from jaxquiz.study.scheduler import Rating
from jaxquiz.study.session import Entry, Result, Session, Taken

STATE_VERSION = 1


@dataclass(frozen=True)
class Left:
    """A quiz left earlier, rebuilt on the deck as it is now."""

    session: Session | None  # None: it cannot be resumed, `why` says why (it is forgotten)
    why: str = ""
    removed: int = 0  # questions of the quiz no longer in the deck
    edited: int = 0  # questions edited since
    added: int = 0  # questions new in the deck, asked at the end

    def describe(self) -> str:
        """Where the learner left the quiz, and how the deck changed since."""
        session = self.session
        assert session is not None
        text = (
            f"You left this quiz at question {session.position + 1} of {len(session)} "
            f"({session.score()[0]} right so far)."
        )
        changes = [
            f"{count} question{'s' * (count != 1)} {what}"
            for count, what in (
                (self.removed, "removed"),
                (self.edited, "edited"),
                (self.added, "new, asked at the end"),
            )
            if count
        ]
        if changes:
            text += f" The deck changed since: {', '.join(changes)}."
        return text


def save(session: Session, store: Store, at: datetime) -> None:
    """Keep the place of a deck quiz (`session.resume_key`); one finished, or with nothing
    answered yet (nothing to come back to), is forgotten instead.

    Raises `StoreError` when the database cannot be written.
    """
    key = session.resume_key
    if not key:
        return
    if session.finished or not session.results:
        store.drop_paused_quiz(key)
    else:
        store.save_paused_quiz(key, state_of(session), at)


def forget(session: Session, store: Store) -> None:
    """Start over: the place kept for this deck's quiz is dropped."""
    if session.resume_key:
        store.drop_paused_quiz(session.resume_key)


def load(fresh: Session, store: Store) -> Left | None:
    """The quiz of `fresh`'s deck left earlier, or None. `fresh` is the quiz as it would start now:
    its deck, random generator and lesson and edit marks are the resumed one's too.

    A quiz that cannot be resumed (see the module) is forgotten, and says why.
    """
    key = fresh.resume_key
    if not key or not fresh.entries:
        return None
    try:
        kept = store.paused_quiz(key)  # its JSON may not read back either (ValueError)
        if kept is None:
            return None
        left = _rebuild(fresh, fresh.entries[0].deck, kept.state)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        left = Left(None, f"The quiz you left could not be read back ({type(exc).__name__}): starting over.")
    if left.session is not None and left.session.finished:
        left = Left(None, "The questions you had left are no longer in the deck: starting over.")
    if left.session is None:
        store.drop_paused_quiz(key)
    return left


# -- the JSON state ------------------------------------------------------------------------------


def state_of(session: Session) -> dict[str, Any]:
    """The session as JSON data: `results[k]` is the answer to `entries[k]`."""
    assert len(session.results) == session.position, "a quiz answers its questions in order"
    entries = []
    for index, entry in enumerate(session.entries):
        item = session.drawn.get(index)
        entries.append(
            {
                "question": entry.question.id,
                "hash": content_hash(entry.deck.deck, entry.question),
                "again": entry.again,
                "params": None if item is None else item.params,
            }
        )
    where = {id(entry): index for index, entry in enumerate(session.entries)}
    return {
        "version": STATE_VERSION,
        "title": session.title,
        "position": session.position,
        "entries": entries,
        "results": [
            {"correct": r.correct, "rating": None if r.rating is None else int(r.rating)}
            for r in session.results
        ],
        "undo": [
            {
                "position": t.position,
                "review": t.review_id,
                "previous": None if t.previous is None else _card_of(t.previous),
                "again": None if t.again is None else where[id(t.again)],
                "answer": t.answer,
            }
            for t in session.undo
        ],
    }


def _card_of(card: CardState) -> dict[str, Any]:
    return {
        "card": card.card_json,
        "hash": card.content_hash,
        "due": to_text(card.due),
        "stability": card.stability,
    }


def _rebuild(fresh: Session, deck: LoadedDeck, state: Mapping[str, Any]) -> Left:
    if state.get("version") != STATE_VERSION:
        return Left(None, "The quiz you left was saved by another jaxquiz version: starting over.")
    questions = {q.id: q for q in deck.deck.questions}
    hashes = {q.id: content_hash(deck.deck, q) for q in deck.deck.questions}
    saved: list[Mapping[str, Any]] = list(state["entries"])
    position = int(state["position"])
    outcomes: list[Mapping[str, Any]] = list(state["results"])
    if not 0 <= position <= len(saved) or len(outcomes) != position:
        raise ValueError("the position does not match the answers")
    ids = {str(e["question"]) for e in saved}
    removed = ids - set(questions)
    edited = {i for i in ids - removed if any(e["hash"] != hashes[i] for e in saved if e["question"] == i)}
    added = [q for q in deck.deck.questions if q.id not in ids]
    unchanged = not (removed or edited or added)

    entries: list[Entry] = []
    draws: list[Any] = []
    answered: list[Mapping[str, Any]] = []
    for index, entry in enumerate(saved):
        question = questions.get(entry["question"])
        if question is None:
            continue  # removed from the deck: out of the quiz, and its answer out of the summary
        entries.append(Entry(deck, question, again=bool(entry["again"])))
        # A draw is kept only for the question it was drawn for: an edit may change its parameters.
        draws.append(entry["params"] if entry["hash"] == hashes[question.id] else None)
        if index < position:
            answered.append(outcomes[index])
    entries += [Entry(deck, q) for q in added]
    draws += [None] * len(added)

    session = Session(
        entries,
        fresh.rng,
        "quiz",
        str(state["title"]),
        fresh.lesson_decks,
        fresh.changed,
        resume_key=fresh.resume_key,
        position=len(answered),
    )
    for index, params in enumerate(draws):
        if params is not None and _fits(session.entries[index], params):
            session.place(index, dict(params))
    for index, outcome in enumerate(answered):
        item = session.item(index)
        assert item is not None
        correct, rating = outcome["correct"], outcome["rating"]
        correct = None if correct is None else bool(correct)
        session.results.append(Result(item, correct, None if rating is None else Rating(rating)))
    if unchanged:
        session.undo.extend(_taken(t, session) for t in state["undo"])
    return Left(session, removed=len(removed), edited=len(edited), added=len(added))


def _fits(entry: Entry, params: Any) -> bool:
    """Whether a saved draw is one the question can make (else it is drawn again)."""
    choices = entry.question.param_values()
    return (
        isinstance(params, Mapping)
        and set(params) == set(choices)
        and all(params[name] in values for name, values in choices.items())
    )


def _taken(data: Mapping[str, Any], session: Session) -> Taken:
    previous = data["previous"]
    entry = session.entries[data["position"]]
    card = None
    if previous is not None:
        stability = previous["stability"]
        card = CardState(
            entry.deck.id,
            entry.question.id,
            str(previous["card"]),
            str(previous["hash"]),
            from_text(previous["due"]),
            None if stability is None else float(stability),
        )
    again = None if data["again"] is None else session.entries[int(data["again"])]
    review = data["review"]
    answer = data.get("answer", "")  # absent from quizzes paused by earlier versions
    return Taken(
        int(data["position"]),
        None if review is None else int(review),
        card,
        again,
        answer if isinstance(answer, str) else "",
    )
