"""What every xPage sandbox handler needs: the shared sandbox state, the clock, and absolute URLs."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request

from engine.sandbox.api import Sandbox
from engine.sandbox.auth import Clock
from engine.sandbox.store import Store
from engine.sandbox.xpage.readings import Readings, load


@dataclass(frozen=True)
class Shop:
    sandbox: Sandbox
    clock: Clock

    @property
    def store(self) -> Store:
        return self.sandbox.store

    def readings(self, db: sqlite3.Connection) -> Readings:
        """The readings the shop follows, as its database holds them now."""
        return load(db)

    def now(self) -> str:
        """The current time as the API writes it: ISO 8601 in UTC to the second, ``Z`` suffixed."""
        return timestamp(self.clock())


def timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def origin(request: Request) -> str:
    """The app's root URL as the client reached it (ends with ``/``), for links in answers."""
    return str(request.base_url)
