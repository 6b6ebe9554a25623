"""The AppXite provider: the subscriptions of the organizations the recipes name, as order items.

``read`` lists each named organization's order items (``GET /orders/``) and recognises shelf's own by
their computed ids (:mod:`.ids`); ``prepare`` refuses what the platform would refuse (cancelling or
changing an item that is still provisioning or waiting for approval) with the recipe line and the
item's status, and notes what is pending; ``apply`` carts and places, updates, cancels and replaces,
then waits for provisioning (:mod:`.waiting`).

Under ``prune: [subscriptions]``, provisioned items of those organizations that no recipe names are
cancelled; they are addressed by their order item id, since no key is known for them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from engine.errors import PlanError, PlanErrors, PlatformError
from engine.model import Catalog, Subscription
from engine.plan.diff import diff_subscription
from engine.plan.model import Action, Change
from engine.plan.subscriptions import REPLACED_BY
from engine.platforms.appxite.api import AppXiteApi, RawItem, encode
from engine.platforms.appxite.ids import generations, order_item_id
from engine.platforms.appxite.mapping import BUSY, CANCELLED, FAILED, FINISHED, HELD, IN_CART, LiveItem
from engine.platforms.appxite.waiting import wait_for
from engine.platforms.base import AddressFilter, Capabilities, LiveState

DEFAULT_WAIT = 300.0
DEFAULT_POLL = 5.0


class AppXiteProvider:
    """One AppXite reseller account behind the :class:`engine.platforms.base.Provider` protocol."""

    platform: ClassVar[str] = "appxite"
    capabilities: ClassVar[Capabilities] = Capabilities(
        managed=frozenset({"subscriptions"}), deletable=frozenset({"subscriptions"})
    )

    def __init__(self, target: str, api: AppXiteApi, *, poll_interval: float = DEFAULT_POLL):
        self.target = target
        self.api = api
        self.poll_interval = poll_interval
        self.wait_seconds = DEFAULT_WAIT
        self.report: Callable[[str], None] = lambda line: None
        self.plan_notes: list[str] = []
        self._items: dict[str, LiveItem] = {}  # held items by address
        self._latest: dict[str, LiveItem] = {}  # the latest generation of each recipe key
        self._carts: dict[str, LiveItem] = {}

    def wait_for_work(self, seconds: float, report: Callable[[str], None] | None) -> None:
        """How long an apply waits for provisioning, and where its progress lines go."""
        self.wait_seconds = seconds
        if report is not None:
            self.report = report

    async def aclose(self) -> None:
        await self.api.http.aclose()

    async def read(self, desired: Catalog, only: AddressFilter | None = None) -> LiveState:
        wanted = {k: s for k, s in desired.subscriptions.items() if only is None or only(f"subscription.{k}")}
        organizations = sorted({s.organization for s in wanted.values()})
        listed = await asyncio.gather(*(self.api.items(org) for org in organizations))
        for key in wanted:  # what this read sees replaces what an earlier one saw
            self._latest.pop(key, None)
            self._items.pop(f"subscription.{key}", None)
            self._carts.pop(f"subscription.{key}", None)
        ids = {
            i: (key, g)
            for key, sub in desired.subscriptions.items()
            for i, g in generations(self.target, sub.organization, key).items()
        }
        live = LiveState()
        for organization, raws in zip(organizations, listed, strict=True):
            for raw in raws:
                self._place(live, LiveItem(raw, organization), ids, only)
        for key, item in self._latest.items():
            if key in wanted and item.status == IN_CART:
                self._carts[f"subscription.{key}"] = item
        return live

    def _place(
        self, live: LiveState, item: LiveItem, ids: dict[str, tuple[str, int]], only: AddressFilter | None
    ) -> None:
        known = ids.get(item.id)
        if known is None:
            address = f"subscription.{item.id}"
            if item.status == FINISHED and (only is None or only(address)):
                self._hold(live, address, item.id, item)
            return
        key, generation = known
        item = LiveItem(item.raw, item.organization, generation)
        latest = self._latest.get(key)
        if latest is not None and latest.generation > generation:
            return
        self._latest[key] = item
        address = f"subscription.{key}"
        live.catalog.subscriptions.pop(key, None)
        live.ids.pop(address, None)
        self._items.pop(address, None)
        if item.status in HELD:
            self._hold(live, address, key, item)
        elif item.status == CANCELLED:
            live.catalog.subscriptions[key] = item.subscription(key)

    def _hold(self, live: LiveState, address: str, key: str, item: LiveItem) -> None:
        live.catalog.subscriptions[key] = item.subscription(key)
        live.ids[address] = item.id
        live.versions[address] = item.version()
        self._items[address] = item

    def prepare(self, desired: Catalog, live: LiveState) -> Catalog:
        """Refuse changes to busy items; note pending, failed and in-cart ones."""
        self.plan_notes = []
        errors: list[PlanError] = []
        for key, want in desired.subscriptions.items():
            address = f"subscription.{key}"
            item = self._items.get(address)
            latest = self._latest.get(key)
            if item is not None and item.status in BUSY:
                errors.extend(self._busy(address, want, item, live))
            elif latest is not None and latest.status == FAILED and want.state == "active":
                self.plan_notes.append(
                    f"{address}: the last order failed ({latest.reason or 'no reason given'}); "
                    "it is ordered again"
                )
            elif address in self._carts and want.state == "active":
                self.plan_notes.append(
                    f"{address}: the order item left in the cart is placed, not added again"
                )
        if errors:
            raise PlanErrors(errors)
        return Catalog(subscriptions=dict(desired.subscriptions))

    def _busy(self, address: str, want: Subscription, item: LiveItem, live: LiveState) -> list[PlanError]:
        have = live.catalog.subscriptions.get(address.split(".", 1)[1])
        where = want.source or address
        fix = "wait until it is provisioned (or approve it in the portal), then plan again"
        if want.state == "cancelled":
            return [
                PlanError(
                    f"subscription '{want.key}': order item {item.id} is {item.status}; only a {FINISHED} "
                    "item can be cancelled",
                    where=where,
                    hint=fix,
                )
            ]
        fields = diff_subscription(want, have) if have is not None else []
        if fields:
            what = "replaced" if any(f.path in REPLACED_BY for f in fields) else "updated"
            return [
                PlanError(
                    f"subscription '{want.key}': order item {item.id} is {item.status} and cannot be {what} "
                    "until it is provisioned",
                    where=where,
                    hint=fix,
                )
            ]
        self.plan_notes.append(f"{address}: pending ({item.status}), nothing to change")
        return []

    async def apply(self, change: Change) -> None:
        try:
            if change.action is Action.CREATE:
                await self._order(change.address, _wanted(change))
            elif change.action is Action.UPDATE:
                await self._update(change.address, _wanted(change))
            elif change.action in (Action.CANCEL, Action.DELETE):
                await self._cancel(change.address)
            elif change.action is Action.REPLACE:
                await self._cancel(change.address)
                await self._order(change.address, _wanted(change))
            else:
                raise PlatformError(f"AppXite cannot {change.action.value} a subscription", hint="plan again")
        except PlatformError as exc:
            raise type(exc)(exc.message, where=change.address, hint=exc.hint, status=exc.status) from None

    async def _order(self, address: str, want: Subscription) -> None:
        """Cart (once) and place (once) the subscription's next order item, then wait for it."""
        cart = self._carts.pop(address, None)
        if cart is not None and (cart.offer, cart.organization) != (want.offer, want.organization):
            await self.api.operate(cart.organization, "delete", cart.raw, cart.offer, cart.form_data)
            cart = None
        if cart is None:
            generation = self._next_generation(want)
            item_id = order_item_id(self.target, want.organization, want.key, generation)

            async def send() -> RawItem:
                return await self.api.add_to_cart(want.organization, want.offer, item_id, want.form_data)

            async def lookup() -> RawItem | None:
                return await self.api.find(want.organization, item_id)

            raw = await self.api.http.create_once(send, lookup)
            cart = LiveItem(raw, want.organization)
        elif cart.form_data != _plain(want.form_data):
            await self.api.operate(want.organization, "update", cart.raw, want.offer, want.form_data)
        if cart.status in ("", IN_CART):
            await self._once(
                lambda: self.api.operate(
                    want.organization, "place_order", cart.raw, want.offer, want.form_data
                ),
                cart,
                lambda found: found.status != IN_CART,
            )
        await self._wait(address, cart)

    async def _update(self, address: str, want: Subscription) -> None:
        item = await self._held(address)
        wanted = _plain(want.form_data)
        await self._once(
            lambda: self.api.operate(item.organization, "update", item.raw, item.offer, want.form_data),
            item,
            lambda found: found.form_data == wanted,
        )
        await self._wait(address, item)

    async def _cancel(self, address: str) -> None:
        item = await self._held(address)
        await self._once(
            lambda: self.api.cancel(item.organization, item.id), item, lambda found: found.status == CANCELLED
        )

    async def _once(
        self, send: Callable[[], Awaitable[None]], item: LiveItem, done: Callable[[LiveItem], bool]
    ) -> None:
        """An operation whose answer may be lost: the item is looked at before it is sent again."""

        async def lookup() -> bool | None:
            raw = await self.api.order_item(item.organization, item.order_id, item.id)
            return True if raw is not None and done(LiveItem(raw, item.organization)) else None

        async def sent() -> bool:
            await send()
            return True

        await self.api.http.create_once(sent, lookup)

    async def _wait(self, address: str, item: LiveItem) -> None:
        await wait_for(
            self.api, item, address, limit=self.wait_seconds, interval=self.poll_interval, report=self.report
        )

    async def _held(self, address: str) -> LiveItem:
        item = self._items.get(address)
        if item is None:
            raise PlatformError("the subscription's order item is not in the platform", hint="plan again")
        return item

    def _next_generation(self, want: Subscription) -> int:
        latest = self._latest.get(want.key)
        if latest is None or latest.organization != want.organization:
            return 1
        return latest.generation + 1


def _wanted(change: Change) -> Subscription:
    if not isinstance(change.desired, Subscription):
        raise PlatformError("the change carries no desired subscription", hint="plan again")
    return change.desired


def _plain(form_data: Any) -> Any:
    """Form data as the platform gives it back (JSON numbers), to compare with what was read."""
    return json.loads(encode(dict(form_data)))
