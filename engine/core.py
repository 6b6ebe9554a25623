"""The jobs the commands run, free of any terminal concern: plan one target, apply a plan, verify.

The CLI parses and renders; this module decides what is read, planned and written, so the same flow
serves the CLI, the tests and the benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from engine.apply import ChangeResult, Halt, Report, run_changes, unless_set
from engine.config import Config, Target, require_target
from engine.errors import AuthError, PlatformError
from engine.lock import target_lock
from engine.model import COLLECTIONS, KIND_OF_COLLECTION, Catalog
from engine.plan.model import Plan
from engine.plan.planner import make_plan, protected_addresses
from engine.plan.scope import cut_to
from engine.plan.uploads import with_owners
from engine.plan.variants import product_of
from engine.platforms import PLATFORM_NAMES, capabilities_for, create_provider
from engine.platforms.base import AddressFilter, AddressSet, KnowsLimits, LiveState, Provider, WaitsForWork
from engine.recipes.limits import ImageLimits
from engine.recipes.loader import load_catalog, load_for_target, validate_all

DEFAULT_WAIT = 300.0
"""Seconds ``shelf apply`` waits for a platform's asynchronous work unless ``--wait`` says otherwise."""

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


def image_limits(platform: str) -> ImageLimits | None:
    """``platform``'s limits on images, known without building a provider (so without a credential or a
    request), as the data the recipe checks take; None for a platform shelf has no provider for."""
    capabilities = capabilities_for(platform)
    if capabilities is None:
        return None
    return ImageLimits(
        PLATFORM_NAMES.get(platform, platform), capabilities.max_image_bytes, capabilities.image_types
    )


def validate(config: Config) -> int:
    """``shelf validate``: every recipe for every target, each against its platform's limits; offline.
    Returns the number of items checked."""
    platforms = {target.platform for target in config.targets.values()}
    limits = {p: found for p in platforms if (found := image_limits(p)) is not None}
    return validate_all(config, limits)


def category_names(config: Config) -> list[str]:
    """Every name (in every language) of the categories the recipes hold, for a served sandbox to offer;
    raises what loading the recipes raises."""
    catalog = load_catalog(config)
    return sorted({text for c in catalog.categories.values() for text in c.name.values() if text})


@asynccontextmanager
async def open_session(
    config: Config,
    target_name: str | None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    lock: bool = False,
) -> AsyncIterator[Session]:
    """Load and check everything offline first, the platform's limits on images included (one read of
    the recipes); only then open the provider (no request before). With ``lock`` (an apply), the
    target's lock is held for the whole session, so the plan it applies is read under the lock too."""
    target = require_target(config, target_name)
    loaded = load_for_target(
        config, target.name, everything=bool(target.prune), limits=image_limits(target.platform)
    )
    protected = (
        protected_addresses(loaded.everything, target.name) if loaded.everything is not None else frozenset()
    )
    with target_lock(config.state_dir, target.name) if lock else nullcontext():
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
    just those objects. Globs from a person (``exact`` false) are planned over the whole shop: a glob
    that names nothing is an error, and what they leave out is counted, neither of which an unread
    object allows (docs/decisions/007-targeting-and-renames.md). A provider's ``plan_notes`` (what it
    was asked for but does not send, as its ``prepare`` found) become notes of the plan.

    With ``exact``, the read still gets the whole catalog (a provider tells the objects it reads apart
    by it: renamed keys, SKUs of other products), but prepare and diff see only the named objects
    (:func:`engine.plan.scope.cut_to`), so verifying a few touched objects costs a few objects."""
    provider = session.provider
    wanted: AddressFilter | None = None
    if exact:
        wanted = AddressSet(only)
    whole = session.desired if provider.capabilities.barcodes else _without_barcodes(session.desired)
    live = await provider.read(whole, only=wanted)
    desired = cut_to(whole, wanted.addresses) if isinstance(wanted, AddressSet) else whole
    prepared = provider.prepare(desired, live)
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
        require_matches=not exact,
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
    halt: Halt | None = None,
    wait: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Apply, then re-read exactly what was touched and report what still differs.

    A provider may hold ``limits`` (address -> reason) after its ``prepare``: what it was asked for that
    the platform's API may not carry out. A product that still differs and has one is reported with it,
    and so is a removed variant still there (the limit is its product's, whose write removes it).

    A saved plan is checked against the objects it holds when the recipes changed since it was made:
    apply did what the plan said, and a later edit of the recipes is for the next plan, not a failure.

    An interrupted apply is not verified (whoever interrupted wants it to end). When the shop refused the
    credentials and no change completed, the apply is one :class:`AuthError` (exit 1) rather than a
    report of refused changes: a permission is missing, and nothing was applied.
    """
    halt = halt or Halt()
    if isinstance(session.provider, WaitsForWork) and (wait is not None or progress is not None):
        session.provider.wait_for_work(DEFAULT_WAIT if wait is None else wait, progress)
    results = await run_changes(
        plan, session.provider, concurrency=session.target.concurrency, on_done=on_done, halt=halt
    )
    report = Report(results=results, halted=halt.reason, refusal=halt.refusal)
    if halt.refusal is not None and not report.changed_anything:
        raise _nothing_applied(halt.refusal)
    touched = sorted({r.address for r in results if r.ok})
    if halt.reason == "interrupted":
        report.verified = False
    elif verify and touched:
        if plan.recipes_digest and plan.recipes_digest != session.recipes_digest:
            session = replace(session, desired=_as_planned(session.desired, plan))
        homes = {home for c in plan.changes if c.address in touched and (home := product_of(c))}
        again = await unless_set(
            read_and_plan(session, only=with_owners([*touched, *homes]), exact=True), halt.interrupted
        )
        if again is None:  # interrupted while verifying: everything was applied, nothing checked
            report.verified = False
            report.halted = halt.reason
            return report
        for change in again[0].changes:
            if change.address in touched:
                paths = [f.path for f in change.fields] or [change.action.value]
                report.not_converged[change.address] = paths
                known = session.provider.limits if isinstance(session.provider, KnowsLimits) else {}
                limit = known.get(change.address) or known.get(product_of(change) or "")
                if limit:
                    report.limits[change.address] = limit
    return report


def _nothing_applied(refusal: PlatformError) -> AuthError:
    return AuthError(
        f"{refusal.message}; the apply stopped at this refusal and no change was completed",
        where=refusal.where,
        hint=refusal.hint,
        status=refusal.status,
    )


def _without_barcodes(desired: Catalog) -> Catalog:
    """``desired`` without barcodes, for a platform that has nowhere to keep them."""
    products = {
        key: replace(p, variants=tuple(replace(v, barcode=None) for v in p.variants))
        if any(v.barcode for v in p.variants)
        else p
        for key, p in desired.products.items()
    }
    return replace(desired, products=products)


def _as_planned(desired: Catalog, plan: Plan) -> Catalog:
    """``desired`` with every object the plan writes as the plan holds it."""
    collections = {name: dict(desired.collection(name)) for name in COLLECTIONS}
    by_kind = {kind: name for name, kind in KIND_OF_COLLECTION.items()}
    for change in plan.changes:
        if change.desired is not None and change.kind in by_kind:
            collections[by_kind[change.kind]][change.key] = change.desired
    return Catalog(**collections)
