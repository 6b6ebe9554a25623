"""SQLite state for an emulator: one connection per app, WAL, schema migrated when the app is made.

Two apps on the same file (an in-process one and a served one, or two tests in a row) see the same shop:
every write is its own ``BEGIN IMMEDIATE`` transaction and readers never block writers. The connection is
shared by the threads of one app (uvicorn's worker and test threads) behind a lock, and every statement is
short, so handlers call it directly from the event loop.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Migration = Sequence[str]
Seed = Callable[[sqlite3.Connection], None]

SHARED_MIGRATIONS: tuple[Migration, ...] = (
    (
        "CREATE TABLE IF NOT EXISTS sandbox_tokens ("
        " token_sha256 TEXT PRIMARY KEY, permissions TEXT NOT NULL, install_id TEXT,"
        " expires_at REAL NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sandbox_request_counts (route TEXT PRIMARY KEY, n INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sandbox_counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sandbox_faults ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT, route TEXT NOT NULL, status INTEGER NOT NULL,"
        " times INTEGER NOT NULL, after_commit INTEGER NOT NULL, retry_after REAL NOT NULL)",
    ),
)
"""Tables every emulator has; platform tables come after them in one ``user_version`` sequence."""

SHARED_STATE_TABLES = ("sandbox_request_counts", "sandbox_counters", "sandbox_faults")
"""What a reset empties besides the shop itself; issued tokens survive a reset."""


class Store:
    """The database behind one emulator app.

    ``migrations`` are the platform's own steps, applied after :data:`SHARED_MIGRATIONS`; step *n* of the
    combined list runs once, when ``PRAGMA user_version`` is below *n + 1*. ``seed`` fills a new or reset
    shop (categories, carriers) and must be idempotent.
    """

    def __init__(self, path: str | Path, migrations: Sequence[Migration] = (), seed: Seed | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._seed = seed
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._migrate([*SHARED_MIGRATIONS, *migrations])

    def _migrate(self, steps: Sequence[Migration]) -> None:
        with self.write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, step in enumerate(steps, start=1):
                if number <= version:
                    continue
                for statement in step:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")
            if version < len(steps) and self._seed is not None:
                self._seed(db)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A transaction that holds the database's write lock from its first statement: all or nothing."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several queries that build one answer."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def reset(self, tables: Sequence[str]) -> None:
        """Empty ``tables`` (children first) and the shared per-shop state, then seed again."""
        with self.write() as db:
            for table in [*tables, *SHARED_STATE_TABLES]:
                db.execute(f"DELETE FROM {table}")
            if self._seed is not None:
                self._seed(db)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def reset_store(
    db_path: str | Path, tables: Sequence[str], migrations: Sequence[Migration] = (), seed: Seed | None = None
) -> None:
    """Empty an emulator's shop in ``db_path`` back to its seed (stats and faults too; issued tokens
    stay), without serving it: what ``shelf sandbox reset`` does for every platform."""
    store = Store(db_path, migrations, seed)
    try:
        store.reset(tables)
    finally:
        store.close()
