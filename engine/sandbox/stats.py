"""Request counts kept in the database, so tests can see what a client really sent.

Counts live in SQLite rather than memory so that a served sandbox and an in-process app on the same file
report the same numbers. Every request an API route receives is counted, whatever its answer (a refused
or faulted request was still sent); routing misses, control routes and file downloads are not.
"""

from __future__ import annotations

from typing import Any

from engine.sandbox.store import Store

WRITES = "writes"
UPLOAD_BYTES = "upload_bytes"


class Stats:
    def __init__(self, store: Store):
        self._store = store

    def count(self, route: str, *, write: bool) -> None:
        """One request to ``route`` ("METHOD /template"); ``write`` when it may change the shop."""
        with self._store.write() as db:
            db.execute(
                "INSERT INTO sandbox_request_counts (route, n) VALUES (?, 1)"
                " ON CONFLICT(route) DO UPDATE SET n = n + 1",
                (route,),
            )
            if write:
                _bump(db, WRITES, 1)

    def add_upload_bytes(self, size: int) -> None:
        if size:
            with self._store.write() as db:
                _bump(db, UPLOAD_BYTES, size)

    def snapshot(self) -> dict[str, Any]:
        """The documented ``GET /_sandbox/stats`` body."""
        with self._store.read() as db:
            requests = {r["route"]: r["n"] for r in db.execute("SELECT route, n FROM sandbox_request_counts")}
            counters = {r["name"]: r["n"] for r in db.execute("SELECT name, n FROM sandbox_counters")}
        return {
            "requests": dict(sorted(requests.items())),
            "writes": counters.get(WRITES, 0),
            "upload_bytes": counters.get(UPLOAD_BYTES, 0),
        }

    def reset(self) -> None:
        with self._store.write() as db:
            db.execute("DELETE FROM sandbox_request_counts")
            db.execute("DELETE FROM sandbox_counters")


def _bump(db: Any, name: str, by: int) -> None:
    db.execute(
        "INSERT INTO sandbox_counters (name, n) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET n = n + ?",
        (name, by, by),
    )
