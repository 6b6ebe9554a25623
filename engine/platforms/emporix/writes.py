"""Writing with Emporix's optimistic locking: send the version read, and on a 409 read again, recompute
and send again, a bounded number of times.

A write computed from a stale read is refused with 409 when it carries ``metadata.version``; the object
is then read afresh and the write recomputed from it, so a concurrent change by someone else is never
overwritten blindly. After ``ATTEMPTS`` refusals the change fails (a later plan shows the situation).
Writes of several objects of one kind go as one bulk request (up to 200 items, 207 per item), also
across products when an apply writes many (:mod:`engine.platforms.emporix.gather`); one object is one
plain ``PUT``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from engine.errors import PlatformError
from engine.platforms.emporix.api import Doc, EmporixApi, all_of, bulk_failures

ATTEMPTS = 3
T = TypeVar("T")


async def with_fresh_reads(
    write: Callable[[Doc | None], Awaitable[T]],
    reread: Callable[[], Awaitable[Doc | None]],
    live: Doc | None,
    attempts: int = ATTEMPTS,
) -> T:
    """``write(live)``; after a 409, ``write(reread())``, at most ``attempts`` times in all."""
    for attempt in range(1, attempts + 1):
        try:
            return await write(live)
        except PlatformError as exc:
            if exc.status != 409 or attempt == attempts:
                raise
            live = await reread()
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Upsert:
    """One object to write: its name in messages, its id, its body as computed from its live document."""

    name: str
    object_id: str
    body: Callable[[Doc | None], Doc]
    live: Doc | None = None

    def locked(self, body: Doc) -> bool:
        return (body.get("metadata") or {}).get("version") is not None


@dataclass(frozen=True)
class Destination:
    """Where objects of one kind are written: one by id, or many at once."""

    one: Callable[[str], str]
    bulk: str
    reread: Callable[[str], Awaitable[Doc | None]]
    one_params: Mapping[str, Any] | None = None
    bulk_params: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    one_body: Callable[[Doc], Doc] | None = None
    """The body of a single ``PUT`` from a bulk item (when the two differ), default the item itself."""


Gathered = Callable[[list[Doc]], Awaitable[list[Doc]]]
"""Sends a product's bulk items along with other products' (a step of a batch); answers their results."""


async def upsert_all(
    api: EmporixApi, where: Destination, items: Sequence[Upsert], gathered: Gathered | None = None
) -> None:
    """Write every item; raise a PlatformError naming each one that failed. With ``gathered``, the first
    attempt goes with other products' items (and is made even with no items, to pass the step); the
    items answered 409 are read again and sent on their own."""
    pending = list(items)
    for attempt in range(1, ATTEMPTS + 1):
        if not pending and (gathered is None or attempt > 1):
            return
        bodies = [u.body(u.live) for u in pending]
        if gathered is not None and attempt == 1:
            results = await gathered(bodies)
        else:
            results = await _send(api, where, pending, bodies)
        retry: list[Upsert] = []
        failed: list[Doc] = []
        for result, upsert, body in zip(results, pending, bodies, strict=True):
            code = int(result.get("code") or 0)
            if code == 409 and upsert.locked(body) and attempt < ATTEMPTS:
                retry.append(upsert)
            elif code not in (200, 201, 204):
                failed.append(result)
        if failed:
            lines = bulk_failures(failed, [u.name for u in pending])
            status = int(failed[0].get("code") or 0) or None
            raise PlatformError("; ".join(lines), status=status, hint=_hint(status))
        fresh = await all_of(*(where.reread(u.object_id) for u in retry))
        pending = [dataclasses.replace(u, live=doc) for u, doc in zip(retry, fresh, strict=True)]


async def _send(
    api: EmporixApi, where: Destination, pending: Sequence[Upsert], bodies: Sequence[Doc]
) -> list[Doc]:
    return await send_items(api, where, [u.object_id for u in pending], bodies)


async def send_items(
    api: EmporixApi, where: Destination, object_ids: Sequence[str], bodies: Sequence[Doc]
) -> list[Doc]:
    """Bodies as one bulk request per 200, or one as its own ``PUT``; a result per body."""
    if len(bodies) > 1:
        return await api.bulk(where.bulk, bodies, params=where.bulk_params, headers=where.headers)
    body = where.one_body(bodies[0]) if where.one_body else bodies[0]
    try:
        await api.put(where.one(object_ids[0]), body, params=where.one_params, headers=where.headers)
    except PlatformError as exc:
        if exc.status != 409:
            raise
        return [{"index": 0, "code": 409, "message": exc.message}]
    return [{"index": 0, "code": 204}]


def _hint(status: int | None) -> str:
    if status == 409:
        return "the object changed in the shop or its code is taken; plan again"
    return "fix the values named above in the recipe, then plan again"
