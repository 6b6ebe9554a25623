"""Runs a plan against one provider: dependency order, bounded concurrency, partial failure.

Every change waits for the changes it depends on; a change whose dependency failed is not attempted
(it is reported as skipped), so nothing is written on top of a half-made parent. Changes that do not
depend on each other run concurrently, at most ``concurrency`` at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.errors import ShelfError
from engine.plan.model import Change, Plan
from engine.plan.variants import provider_changes
from engine.platforms.base import Provider

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeResult:
    address: str
    action: str
    ok: bool
    error: str | None = None
    skipped: bool = False


@dataclass
class Report:
    """What an apply did; ``not_converged`` lists addresses that still differ after the re-read."""

    results: list[ChangeResult] = field(default_factory=list)
    not_converged: dict[str, list[str]] = field(default_factory=dict)

    @property
    def failed(self) -> list[ChangeResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_converged

    def counts(self) -> dict[str, int]:
        out = {"applied": 0, "failed": 0, "skipped": 0}
        for r in self.results:
            key = "applied" if r.ok else ("skipped" if r.skipped else "failed")
            out[key] += 1
        return out


async def run_changes(
    plan: Plan,
    provider: Provider,
    *,
    concurrency: int = 8,
    on_done: Callable[[ChangeResult], None] | None = None,
) -> list[ChangeResult]:
    """Apply every change of ``plan``; never raises for a single failed change."""
    in_plan = {c.address for c in plan.changes}
    done: dict[str, asyncio.Event] = {c.address: asyncio.Event() for c in plan.changes}
    ok: dict[str, bool] = {}
    gate = asyncio.Semaphore(max(1, concurrency))
    results: list[ChangeResult] = []
    _check_acyclic(plan)
    sent = provider_changes(plan.changes)

    async def run(change: Change) -> None:
        deps = [d for d in change.depends_on if d in in_plan and d != change.address]
        for dep in deps:
            await done[dep].wait()
        failed_deps = [d for d in deps if not ok.get(d, False)]
        if failed_deps:
            result = ChangeResult(
                change.address,
                change.action.value,
                ok=False,
                skipped=True,
                error=f"not attempted: {', '.join(failed_deps)} failed",
            )
        else:
            async with gate:
                try:
                    write = sent[change.address]
                    if write is not None:  # None: written by another change of the plan, done before
                        await provider.apply(write)
                    result = ChangeResult(change.address, change.action.value, ok=True)
                except ShelfError as exc:
                    log.debug("change %s failed", change.address, exc_info=True)
                    result = ChangeResult(change.address, change.action.value, ok=False, error=exc.render())
        ok[change.address] = result.ok
        results.append(result)
        done[change.address].set()
        if on_done is not None:
            on_done(result)

    async with asyncio.TaskGroup() as group:
        for change in plan.changes:
            group.create_task(run(change))
    order = {c.address: i for i, c in enumerate(plan.changes)}
    results.sort(key=lambda r: order[r.address])
    return results


def _check_acyclic(plan: Plan) -> None:
    """A dependency cycle would wait forever; the planner never makes one, so this guards bugs."""
    graph = {c.address: [d for d in c.depends_on if d != c.address] for c in plan.changes}
    state: dict[str, int] = {}

    def visit(node: str, trail: tuple[str, ...]) -> None:
        if state.get(node) == 2 or node not in graph:
            return
        if state.get(node) == 1:
            raise ShelfError(f"dependency cycle in plan: {' -> '.join((*trail, node))}")
        state[node] = 1
        for dep in graph[node]:
            visit(dep, (*trail, node))
        state[node] = 2

    for node in graph:
        visit(node, ())
