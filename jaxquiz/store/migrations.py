"""Named, ordered schema migrations, each applied once in its own transaction and recorded.

A migration is `(name, step)`: `step` is SQL text (one or more statements) or a callable taking the
connection. Names are never renamed or reordered once released; a schema change is a new entry at
the end of `MIGRATIONS`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

from jaxquiz.errors import StoreError

MigrationStep = str | Callable[[sqlite3.Connection], None]
Migration = tuple[str, MigrationStep]

_INITIAL = """
CREATE TABLE drills (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    settings    TEXT NOT NULL,          -- JSON
    summary     TEXT                    -- JSON, set when the drill finishes
);

CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,          -- ISO 8601 UTC, fixed width so text order is time order
    deck         TEXT NOT NULL,
    question     TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    params       TEXT NOT NULL,          -- JSON
    answer       TEXT NOT NULL,
    correct      INTEGER CHECK (correct IN (0, 1)),  -- NULL: a self-graded card
    verdict      TEXT NOT NULL,          -- JSON
    response_ms  INTEGER NOT NULL CHECK (response_ms >= 0),
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    drill_id     INTEGER REFERENCES drills(id)
);
CREATE INDEX reviews_by_question ON reviews(deck, question, at);
CREATE INDEX reviews_by_time ON reviews(at);

-- The FSRS state of each (deck, question): the card JSON is the scheduler's, the other columns are
-- copies of what the queries filter on.
CREATE TABLE cards (
    deck           TEXT NOT NULL,
    question       TEXT NOT NULL,
    card           TEXT NOT NULL,        -- fsrs.Card JSON
    content_hash   TEXT NOT NULL,        -- of the question when it was last reviewed
    due            TEXT NOT NULL,        -- ISO 8601 UTC
    stability      REAL,                 -- days
    last_review_id INTEGER NOT NULL REFERENCES reviews(id),
    PRIMARY KEY (deck, question)
);
CREATE INDEX cards_by_due ON cards(due);
"""

# A deck quiz left before its end, so that it resumes where it was after a restart. One row per
# deck (a deck has one quiz to resume); `state` is the study layer's JSON (`study.paused`), which
# says its own version. The row goes when the quiz ends or the learner starts over.
_PAUSED_QUIZZES = """
CREATE TABLE paused_quizzes (
    deck     TEXT PRIMARY KEY,
    saved_at TEXT NOT NULL,                -- ISO 8601 UTC
    state    TEXT NOT NULL                 -- JSON
);
"""

MIGRATIONS: list[Migration] = [
    ("0001_initial", _INITIAL),
    ("0002_paused_quizzes", _PAUSED_QUIZZES),
]


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in the database, in the order they ran."""
    _ensure_table(conn)
    rows = conn.execute("SELECT name FROM schema_migrations ORDER BY rowid").fetchall()
    return [name for (name,) in rows]


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Apply the migrations not yet recorded, in order; return the names applied now.

    `conn` must be in autocommit mode (`isolation_level=None`) so that the explicit transactions
    here are the only ones. A migration that fails is rolled back whole and raises `StoreError`;
    the ones before it stay applied.
    """
    _check_names(migrations)
    known = {name for name, _ in migrations}
    unknown = [name for name in applied(conn) if name not in known]
    if unknown:
        raise StoreError(
            f"the progress database has migrations this jaxquiz does not know: {unknown}",
            where=_db_file(conn),
            fix="upgrade jaxquiz, or point JAXQUIZ_DATA_DIR at another folder",
        )

    done: list[str] = []
    for name, step in migrations:
        # IMMEDIATE takes the write lock before we look, so two processes opening the same database
        # at once cannot both decide to run the same migration.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("COMMIT")
                continue
            if isinstance(step, str):
                for statement in _statements(step):
                    conn.execute(statement)
            else:
                step(conn)
            conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat(timespec="microseconds")),
            )
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, Exception):
                raise StoreError(
                    f"migration {name!r} failed and was rolled back: {exc}",
                    where=_db_file(conn),
                    fix="report this as a bug; the database is unchanged by this migration",
                ) from exc
            raise
        done.append(name)
    return done


def _ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ( name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )


def _check_names(migrations: Sequence[Migration]) -> None:
    names = [name for name, _ in migrations]
    if len(set(names)) != len(names):
        raise ValueError(f"migration names must be unique: {names}")


def _statements(script: str) -> Iterator[str]:
    """Split SQL text into complete statements.

    `executescript` would be simpler, but it commits any open transaction first, which would make
    a multi-statement migration non-atomic. `complete_statement` keeps `;` inside strings and
    trigger bodies from splitting a statement.
    """
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \t\r\n;"):
                yield buffer
            buffer = ""
    if buffer.strip(" \t\r\n;"):
        # Trailing text without a final ';' (the split above always appends one, so this is only
        # an unterminated statement such as an open string): let SQLite report it.
        yield buffer


def _db_file(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return (row[2] if row else "") or ":memory:"
