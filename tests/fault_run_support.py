"""Fault runs: one apply of a generated catalog to an in-process sandbox that follows a fault profile,
then a plan against the same shop with the faults gone, and what the shop holds, read from its database.

The profile lives in the sandbox's database, so the apply and the plan are the real core jobs
(``open_session``, ``read_and_plan``, ``apply_plan``) against the same file; the transport is
:class:`engine.sandbox.transport.InProcessTransport` with a short timeout, so ``slow`` answers time out
as they would on a network instead of holding the test for a minute.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from engine.apply import Report
from engine.config import load_config
from engine.core import apply_plan, open_session, read_and_plan
from engine.http import HttpClient
from engine.plan.model import Plan
from engine.sandbox import sandbox_app
from engine.sandbox.fault_profile import FaultProfiles
from engine.sandbox.store import Store
from engine.sandbox.transport import InProcessTransport

PROFILE: dict[str, Any] = {"rates": {"5xx": 0.1, "429": 0.05, "lost": 0.02}, "seed": 7}
"""The standard profile: 10 % refused with a 5xx, 5 % 429, 2 % answers lost after the write."""

WITH_TIMEOUTS: dict[str, Any] = {
    "rates": {"5xx": 0.1, "429": 0.05, "lost": 0.02, "slow": 0.005, "drop": 0.005},
    "seed": 7,
    "slow_ms": 2000,
}
"""The same, plus answers slower than the client waits and dropped connections."""

SMALL_RUN: dict[str, Any] = {
    "rates": {"5xx": 0.06, "429": 0.03, "lost": 0.03, "slow": 0.04, "drop": 0.04},
    "seed": 5,
    "slow_ms": 2000,
}
"""For the default suite's small catalogs, which send too few requests for 0.5 % to meet a slow answer
or a drop: those more often, one request in five failing in all (a read still gets five attempts). With
this seed every platform's small run meets at least one slow answer and one drop."""

CLIENT_TIMEOUT = 0.5


@dataclass
class FaultRun:
    report: Report
    again: Plan
    injected: dict[str, int]
    requests: int


def run_under_faults(
    root: Path,
    platform: str,
    profile: dict[str, Any],
    *,
    timeout: float = CLIENT_TIMEOUT,
    quick: bool = False,
    **app: Any,
) -> FaultRun:
    """Apply the catalog in ``root`` (its default target, a ``sandbox: true`` one of ``platform``) once
    under ``profile``; then plan again without faults. ``app`` are the sandbox app's options.

    ``quick`` makes the client's waits between attempts ten times shorter, for the default suite: the
    same requests, retries and look-ups happen, in a tenth of the time spent sleeping."""
    if not quick:
        shorter: Any = nullcontext()
    else:
        wait = HttpClient._delay
        shorter = mock.patch.object(
            HttpClient, "_delay", lambda self, *args: wait(self, *args) / 10  # type: ignore[no-any-return]
        )
    with shorter:
        return asyncio.run(_run(root, platform, profile, timeout, app))


async def _run(
    root: Path, platform: str, profile: dict[str, Any], timeout: float, app: dict[str, Any]
) -> FaultRun:
    config = load_config(None, root)
    db = shop_file(root, platform)
    db.parent.mkdir(parents=True, exist_ok=True)
    faulty = InProcessTransport(sandbox_app(platform, db, faults=profile, **app), timeout=timeout)
    async with open_session(config, None, transport=faulty) as session:
        plan, _ = await read_and_plan(session)
        report = await apply_plan(session, plan)
    store = Store(db)
    try:
        profiles = FaultProfiles(store)
        injected = profiles.injected()
        profiles.set(None)
        requests = sum(int(r["n"]) for r in store.query("SELECT n FROM sandbox_request_counts"))
    finally:
        store.close()
    calm = InProcessTransport(sandbox_app(platform, db, **app))
    async with open_session(config, None, transport=calm) as session:
        again, _ = await read_and_plan(session)
    return FaultRun(report, again, injected, requests)


def shop_file(root: Path, platform: str) -> Path:
    return root / ".shelf" / "sandbox" / f"{platform}.sqlite"


def rows(root: Path, platform: str, sql: str) -> list[tuple[Any, ...]]:
    """What the shop's database holds, read as nothing but the emulator's own tables."""
    with closing(sqlite3.connect(shop_file(root, platform))) as db:
        return [tuple(r) for r in db.execute(sql).fetchall()]


def duplicates(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    return [v for v in values if v in seen or seen.add(v)]  # type: ignore[func-returns-value]


def assert_met_timeouts(run: FaultRun) -> None:
    """The run met an answer slower than the client waits and a dropped connection (if a change to the
    requests a platform sends moves them out of this seed's draws, choose another seed)."""
    assert run.injected["slow"] > 0 and run.injected["drop"] > 0, run.injected


def assert_converged(run: FaultRun) -> None:
    """One apply was enough: nothing failed, nothing left unconfirmed, nothing left to change."""
    assert run.report.ok, (run.report.failed[:3], list(run.report.not_converged.items())[:3])
    assert run.again.empty, [c.address for c in run.again.changes][:10]
    assert sum(run.injected.values()) > 0, run.injected


__all__ = ["PROFILE", "SMALL_RUN", "WITH_TIMEOUTS", "FaultRun", "run_under_faults"]
