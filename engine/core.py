"""The jobs the commands run, free of any terminal concern: plan one target, apply a plan, verify.

The CLI parses and renders; this module decides what is read, planned and written, so the same flow
serves the CLI, the tests and the benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from engine.apply import ChangeResult, Report, run_changes
from engine.config import Config, Target, require_target
from engine.model import COLLECTIONS, KIND_OF_COLLECTION, Catalog
from engine.plan.model import Plan
from engine.plan.planner import address_filter, make_plan, protected_addresses
from engine.plan.uploads import with_owners
from engine.plan.variants import product_of
from engine.platforms import create_provider
from engine.platforms.base import AddressFilter, AddressSet, LiveState, Provider
from engine.recipes.loader import load_for_target

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx


@dataclass
class Session:
    """One target with its desired catalog and an open provider."""

    config: Config
    target: Target
    desired: Catalog
    provider: Provider
    protected: frozenset[str]
    recipes_digest: str


@asynccontextmanager
async def open_session(
    config: Config,
    target_name: str | None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Session]:
    """Load and check everything offline first, the platform's limits on images included (one read of
    the recipes); only then open the provider (no request before)."""
    target = require_target(config, target_name)
    loaded = load_for_target(config, target.name, everything=bool(target.prune))
    protected = (
        protected_addresses(loaded.everything, target.name) if loaded.everything is not None else frozenset()
    )
    provider = create_provider(target, config, transport=transport)
    try:
        yield Session(config, target, loaded.desired, provider, protected, loaded.digest)
    finally:
        await provider.aclose()


async def read_and_plan(
    session: Session,
    *,
    only: Sequence[str] = (),
    exclude: Sequence[str] = (),
    exact: bool = False,
) -> tuple[Plan, LiveState]:
    """Read and plan; ``exact`` says ``only`` lists whole addresses (no globs), so a provider may read
    just those objects. A provider's ``plan_notes`` (what it was asked for but does not send, as its
    ``prepare`` found) become notes of the plan."""
    provider = session.provider
    wanted: AddressFilter | None = None
    if exact:
        wanted = AddressSet(only)
    elif only or exclude:
        wanted = address_filter(only, exclude, session.desired)
    live = await provider.read(session.desired, only=wanted)
    prepared = provider.prepare(session.desired, live)
    plan = make_plan(
        target=session.target.name,
        platform=session.target.platform,
        desired=prepared,
        live=live,
        capabilities=provider.capabilities,
        prune=session.target.prune,
        protected=session.protected,
        only=only,
        exclude=exclude,
        recipes_digest=session.recipes_digest,
        read=wanted,
    )
    plan.notes.extend(provider.plan_notes)
    if session.target.sandbox:  # an in-process emulator's file URLs lead nowhere a browser can go
        for change in plan.changes:
            change.pictures = {}
    return plan, live


async def apply_plan(
    session: Session,
    plan: Plan,
    *,
    on_done: Callable[[ChangeResult], None] | None = None,
    verify: bool = True,
) -> Report:
    """Apply, then re-read exactly what was touched and report what still differs.

    A saved plan is checked against the objects it holds when the recipes changed since it was made:
    apply did what the plan said, and a later edit of the recipes is for the next plan, not a failure.
    """
    results = await run_changes(
        plan, session.provider, concurrency=session.target.concurrency, on_done=on_done
    )
    report = Report(results=results)
    touched = sorted({r.address for r in results if r.ok})
    if verify and touched:
        if plan.recipes_digest and plan.recipes_digest != session.recipes_digest:
            session = replace(session, desired=_as_planned(session.desired, plan))
        homes = {home for c in plan.changes if c.address in touched and (home := product_of(c))}
        again, _ = await read_and_plan(session, only=with_owners([*touched, *homes]), exact=True)
        for change in again.changes:
            if change.address in touched:
                paths = [f.path for f in change.fields] or [change.action.value]
                report.not_converged[change.address] = paths
    return report


def _as_planned(desired: Catalog, plan: Plan) -> Catalog:
    """``desired`` with every object the plan writes as the plan holds it."""
    collections = {name: dict(desired.collection(name)) for name in COLLECTIONS}
    by_kind = {kind: name for name, kind in KIND_OF_COLLECTION.items()}
    for change in plan.changes:
        if change.desired is not None and change.kind in by_kind:
            collections[by_kind[change.kind]][change.key] = change.desired
    return Catalog(**collections)
