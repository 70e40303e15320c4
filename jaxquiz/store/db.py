"""The progress database: the review log, the FSRS card of each question, drills, paused quizzes."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from jaxquiz.errors import StoreError
from jaxquiz.store.migrations import MIGRATIONS, Migration, migrate
from jaxquiz.store.models import (
    MASTERY_STABILITY_DAYS,
    CardState,
    DeckSummary,
    DrillRecord,
    PausedQuiz,
    Review,
    from_text,
    to_text,
)

MEMORY = ":memory:"

# How long a write waits for another process (a second jaxquiz) to release the lock before failing.
BUSY_TIMEOUT_MS = 5_000


class Store:
    """A connection to the progress database; build it with `Store.open`.

    Safe to share between threads (one lock serialises use of the single connection), so a
    Textual thread worker may record a review while the UI thread reads summaries.
    """

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self._path = path
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: str | Path, *, migrations: Sequence[Migration] = MIGRATIONS) -> Self:
        """Open (creating if needed) and migrate the database at `path`; ":memory:" for tests."""
        where = str(path)
        if where != MEMORY:
            file = Path(path).expanduser()
            where = str(file)
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the data folder: {exc}",
                    where=str(file.parent),
                    fix="set JAXQUIZ_DATA_DIR to a folder you can write to",
                ) from exc
        try:
            # isolation_level=None: no implicit transactions; every write below says BEGIN itself.
            # check_same_thread=False: the lock in Store serialises threads instead.
            conn = sqlite3.connect(where, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open the progress database: {exc}",
                where=where,
                fix="check that the folder exists and is writable",
            ) from exc
        try:
            _configure(conn)
            migrate(conn, migrations)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(
                f"cannot use the progress database: {exc}",
                where=where,
                fix="if the file is not a jaxquiz database, move it aside and start again",
            ) from exc
        except BaseException:
            conn.close()
            raise
        return cls(conn, where)

    @property
    def path(self) -> str:
        """The database file, or ":memory:"."""
        return self._path

    def close(self) -> None:
        """Close the connection; the Store is unusable afterwards."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------

    def record_review(self, review: Review, card: str | None = None) -> int:
        """Append `review` to the log and, given `card`, update its FSRS card; return the id.

        `card` is the fsrs.Card JSON from `Scheduler.review`; its `due` and `stability` are copied
        into columns for the queries. Both writes are one transaction: after a crash the card never
        reflects a review the log lacks, or the reverse. `card=None` records without rescheduling.
        """
        card_row = _card_columns(card) if card is not None else None
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO reviews (at, deck, question, content_hash, params, answer, correct,"
                " verdict, response_ms, rating, drill_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    to_text(review.at, "Review.at"),
                    review.deck,
                    review.question,
                    review.content_hash,
                    _to_json(review.params),
                    review.answer,
                    None if review.correct is None else int(review.correct),
                    _to_json(review.verdict),
                    review.response_ms,
                    int(review.rating),
                    review.drill_id,
                ),
            )
            review_id = cursor.lastrowid
            assert review_id is not None  # an INSERT into a rowid table always sets it
            if card_row is not None:
                card_json, due, stability = card_row
                conn.execute(
                    "INSERT INTO cards (deck, question, card, content_hash, due, stability,"
                    " last_review_id) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (deck, question) DO UPDATE SET card = excluded.card,"
                    " content_hash = excluded.content_hash, due = excluded.due,"
                    " stability = excluded.stability, last_review_id = excluded.last_review_id",
                    (
                        review.deck,
                        review.question,
                        card_json,
                        review.content_hash,
                        due,
                        stability,
                        review_id,
                    ),
                )
        return review_id

    def take_back(self, review_id: int, previous: CardState | None) -> None:
        """Undo `record_review`: the review leaves the log and the card is what it was before it
        (`previous`, or no card when the question had none), in one transaction."""
        with self._write() as conn:
            row = conn.execute("SELECT deck, question FROM reviews WHERE id = ?", (review_id,)).fetchone()
            if row is None:
                raise StoreError(
                    f"the answer to take back (review {review_id}) is no longer in the log",
                    where=self._path,
                    fix="nothing to undo: answer the next question",
                )
            deck, question = row
            # An undo kept across a pause (a quiz resumed later) may come after the question was
            # answered again elsewhere: putting `previous` back would erase that later review's card.
            (last,) = conn.execute(
                "SELECT max(id) FROM reviews WHERE deck = ? AND question = ?", (deck, question)
            ).fetchone()
            if last != review_id:
                raise StoreError(
                    f"{deck}/{question} was answered again since, so that answer is no longer its last",
                    where=self._path,
                    fix="nothing to undo: the later answer decides its schedule",
                )
            # The card row points at the review (a foreign key): it goes first.
            conn.execute("DELETE FROM cards WHERE deck = ? AND question = ?", (deck, question))
            if previous is not None:
                (last,) = conn.execute(
                    "SELECT max(id) FROM reviews WHERE deck = ? AND question = ? AND id < ?",
                    (deck, question, review_id),
                ).fetchone()
                card_json, due, stability = _card_columns(previous.card_json)
                conn.execute(
                    "INSERT INTO cards (deck, question, card, content_hash, due, stability,"
                    " last_review_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (deck, question, card_json, previous.content_hash, due, stability, last),
                )
            conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))

    def save_paused_quiz(self, deck: str, state: Mapping[str, Any], at: datetime) -> None:
        """Keep where a quiz of `deck` was left (`state`: JSON data), replacing any earlier one."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO paused_quizzes (deck, saved_at, state) VALUES (?, ?, ?)"
                " ON CONFLICT (deck) DO UPDATE SET saved_at = excluded.saved_at, state = excluded.state",
                (deck, to_text(at, "paused quiz"), _to_json(state)),
            )

    def drop_paused_quiz(self, deck: str) -> None:
        """Forget the quiz of `deck` left earlier (it ended, or the learner starts over)."""
        with self._write() as conn:
            conn.execute("DELETE FROM paused_quizzes WHERE deck = ?", (deck,))

    def start_drill(self, settings: Mapping[str, Any], at: datetime) -> int:
        """Record the start of a drill with its settings; return its id for `Review.drill_id`."""
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO drills (started_at, settings) VALUES (?, ?)",
                (to_text(at, "drill start"), _to_json(settings)),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_drill(self, drill_id: int, at: datetime, summary: Mapping[str, Any]) -> None:
        """Record the end of a drill and its summary (score, times...)."""
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE drills SET finished_at = ?, summary = ? WHERE id = ?",
                (to_text(at, "drill finish"), _to_json(summary), drill_id),
            )
            if cursor.rowcount != 1:
                raise ValueError(f"no drill with id {drill_id}")

    # -- reading ---------------------------------------------------------------------------------

    def card(self, deck: str, question: str) -> CardState | None:
        """The stored FSRS card of a question, or None if it was never reviewed with a card."""
        row = self._fetch_one(
            "SELECT card, content_hash, due, stability FROM cards WHERE deck = ? AND question = ?",
            (deck, question),
        )
        if row is None:
            return None
        card_json, content_hash, due, stability = row
        return CardState(deck, question, card_json, content_hash, from_text(due), stability)

    def paused_quiz(self, deck: str) -> PausedQuiz | None:
        """The quiz of `deck` left before its end, or None."""
        row = self._fetch_one("SELECT saved_at, state FROM paused_quizzes WHERE deck = ?", (deck,))
        if row is None:
            return None
        saved_at, state = row
        return PausedQuiz(deck, from_text(saved_at), json.loads(state))

    def paused_quiz_decks(self) -> set[str]:
        """The decks with a quiz left before its end."""
        return {deck for (deck,) in self._fetch_all("SELECT deck FROM paused_quizzes", ())}

    def due_questions(self, decks: Sequence[str] | None, now: datetime) -> list[tuple[str, str]]:
        """(deck, question) of the cards due at `now`, most overdue first; `decks=None`: all."""
        if decks is not None and not decks:
            return []
        sql = "SELECT deck, question FROM cards WHERE due <= ?"
        args: list[Any] = [to_text(now, "now")]
        if decks is not None:
            sql += f" AND deck IN ({', '.join('?' * len(decks))})"
            args.extend(decks)
        sql += " ORDER BY due, deck, question"
        return [(deck, question) for deck, question in self._fetch_all(sql, args)]

    def deck_summary(self, deck: str, question_ids: Sequence[str], now: datetime) -> DeckSummary:
        """Seen, due and mastered counts over `question_ids` (the deck's questions today).

        Mastered: the last review was recalled (correct, or rated Good/Easy when self-graded) and
        the card's stability is at least `MASTERY_STABILITY_DAYS`.
        """
        current = set(question_ids)
        now_text = to_text(now, "now")
        rows = self._fetch_all(
            "SELECT c.question, c.due, c.stability, r.correct, r.rating"
            " FROM cards AS c JOIN reviews AS r ON r.id = c.last_review_id WHERE c.deck = ?",
            (deck,),
        )
        seen = due = mastered = 0
        for question, due_text, stability, correct, rating in rows:
            if question not in current:
                continue
            seen += 1
            due += due_text <= now_text
            recalled = rating >= 3 if correct is None else bool(correct)
            mastered += recalled and (stability or 0.0) >= MASTERY_STABILITY_DAYS
        return DeckSummary(total=len(current), seen=seen, due=due, mastered=mastered)

    def reviews(self, deck: str | None = None, since: datetime | None = None) -> list[Review]:
        """The review log, oldest first, optionally of one deck and from `since` (inclusive)."""
        sql = (
            "SELECT at, deck, question, content_hash, params, answer, correct, verdict,"
            " response_ms, rating, drill_id FROM reviews WHERE 1"
        )
        args: list[Any] = []
        if deck is not None:
            sql += " AND deck = ?"
            args.append(deck)
        if since is not None:
            sql += " AND at >= ?"
            args.append(to_text(since, "since"))
        sql += " ORDER BY at, id"
        return [
            Review(
                at=from_text(at),
                deck=deck_,
                question=question,
                content_hash=content_hash,
                params=json.loads(params),
                answer=answer,
                correct=None if correct is None else bool(correct),
                verdict=json.loads(verdict),
                response_ms=response_ms,
                rating=rating,
                drill_id=drill_id,
            )
            for (
                at,
                deck_,
                question,
                content_hash,
                params,
                answer,
                correct,
                verdict,
                response_ms,
                rating,
                drill_id,
            ) in self._fetch_all(sql, args)
        ]

    def changed_questions(self, deck: str, content_hashes: Mapping[str, str]) -> set[str]:
        """Questions of `content_hashes` ({id: current hash}) whose card was made for other content.

        Questions never reviewed are not "changed"; they are new.
        """
        rows = self._fetch_all("SELECT question, content_hash FROM cards WHERE deck = ?", (deck,))
        return {
            question
            for question, stored in rows
            if question in content_hashes and content_hashes[question] != stored
        }

    def due_dates(self, decks: Sequence[str] | None = None) -> list[datetime]:
        """When each stored card is next due (for a forecast); `decks=None`: all decks."""
        sql = "SELECT due FROM cards"
        args: list[Any] = []
        if decks is not None:
            sql += f" WHERE deck IN ({', '.join('?' * len(decks))})"
            args.extend(decks)
        return [from_text(due) for (due,) in self._fetch_all(sql + " ORDER BY due", args)]

    def drills(self, finished_only: bool = True) -> list[DrillRecord]:
        """Every drill, oldest first, with its settings and summary."""
        sql = "SELECT id, started_at, finished_at, settings, summary FROM drills"
        if finished_only:
            sql += " WHERE finished_at IS NOT NULL"
        return [
            DrillRecord(
                id=drill_id,
                started_at=from_text(started),
                finished_at=from_text(finished) if finished else None,
                settings=json.loads(settings),
                summary=json.loads(summary) if summary else None,
            )
            for drill_id, started, finished, settings, summary in self._fetch_all(
                sql + " ORDER BY started_at, id", []
            )
        ]

    # -- plumbing --------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. IMMEDIATE takes the write lock up front, so a second jaxquiz
        waits (busy_timeout) at BEGIN instead of failing midway with SQLITE_BUSY."""
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(
                    f"could not save progress: {exc}",
                    where=self._path,
                    fix="check free disk space and that no other program holds the database",
                ) from exc

    def _fetch_all(self, sql: str, args: Sequence[Any]) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def _fetch_one(self, sql: str, args: Sequence[Any]) -> Any:
        with self._lock:
            return self._conn.execute(sql, args).fetchone()


def _configure(conn: sqlite3.Connection) -> None:
    # WAL: a crash mid-write leaves the main file untouched and the half-written WAL frames are
    # ignored on the next open, and readers never block the writer.
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: WAL alone already survives kill -9 (a COMMIT has handed the WAL to the OS before it
    # returns), but NORMAL may lose the last answers on power loss or an OS crash. FULL fsyncs the
    # WAL at each commit; at one commit per answered question that costs nothing a person notices.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _card_columns(card: str) -> tuple[str, str, float | None]:
    """(card JSON, due text, stability) from fsrs.Card JSON, checked before any write starts."""
    try:
        fields = json.loads(card)
        due = to_text(from_text(fields["due"]), "card due")
        stability = fields.get("stability")
        stability = None if stability is None else float(stability)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"card is not fsrs.Card JSON with a timezone-aware 'due': {exc}") from exc
    return card, due, stability


def _to_json(value: Mapping[str, Any]) -> str:
    # sort_keys: equal dicts give equal text, so the log can be compared and deduplicated as text.
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
