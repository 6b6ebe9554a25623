"""Random faults at set rates: a shop that fails now and then, as real ones do, and the same way each run.

A profile (``{"rates": {"5xx": 0.1, "429": 0.05, "lost": 0.02, "slow": 0.01, "drop": 0.01}, "seed": 7,
"latency_ms": 20}``) gives each API request one draw. The kinds:

* ``5xx``: refused before anything is checked or written, with 500, 502 or 503;
* ``429``: refused before anything is done, with ``Retry-After`` (``retry_after`` seconds, default 1);
* ``lost``: the request runs in full; when it succeeds, its answer is replaced by a 500, 502, 503 or 504
  (the write happened, the client saw an error);
* ``slow``: the request runs in full (the write happens) and its answer is held back ``slow_ms``
  (default 60,000), longer than a client waits, so the client gives up not knowing the outcome;
* ``drop``: the connection closes without an answer; by the draw, either before the request is handled
  (nothing written) or after (written), so a client can assume neither.

``latency_ms`` delays every API answer (an ``asyncio.sleep``, so waiting costs no CPU).

What "seeded" guarantees: the *k*-th request to a route ("METHOD /template") meets the same fate for
a seed, however requests to other routes interleave, because each route counts its own draws and a draw
is a hash of (seed, route, *k*). Which of several concurrent requests to one route is the *k*-th is up to
the scheduler, so under concurrency the same faults hit the same route in the same numbers, not always
the same objects. Setting a profile starts every route's count again.

The profile and the counts live in the shop's database, beside the queued per-route faults, so a served
sandbox and an in-process app on the same file follow one profile. A shop reset keeps the profile (it
is how the sandbox was started, like its readings); the control API sets or removes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.sandbox.responses import FieldErrors
from engine.sandbox.store import Store
from engine.sandbox.validation import SchemaValidator

KINDS = ("5xx", "429", "lost", "slow", "drop")
"""In the order a draw is cut into: a draw below ``rates["5xx"]`` is a 5xx, the next ``rates["429"]`` a
429, and so on; what is left over is a normal answer."""

REFUSED_STATUSES = (500, 502, 503)
LOST_STATUSES = (500, 502, 503, 504)
DEFAULT_SLOW_MS = 60_000.0
DEFAULT_RETRY_AFTER = 1

_RATE = {"type": "number", "minimum": 0, "maximum": 1}
PROFILE_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "rates": {
            "type": "object",
            "additionalProperties": False,
            "properties": {kind: _RATE for kind in KINDS},
        },
        "seed": {"type": "integer", "minimum": 0},
        "latency_ms": {"type": "number", "minimum": 0, "maximum": 60_000},
        "slow_ms": {"type": "number", "minimum": 1, "maximum": 600_000},
        "retry_after": {"type": "integer", "minimum": 0, "maximum": 3600},
    },
}
_validate = SchemaValidator(PROFILE_SCHEMA)

_TABLES = (
    "CREATE TABLE IF NOT EXISTS sandbox_fault_profile (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " seed INTEGER NOT NULL, latency_ms REAL NOT NULL, slow_ms REAL NOT NULL, retry_after INTEGER NOT NULL,"
    " rate_5xx REAL NOT NULL, rate_429 REAL NOT NULL, rate_lost REAL NOT NULL, rate_slow REAL NOT NULL,"
    " rate_drop REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sandbox_fault_draws (route TEXT PRIMARY KEY, n INTEGER NOT NULL)",
)
"""Made when an app opens its database rather than as a numbered migration, so that databases made
before profiles existed get them without shifting any platform's migration numbers."""


@dataclass(frozen=True)
class FaultProfile:
    rates: Mapping[str, float] = field(default_factory=dict)
    seed: int = 0
    latency_ms: float = 0.0
    slow_ms: float = DEFAULT_SLOW_MS
    retry_after: int = DEFAULT_RETRY_AFTER

    @property
    def random(self) -> bool:
        """Whether any request may fail (a profile of latency alone needs no draw)."""
        return any(self.rates.get(kind, 0.0) > 0 for kind in KINDS)

    def as_json(self) -> dict[str, Any]:
        return {
            "rates": {kind: self.rates.get(kind, 0.0) for kind in KINDS},
            "seed": self.seed,
            "latency_ms": self.latency_ms,
            "slow_ms": self.slow_ms,
            "retry_after": self.retry_after,
        }


@dataclass(frozen=True)
class Draw:
    """One request's fate: ``kind`` is one of :data:`KINDS` or None (answered normally); ``status`` the
    error status for 5xx and lost; ``before`` for a drop whether it comes before the request is handled."""

    kind: str | None
    status: int = 0
    before: bool = False


def profile_errors(body: Any) -> FieldErrors:
    """What is wrong with a profile, by field (``rates.5xx``: ...), or nothing; the rates together are
    one request's chances, so they may add up to at most 1."""
    errors = _validate(body)
    if not errors:
        total = sum(float(v) for v in body.get("rates", {}).values())
        if total > 1:
            errors["rates"] = [f"add up to {total:g}; a request meets one fault at most, so at most 1"]
    return errors


def parse_profile(body: Mapping[str, Any]) -> FaultProfile:
    """A profile from a body :func:`profile_errors` found nothing wrong with."""
    return FaultProfile(
        rates={kind: float(body.get("rates", {}).get(kind, 0)) for kind in KINDS},
        seed=int(body.get("seed", 0)),
        latency_ms=float(body.get("latency_ms", 0)),
        slow_ms=float(body.get("slow_ms", DEFAULT_SLOW_MS)),
        retry_after=int(body.get("retry_after", DEFAULT_RETRY_AFTER)),
    )


def draw(profile: FaultProfile, route: str, number: int) -> Draw:
    """The fate of the ``number``-th request to ``route`` under ``profile``: a pure function, so equal
    inputs give equal fates in any process."""
    digest = hashlib.blake2b(f"{profile.seed}\x00{route}\x00{number}".encode(), digest_size=16).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    pick = int.from_bytes(digest[8:], "big")
    edge = 0.0
    for kind in KINDS:
        edge += profile.rates.get(kind, 0.0)
        if point < edge:
            if kind == "5xx":
                return Draw(kind, REFUSED_STATUSES[pick % len(REFUSED_STATUSES)])
            if kind == "lost":
                return Draw(kind, LOST_STATUSES[pick % len(LOST_STATUSES)])
            if kind == "429":
                return Draw(kind, 429)
            return Draw(kind, before=kind == "drop" and pick % 2 == 0)
    return Draw(None)


class FaultProfiles:
    """The profile stored in one shop's database, and each route's count of draws."""

    def __init__(self, store: Store):
        self._store = store
        with store.write() as db:
            for statement in _TABLES:
                db.execute(statement)

    def set(self, profile: FaultProfile | None) -> None:
        """Follow ``profile`` from now on (None: no random faults, no latency); every route's count of
        draws starts again, so the same profile gives the same faults again."""
        with self._store.write() as db:
            db.execute("DELETE FROM sandbox_fault_profile")
            db.execute("DELETE FROM sandbox_fault_draws")
            if profile is not None:
                db.execute(
                    "INSERT INTO sandbox_fault_profile VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        profile.seed, profile.latency_ms, profile.slow_ms, profile.retry_after,
                        *(profile.rates.get(kind, 0.0) for kind in KINDS),
                    ),
                )

    def current(self) -> FaultProfile | None:
        rows = self._store.query("SELECT * FROM sandbox_fault_profile")
        if not rows:
            return None
        row = rows[0]
        return FaultProfile(
            rates={kind: float(row[f"rate_{kind}"]) for kind in KINDS},
            seed=int(row["seed"]),
            latency_ms=float(row["latency_ms"]),
            slow_ms=float(row["slow_ms"]),
            retry_after=int(row["retry_after"]),
        )

    def next(self, route: str) -> tuple[FaultProfile, Draw] | None:
        """The profile and this request's draw (counted), or None when the shop follows no profile."""
        profile = self.current()
        if profile is None:
            return None
        if not profile.random:
            return profile, Draw(None)
        with self._store.write() as db:
            number = db.execute(
                "INSERT INTO sandbox_fault_draws (route, n) VALUES (?, 1)"
                " ON CONFLICT(route) DO UPDATE SET n = n + 1 RETURNING n",
                (route,),
            ).fetchone()[0]
        return profile, draw(profile, route, int(number))
