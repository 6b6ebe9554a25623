"""Runs a plan against one provider: dependency order, bounded concurrency, partial failure.

Every change waits for the changes it depends on; a change whose dependency failed is not attempted
(it is reported as skipped), so nothing is written on top of a half-made parent. Changes that do not
depend on each other run concurrently, at most ``concurrency`` at a time.

An apply can be told to stop (:class:`Halt`): by an interrupt, or by the shop refusing the credentials
(401, or 403 for a missing permission), which would refuse every later write too. Then no new change
starts; the ones in flight finish, unless a second interrupt (or the grace period running out) cuts
them short, and the report says which changes were applied, which were cut short and which never started.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from engine.errors import AuthError, PlatformError, ShelfError
from engine.plan.model import Change, Plan
from engine.plan.variants import provider_changes
from engine.platforms.base import BatchProvider, Provider

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class ChangeResult:
    address: str
    action: str
    ok: bool
    error: str | None = None
    skipped: bool = False
    not_started: bool = False
    refused: bool = False
    cut_short: bool = False


GRACE_SECONDS = 30.0
"""How long the changes in flight may take to finish after the first interrupt before they are cut short;
each is a few requests, so this only bites on a shop that stopped answering or a long retry wait."""


class Halt:
    """Whether an apply should stop starting changes, and why.

    ``interrupt`` is called for each Ctrl-C: the first stops new changes and starts the grace period, the
    second (or the grace period's end) cuts the changes in flight short. ``refuse`` records the first
    refused credential (an :class:`AuthError`, or any platform error with status 401 or 403, since a
    provider may re-raise the refusal under its own address) and stops new changes the same way, without
    a grace period: the changes in flight were sent with the same credentials and get their answer soon.
    """

    def __init__(self, grace: float = GRACE_SECONDS):
        self.grace = grace
        self.reason: str | None = None
        self.interrupts = 0
        self.refusal: PlatformError | None = None
        self.stopping = asyncio.Event()
        self.interrupted = asyncio.Event()
        self.abandon = asyncio.Event()
        self._timer: asyncio.TimerHandle | None = None

    def interrupt(self) -> None:
        self.interrupts += 1
        if self.interrupts > 1:
            self.reason = "interrupted"
            self.abandon.set()
            return
        self.reason = "interrupted"
        self.stopping.set()
        self.interrupted.set()
        self._timer = asyncio.get_running_loop().call_later(self.grace, self.abandon.set)

    def refuse(self, error: PlatformError) -> None:
        if self.refusal is None:
            self.refusal = error
        if self.reason is None:
            self.reason = "refused"
        self.stopping.set()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


@dataclass
class Report:
    """What an apply did; ``not_converged`` lists addresses that still differ after the re-read, and
    ``limits`` gives, for some of them, the platform limit that explains why (a re-run will not help).

    ``halted`` says why the apply stopped early ("interrupted", "refused"), ``refusal`` is the first
    refused credential's error, and ``verified`` whether the re-read ran.
    """

    results: list[ChangeResult] = field(default_factory=list)
    not_converged: dict[str, list[str]] = field(default_factory=dict)
    limits: dict[str, str] = field(default_factory=dict)
    halted: str | None = None
    refusal: PlatformError | None = None
    verified: bool = True

    @property
    def failed(self) -> list[ChangeResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_converged

    @property
    def changed_anything(self) -> bool:
        """Whether the shop may hold a write of this apply: a change applied, or one cut short."""
        return any(r.ok or r.cut_short for r in self.results)

    def counts(self) -> dict[str, int]:
        out = {"applied": 0, "failed": 0, "skipped": 0, "refused": 0, "cut_short": 0, "not_started": 0}
        for r in self.results:
            out[_kind(r)] += 1
        return out


def _kind(result: ChangeResult) -> str:
    if result.ok:
        return "applied"
    for kind in ("not_started", "refused", "cut_short", "skipped"):
        if getattr(result, kind):
            return kind
    return "failed"


async def run_changes(
    plan: Plan,
    provider: Provider,
    *,
    concurrency: int = 8,
    on_done: Callable[[ChangeResult], None] | None = None,
    halt: Halt | None = None,
) -> list[ChangeResult]:
    """Apply every change of ``plan``; never raises for a single failed change."""
    halt = halt or Halt()
    if isinstance(provider, BatchProvider):
        return await _run_waves(plan, provider, on_done, halt)
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
        if halt.stopping.is_set():
            result = _not_started(change, halt)
        elif failed_deps:
            result = ChangeResult(
                change.address,
                change.action.value,
                ok=False,
                skipped=True,
                error=f"not attempted: {', '.join(failed_deps)} failed",
            )
        else:
            async with gate:
                if halt.stopping.is_set():
                    result = _not_started(change, halt)
                else:
                    result = await _attempt(change, sent[change.address], provider, halt, in_flight)
        ok[change.address] = result.ok
        results.append(result)
        done[change.address].set()
        if on_done is not None:
            on_done(result)

    in_flight: set[asyncio.Task[None]] = set()

    async def cut_short_when_abandoned() -> None:
        await halt.abandon.wait()
        for task in list(in_flight):
            task.cancel()

    watcher = asyncio.ensure_future(cut_short_when_abandoned())
    try:
        async with asyncio.TaskGroup() as group:
            for change in plan.changes:
                group.create_task(run(change))
    finally:
        watcher.cancel()
    order = {c.address: i for i, c in enumerate(plan.changes)}
    results.sort(key=lambda r: order[r.address])
    return results


def _cut_short(change: Change) -> ChangeResult:
    return ChangeResult(
        change.address, change.action.value, ok=False, skipped=True, cut_short=True,
        error="cut short: the shop may or may not hold it; the next apply converges",
    )


def _not_started(change: Change, halt: Halt) -> ChangeResult:
    return ChangeResult(
        change.address, change.action.value, ok=False, skipped=True, not_started=True,
        error=f"not started: the apply was {halt.reason or 'stopped'}",
    )


async def _attempt(
    change: Change, write: Change | None, provider: Provider, halt: Halt, in_flight: set[asyncio.Task[None]]
) -> ChangeResult:
    """One change, unless the apply is abandoned while it runs: its task is then cancelled, and whether
    the shop holds the change is unknown (a request may have been written with its answer lost).

    ``write`` is what the provider is sent for it (:func:`provider_changes`); None when another change
    of the plan, done before, already wrote it."""
    address, action = change.address, change.action.value
    task = asyncio.current_task()
    assert task is not None
    in_flight.add(task)
    try:
        if write is not None:
            await provider.apply(write)
        return ChangeResult(address, action, ok=True)
    except asyncio.CancelledError:
        if not halt.abandon.is_set():
            raise
        task.uncancel()
        return _cut_short(change)
    except ShelfError as error:
        log.debug("change %s failed", address, exc_info=True)
        return _failed(change, error, halt)
    finally:
        in_flight.discard(task)


def _failed(change: Change, error: ShelfError, halt: Halt) -> ChangeResult:
    """A change the platform refused; a refused credential also stops the apply (:class:`Halt`)."""
    if _refused(error):
        assert isinstance(error, PlatformError)
        halt.refuse(error)
        return ChangeResult(change.address, change.action.value, ok=False, refused=True, error=error.render())
    return ChangeResult(change.address, change.action.value, ok=False, error=error.render())


def _refused(error: ShelfError) -> bool:
    """The shop refused the credentials: an AuthError, or a provider's re-raise of one under its own
    address (a platform error with status 401 or 403)."""
    return isinstance(error, AuthError) or (isinstance(error, PlatformError) and error.status in (401, 403))


async def _run_waves(
    plan: Plan, provider: BatchProvider, on_done: Callable[[ChangeResult], None] | None, halt: Halt
) -> list[ChangeResult]:
    """Batching: every change whose dependencies succeeded goes to the provider in one call, then the
    changes that waited for those, and so on; a change whose dependency failed is skipped. A halt starts
    no further wave; abandoning one cuts the wave in flight short."""
    _check_acyclic(plan)
    in_plan = {c.address for c in plan.changes}
    sent = provider_changes(plan.changes)
    ok: dict[str, bool] = {}
    results: list[ChangeResult] = []
    pending = list(plan.changes)

    def finish(result: ChangeResult) -> None:
        ok[result.address] = result.ok
        results.append(result)
        if on_done is not None:
            on_done(result)

    while pending:
        if halt.stopping.is_set():
            for change in pending:
                finish(_not_started(change, halt))
            break
        deps = {c.address: [d for d in c.depends_on if d in in_plan and d != c.address] for c in pending}
        ready = [c for c in pending if all(d in ok for d in deps[c.address])]
        pending = [c for c in pending if c not in ready]
        wave: list[Change] = []
        for change in ready:
            failed = [d for d in deps[change.address] if not ok[d]]
            if failed:
                skipped = f"not attempted: {', '.join(failed)} failed"
                finish(ChangeResult(change.address, change.action.value, False, skipped, skipped=True))
            else:
                wave.append(change)
        if not wave:
            continue
        # What the provider is sent: a variant deletion goes as its product's write, or not at all when
        # another change of the plan writes that product (then it stands or falls with nothing sent).
        writes = {c.address: w for c in wave if (w := sent[c.address]) is not None}
        outcome = await _batch(provider, list(writes.values()), halt) if writes else {}
        if outcome is None:
            for change in wave:
                finish(_cut_short(change))
            continue
        for change in wave:
            write = writes.get(change.address)
            problem = outcome.get(write.address) if write is not None else None
            done = ChangeResult(change.address, change.action.value, ok=True)
            finish(done if problem is None else _failed(change, problem, halt))
    order = {c.address: i for i, c in enumerate(plan.changes)}
    results.sort(key=lambda r: order[r.address])
    return results


async def _batch(
    provider: BatchProvider, wave: list[Change], halt: Halt
) -> dict[str, ShelfError | None] | None:
    """One wave's outcome (address -> its error), or None when the apply was abandoned while it ran."""
    try:
        outcome = await unless_set(provider.apply_batch(wave), halt.abandon)
    except ShelfError as exc:
        log.debug("batch failed", exc_info=True)
        return {c.address: exc for c in wave}
    return None if outcome is None else dict(outcome)


async def unless_set(work: Awaitable[T], event: asyncio.Event) -> T | None:
    """``work``'s result, or None when ``event`` is set first (``work`` is then cancelled): how an
    interrupt ends a wait that cannot be told to stop."""
    task = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        waiter.cancel()
    if task.done():
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return None


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
