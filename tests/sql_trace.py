"""Counting the SQL an emulator runs for one request, to show a page costs the same whatever its size.

Nothing here is a test.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

import engine.sandbox.store as store_module


def record_connections(monkeypatch: pytest.MonkeyPatch) -> list[sqlite3.Connection]:
    """Every connection an emulator's store opens from now on (to seed in bulk, then to trace)."""
    opened: list[sqlite3.Connection] = []
    real = sqlite3.connect

    def recorded(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(store_module.sqlite3, "connect", recorded)
    return opened


def seeded(conn: sqlite3.Connection, seed: Callable[[sqlite3.Connection], None]) -> list[str]:
    """Run ``seed`` in one transaction on ``conn``, then trace it: the list fills with the statements
    that follow (the seeding's own are left out; tracing each bulk row would cost more than the rows)."""
    conn.execute("BEGIN")
    seed(conn)
    conn.execute("COMMIT")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    return statements


def selects(statements: list[str]) -> int:
    """How many of ``statements`` read (SELECT), and empty the list for the next request."""
    count = sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))
    statements.clear()
    return count
