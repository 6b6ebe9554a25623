"""Injected failures: the way tests make a platform fail on cue, before or after it commits.

A fault is queued per route ("METHOD /template") and consumed first in, first out. ``after_commit`` faults
let the request do its work and then replace the answer, which is how a lost response looks to a client:
the write happened, the client saw an error. They wait for a request that succeeds, since a refused one
wrote nothing to lose. Faults live in the database so that a served sandbox obeys
faults injected through an in-process app on the same file, and the other way round.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from starlette.responses import JSONResponse

from engine.sandbox.responses import ApiError, invalid
from engine.sandbox.store import Store
from engine.sandbox.validation import SchemaValidator


@dataclass(frozen=True)
class Fault:
    id: int
    route: str
    status: int
    times: int
    after_commit: bool
    retry_after: float

    def error(self) -> ApiError:
        """The refusal this fault stands for, for platforms that render their own error bodies."""
        headers = {"Retry-After": str(math.ceil(self.retry_after))} if self.retry_after > 0 else {}
        return ApiError(self.status, f"injected fault on {self.route}", headers=headers)

    def response(self) -> JSONResponse:
        return self.error().response()

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


FAULT_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["route", "status"],
    "properties": {
        "route": {"type": "string", "minLength": 1},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "times": {"type": "integer", "minimum": 1},
        "after_commit": {"type": "boolean"},
        "retry_after": {"type": "number", "minimum": 0},
    },
}
_validate_fault = SchemaValidator(FAULT_SCHEMA)


class Faults:
    def __init__(self, store: Store):
        self._store = store

    def add_from_json(self, body: Any, routes: Collection[str]) -> Fault:
        """Queue a fault described by a control request; the route must be one the API serves."""
        errors = _validate_fault(body)
        if not errors and body["route"] not in routes:
            errors["route"] = [f"no such route; one of: {', '.join(sorted(routes))}"]
        if errors:
            raise invalid(errors)
        return self.add(
            body["route"],
            body["status"],
            times=body.get("times", 1),
            after_commit=body.get("after_commit", False),
            retry_after=float(body.get("retry_after", 0)),
        )

    def add(
        self, route: str, status: int, *, times: int = 1, after_commit: bool = False, retry_after: float = 0
    ) -> Fault:
        with self._store.write() as db:
            cursor = db.execute(
                "INSERT INTO sandbox_faults (route, status, times, after_commit, retry_after)"
                " VALUES (?, ?, ?, ?, ?)",
                (route, status, times, int(after_commit), retry_after),
            )
            fault_id = cursor.lastrowid
        assert fault_id is not None
        return Fault(fault_id, route, status, times, after_commit, retry_after)

    def take(self, route: str, *, after_commit: bool) -> Fault | None:
        """Consume one pending fault for ``route`` of the given kind, if any."""
        if not self._store.query("SELECT 1 FROM sandbox_faults LIMIT 1"):
            return None  # the common case, answered without taking the write lock
        with self._store.write() as db:
            row = db.execute(
                "SELECT * FROM sandbox_faults WHERE route = ? AND after_commit = ? ORDER BY id LIMIT 1",
                (route, int(after_commit)),
            ).fetchone()
            if row is None:
                return None
            if row["times"] <= 1:
                db.execute("DELETE FROM sandbox_faults WHERE id = ?", (row["id"],))
            else:
                db.execute("UPDATE sandbox_faults SET times = times - 1 WHERE id = ?", (row["id"],))
        return _fault(row)

    def pending(self) -> list[Fault]:
        return [_fault(r) for r in self._store.query("SELECT * FROM sandbox_faults ORDER BY id")]

    def clear(self) -> None:
        with self._store.write() as db:
            db.execute("DELETE FROM sandbox_faults")


def _fault(row: Any) -> Fault:
    return Fault(
        row["id"], row["route"], row["status"], row["times"], bool(row["after_commit"]), row["retry_after"]
    )
