"""Migrations run once, are recorded, roll back whole on failure, and re-opening changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jaxquiz.errors import StoreError
from jaxquiz.store import MIGRATIONS, Store, applied, migrate


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows}


def test_open_creates_parent_dir_runs_and_records_migrations(db_path: Path) -> None:
    assert not db_path.parent.exists()
    Store.open(db_path).close()

    conn = raw(db_path)
    assert applied(conn) == [name for name, _ in MIGRATIONS]
    assert {"reviews", "cards", "drills", "schema_migrations"} <= tables(conn)


def test_reopen_is_a_no_op(db_path: Path) -> None:
    Store.open(db_path).close()
    conn = raw(db_path)
    before = conn.execute("SELECT name, applied_at FROM schema_migrations").fetchall()
    schema = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    conn.close()

    Store.open(db_path).close()

    conn = raw(db_path)
    assert conn.execute("SELECT name, applied_at FROM schema_migrations").fetchall() == before
    assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    assert migrate(conn) == []


def test_migrate_returns_what_it_applied(tmp_path: Path) -> None:
    conn = raw(tmp_path / "x.sqlite3")
    names = [name for name, _ in MIGRATIONS]
    assert migrate(conn) == names
    assert migrate(conn) == []
    later = [*MIGRATIONS, ("9000_note", "ALTER TABLE reviews ADD COLUMN note TEXT")]
    assert migrate(conn, later) == ["9000_note"]
    assert applied(conn) == [*names, "9000_note"]


def test_a_database_of_the_first_release_gains_the_paused_quizzes(db_path: Path, t0) -> None:
    """Progress saved before quizzes were kept across restarts opens and migrates in place."""
    with Store.open(db_path, migrations=MIGRATIONS[:1]) as first:
        first.start_drill({"count": 1}, t0)
    with Store.open(db_path) as store:
        assert applied(raw(db_path)) == ["0001_initial", "0002_paused_quizzes"]
        assert len(store.drills(finished_only=False)) == 1
        assert store.paused_quiz("basics") is None
        store.save_paused_quiz("basics", {"position": 2}, t0)
        assert store.paused_quiz("basics").state == {"position": 2}


def test_failed_sql_migration_is_rolled_back_whole(db_path: Path) -> None:
    # The first statement succeeds, the second fails: the first must not survive.
    broken = [
        *MIGRATIONS,
        ("9000_broken", "CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1);"),
    ]
    with pytest.raises(StoreError, match="9000_broken"):
        Store.open(db_path, migrations=broken)

    conn = raw(db_path)
    assert "extra" not in tables(conn)
    assert applied(conn) == [name for name, _ in MIGRATIONS]
    assert not conn.in_transaction


def test_failed_callable_migration_is_rolled_back(db_path: Path) -> None:
    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE extra (x)")
        conn.execute("INSERT INTO extra VALUES (1)")
        raise RuntimeError("interrupted")

    with pytest.raises(StoreError, match="interrupted"):
        Store.open(db_path, migrations=[*MIGRATIONS, ("9000_half", half_done)])

    conn = raw(db_path)
    assert "extra" not in tables(conn)
    assert applied(conn) == [name for name, _ in MIGRATIONS]
    # Fixed and re-run, the migration applies.
    conn.close()
    fixed = [*MIGRATIONS, ("9000_half", "CREATE TABLE extra (x)")]
    Store.open(db_path, migrations=fixed).close()
    assert "extra" in tables(raw(db_path))


def test_statements_split_only_between_statements(tmp_path: Path) -> None:
    script = """
        CREATE TABLE t (s TEXT DEFAULT 'a;b');  -- a comment; with a semicolon
        CREATE TABLE log (s TEXT);
        CREATE TRIGGER t_log AFTER INSERT ON t BEGIN
            INSERT INTO log VALUES (new.s || ';');
        END;
        INSERT INTO t DEFAULT VALUES;
    """
    conn = raw(tmp_path / "x.sqlite3")
    migrate(conn, [("0001_tricky", script)])
    assert conn.execute("SELECT s FROM log").fetchall() == [("a;b;",)]


def test_database_from_a_newer_jaxquiz_is_refused(db_path: Path) -> None:
    Store.open(db_path, migrations=[*MIGRATIONS, ("0099_future", "SELECT 1")]).close()
    with pytest.raises(StoreError, match="0099_future") as info:
        Store.open(db_path)
    assert "upgrade jaxquiz" in info.value.message


def test_duplicate_migration_names_are_a_bug(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unique"):
        migrate(raw(tmp_path / "x.sqlite3"), [("a", "SELECT 1"), ("a", "SELECT 2")])


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"this is not sqlite " * 100)
    with pytest.raises(StoreError) as info:
        Store.open(path)
    assert str(path) in info.value.message
    assert "move it aside" in info.value.message


def test_connection_settings(db_path: Path) -> None:
    with Store.open(db_path) as store:
        conn = store._conn
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
