"""What the request-count guards share: a generated catalog synced to an in-process emulator, phase by
phase, with the emulator's own counts per route after each phase.

The minimum each count is held to comes from ``benchmarks/minimum.py`` (the vendor documents' page and
batch sizes), and the catalogs from ``benchmarks/catalog.py`` and ``benchmarks/licences.py``, the
generators the benchmarks use, so the guards and the benchmark runner measure the same thing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from engine.config import Config
from engine.core import apply_plan, open_session, read_and_plan
from engine.plan.model import Plan

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import catalog  # benchmarks/ is a folder of scripts, not a package
import licences
import minimum

__all__ = ["Phase", "catalog", "counts", "licences", "minimum", "sync"]


@dataclass
class Phase:
    """One command's worth of work: its plan, whether its apply succeeded, and what the emulator saw."""

    plan: Plan
    ok: bool
    requests: dict[str, int]
    writes: int
    upload_bytes: int
    failed: list[Any] = field(default_factory=list)


async def counts(transport: httpx.AsyncBaseTransport) -> dict[str, Any]:
    """The emulator's counts since the last call, which then starts them again from zero."""
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        answer = await client.get("/_sandbox/stats")
        answer.raise_for_status()
        await client.post("/_sandbox/stats/reset")
        result: dict[str, Any] = answer.json()
        return result


async def sync(config: Config, transport: httpx.AsyncBaseTransport, *, apply: bool) -> Phase:
    """``shelf plan`` (``apply`` false) or ``shelf apply`` of the default target, through ``transport``."""
    ok = True
    failed: list[Any] = []
    async with open_session(config, None, transport=transport) as session:
        plan, _ = await read_and_plan(session)
        if apply and not plan.empty:
            report = await apply_plan(session, plan)
            ok = report.ok
            failed = [*report.failed, *report.not_converged.items()]
    seen = await counts(transport)
    return Phase(plan, ok, seen["requests"], seen["writes"], seen["upload_bytes"], failed)
