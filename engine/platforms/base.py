"""The Provider protocol: how the platform-free core talks to one platform.

A provider owns one platform's API on the client side. The core calls it in this order::

    live = await provider.read(desired)          # the shop, as a canonical Catalog plus ids/versions
    prepared = provider.prepare(desired, live)   # desired, projected onto what the platform can express
    plan = diff(prepared, live, ...)             # platform-free
    for change in plan (dependency order):
        await provider.apply(change)             # one change; raises PlatformError on failure
    live = await provider.read(desired, only=touched)   # verification

A provider never knows about YAML; the planner never knows which platform it talks to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar, Protocol, runtime_checkable

from engine.model import Catalog
from engine.plan.model import Change
from engine.plan.platform import Capabilities, LiveState

__all__ = [
    "AddressFilter",
    "AddressSet",
    "Capabilities",
    "KnowsLimits",
    "LiveState",
    "Provider",
    "WaitsForWork",
]

AddressFilter = Callable[[str], bool]


class AddressSet:
    """An address filter that is also a known, finite set of addresses.

    Verification after an apply passes one: a provider that can fetch objects one by one may then read
    just those instead of listing the whole shop, when that takes fewer requests.
    """

    def __init__(self, addresses: Iterable[str]):
        self.addresses = frozenset(addresses)

    def __call__(self, address: str) -> bool:
        return address in self.addresses


@runtime_checkable
class Provider(Protocol):
    platform: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    plan_notes: list[str]
    """What the last ``prepare`` found worth telling without it being an error (for example what the
    platform keeps elsewhere and shelf does not send); the core adds these to the plan."""

    async def read(self, desired: Catalog, only: AddressFilter | None = None) -> LiveState:
        """Read the live shop. ``only`` limits the read to matching addresses where the API can filter."""
        ...

    def prepare(self, desired: Catalog, live: LiveState) -> Catalog:
        """Project ``desired`` onto the platform (languages, references); raise PlanErrors for what it
        cannot express, each naming the recipe line and the platform limit."""
        ...

    async def apply(self, change: Change) -> None:
        """Make one change. Raise :class:`engine.errors.PlatformError` if the platform refuses it."""
        ...

    async def aclose(self) -> None: ...


@runtime_checkable
class WaitsForWork(Protocol):
    """A provider whose platform finishes writes later (provisioning, jobs): apply waits for that work
    for at most ``seconds`` (``shelf apply --wait``), telling ``report`` what it waits for."""

    def wait_for_work(self, seconds: float, report: Callable[[str], None] | None) -> None: ...


@runtime_checkable
class KnowsLimits(Protocol):
    """A provider that knows, from its last ``prepare``, changes the platform's API may not carry out
    (address -> why): a change of those that did not converge is reported with the reason, not as a
    generic failure to converge."""

    limits: dict[str, str]
