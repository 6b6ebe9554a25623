"""What every Emporix sandbox handler works with: the shop's store, its clock, tenant and languages.

Time in the sandbox is the app's clock plus an offset kept in the database, so that
``POST /_sandbox/clock {"advance": seconds}`` lets tokens expire and coupons start or end for every app
on the same file without anyone waiting.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from engine.sandbox.api import Sandbox
from engine.sandbox.store import Store

DEFAULT_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "pt", "ar", "zh", "ja")
SITES = ("main",)
"""The sandbox tenant's sites: prices and their lists are checked against these codes."""
RELATION_TYPES = ("ACCESSORY", "CONSUMABLE", "SPAREPART")
"""Relation types configured for ``relatedItems`` (the configuration service's ``relation_types``)."""


class ShopClock:
    """Seconds since the epoch: the base clock plus the offset the control API has added."""

    def __init__(self, store: Store, base: Callable[[], float] = time.time):
        self._store = store
        self._base = base

    def offset(self) -> float:
        rows = self._store.query("SELECT seconds FROM emporix_clock WHERE id = 1")
        return float(rows[0]["seconds"]) if rows else 0.0

    def advance(self, seconds: float) -> float:
        with self._store.write() as db:
            db.execute(
                "INSERT INTO emporix_clock (id, seconds) VALUES (1, ?)"
                " ON CONFLICT(id) DO UPDATE SET seconds = seconds + excluded.seconds",
                (seconds,),
            )
        return self.offset()

    def __call__(self) -> float:
        return self._base() + self.offset()


@dataclass
class Shop:
    """One tenant's shop. ``languages`` are the configured content languages, the first one default."""

    sandbox: Sandbox
    clock: ShopClock
    tenant: str
    languages: tuple[str, ...]

    @property
    def store(self) -> Store:
        return self.sandbox.store

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def timestamp(self) -> str:
        """Now as the services write it: ISO 8601 in UTC with milliseconds (``2022-03-31T09:52:15.423Z``)."""
        return self.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def yrn(self, kind: str, item_id: str) -> str:
        return f"urn:yaas:saasag:caas{kind}:{kind}:{self.tenant};{item_id}"


def new_id() -> str:
    """A generated identifier shaped like the services' own (24 lower-case hex digits)."""
    return secrets.token_hex(12)
