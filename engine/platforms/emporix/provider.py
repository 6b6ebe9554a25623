"""The Emporix provider: reads a tenant into the canonical model and writes changes back.

shelf manages categories, products (with their templates, variants, prices, category assignment and
media) and promotions (as coupons) on Emporix, and can delete all three. The mapping and every reading
chosen are in docs/platforms/emporix.md and in the docstrings of the modules named there.

Writes: the core hands the provider every change that is ready at once (``apply_batch``); the product
writes among them share bulk requests (:mod:`engine.platforms.emporix.gather`), the other changes run
side by side as they would one at a time.

Reads: a plan lists the whole tenant; the verification after an apply reads just the products and
promotions it touched (by id, in a few filtered lists) when that takes fewer requests than listing
everything again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

from engine.config import Config, Target
from engine.errors import ConfigError, PlatformError, ShelfError
from engine.http import HttpClient
from engine.model import Catalog, Category, Product, Promotion
from engine.plan.model import Action, Change
from engine.plan.uploads import locate, owner
from engine.platforms.base import AddressFilter, AddressSet, Capabilities, LiveState
from engine.platforms.emporix import ids
from engine.platforms.emporix.api import EmporixApi, all_of, pair
from engine.platforms.emporix.auth import client_auth
from engine.platforms.emporix.category_writes import CategoryWrites
from engine.platforms.emporix.coupon_writes import CouponWrites
from engine.platforms.emporix.gather import Ticket
from engine.platforms.emporix.live_state import Known, live_state
from engine.platforms.emporix.media_writes import MediaWrites
from engine.platforms.emporix.mixin_schemas import COUPON, MEDIA, PRODUCT, MixinSchemas
from engine.platforms.emporix.prepare import prepare_catalog
from engine.platforms.emporix.product_docs import Members, layout, template_doc
from engine.platforms.emporix.product_writes import ProductWrites, template_id_of
from engine.platforms.emporix.settings import Settings, settings_of
from engine.platforms.emporix.shop import ID_CHUNK, Reader, Snapshot

MAX_MEDIA_BYTES = 10 * 1024 * 1024
TARGETED_ROUNDS = 6
"""Requests a read of known products takes per chunk of ids: products, variants, owned assets, then
prices, referring assets and availabilities."""


class EmporixProvider:
    """One Emporix tenant behind the :class:`engine.platforms.base.Provider` protocol."""

    platform: ClassVar[str] = "emporix"
    capabilities: ClassVar[Capabilities] = Capabilities(
        managed=frozenset({"categories", "products", "promotions"}),
        deletable=frozenset({"categories", "products", "promotions"}),
        max_image_bytes=MAX_MEDIA_BYTES,
    )

    def __init__(self, target: Target, http: HttpClient, settings: Settings):
        self.target = target
        self.settings = settings
        self.api = EmporixApi(http, settings.tenant)
        self.reader = Reader(self.api, settings)
        self.schemas = MixinSchemas(self.api)
        self.media = MediaWrites(self.api, self.schemas)
        self.products = ProductWrites(self.api, settings, self.media)
        self.categories = CategoryWrites(self.api, settings)
        self.coupons = CouponWrites(self.api, settings, self.schemas)
        self.snapshot: Snapshot | None = None
        self.known = Known()
        self.members: dict[str, frozenset[str]] = {}
        self.prepared: Catalog | None = None
        self._wanted_templates: set[str] | None = None
        self.products.template_used = self._template_used
        self.plan_notes: list[str] = []
        """What the last ``prepare`` found recipes ask for that Emporix does not get (the core adds
        these to the plan's notes)."""

    async def aclose(self) -> None:
        await self.api.http.aclose()

    async def read(self, desired: Catalog, only: AddressFilter | None = None) -> LiveState:
        """The tenant as a canonical catalog; see the module docstring for what is read when."""
        snapshot = await self._snapshot(desired, only)
        self._learn_templates(snapshot)
        return live_state(snapshot, desired, only, self.settings, self.known)

    def _learn_templates(self, snapshot: Snapshot) -> None:
        """The templates the products read refer to (their latest version seen), so a shared template
        is found rather than created again."""
        for doc in snapshot.products.values():
            template = doc.get("template") or {}
            if template.get("id") and template.get("attributes") is not None:
                version = int(template.get("version") or 1)
                held = self.products.known_templates.get(str(template["id"]))
                if held is None or int(held["metadata"]["version"]) < version:
                    known = {**template, "metadata": {"version": version}}
                    self.products.known_templates[str(template["id"])] = known

    def _template_used(self, template_id: str, product_id: str) -> bool:
        """Whether a template stays in use without ``product_id``: a recipe's product is to use it, or a
        product the recipes do not describe (made in the shop, or to be pruned) does. Without a prepared
        catalog (nothing to compare with), every template counts as used."""
        if self.prepared is None or self.snapshot is None:
            return True
        if self._wanted_templates is None:
            self._wanted_templates = set()
            for key, product in self.prepared.products.items():
                if not product.options:
                    continue
                family = self.known.families.get(key)
                live = family.product if family else None
                at = layout(product, live, family.children if family else [], self.settings.language)
                body = template_doc(product, at.attribute_keys, self.settings)
                self._wanted_templates.add(template_id_of(body))
        if template_id in self._wanted_templates:
            return True
        return any(
            pid != product_id
            and str(doc.get("code")) not in self.prepared.products
            and (doc.get("template") or {}).get("id") == template_id
            for pid, doc in self.snapshot.products.items()
        )

    def prepare(self, desired: Catalog, live: LiveState) -> Catalog:
        deleted = self.snapshot.deleted_codes if self.snapshot else set()
        prune = "products" in self.target.prune
        prepared = prepare_catalog(desired, live, self.settings, deleted, self.known.families, prune)
        self.schemas.properties = frozenset(
            name for product in prepared.catalog.products.values() for name, _ in product.properties
        )
        catalog = prepared.catalog
        kinds = {PRODUCT} if catalog.products else set()
        if any(p.images or p.files or any(v.image for v in p.variants) for p in catalog.products.values()):
            kinds.add(MEDIA)
        if catalog.promotions:
            kinds.add(COUPON)
        self.plan_notes = self.schemas.pending(self.schemas.properties, kinds)
        self.plan_notes.extend(prepared.notes)
        self.prepared = prepared.catalog
        self._wanted_templates = None
        return prepared.catalog

    async def apply_batch(self, changes: Sequence[Change]) -> Mapping[str, ShelfError | None]:
        """Every ready change at once: product writes share bulk requests, the rest run side by side.
        A change's failure is its own (named by its address); none raises."""
        writes = [c for c in changes if c.kind == "product" and c.action not in _NOT_WRITES]
        others = [c for c in changes if c.kind != "product" or c.action in _NOT_WRITES]
        batch = self.products.batch(len(writes))

        async def run(change: Change, ticket: Ticket | None) -> ShelfError | None:
            try:
                await (self.apply(change) if ticket is None else self._applied(change, ticket))
            except ShelfError as exc:
                return exc
            finally:
                if ticket is not None:
                    ticket.done()
            return None

        try:
            outcomes = await asyncio.gather(
                *(run(c, batch.ticket()) for c in writes), *(run(c, None) for c in others)
            )
        finally:
            await batch.settle()
        return {c.address: o for c, o in zip([*writes, *others], outcomes, strict=True)}

    async def _applied(self, change: Change, ticket: Ticket) -> None:
        try:
            await self._product(change, ticket)
        except PlatformError as exc:
            raise type(exc)(exc.message, where=change.address, hint=exc.hint, status=exc.status) from None

    async def apply(self, change: Change) -> None:
        try:
            await self._apply(change)
        except PlatformError as exc:
            raise type(exc)(exc.message, where=change.address, hint=exc.hint, status=exc.status) from None

    async def _apply(self, change: Change) -> None:
        deleting = change.action in (Action.DELETE, Action.DEACTIVATE)
        if change.action is Action.UPLOAD:
            await self._upload(change)
        elif change.kind == "category":
            await (self._delete_category(change) if deleting else self._category(change))
        elif change.kind == "product":
            await (self._delete_product(change) if deleting else self._product(change))
        elif change.kind == "promotion":
            await (self._delete_coupon(change) if deleting else self._coupon(change))
        else:
            raise PlatformError(f"Emporix cannot hold {change.kind}s", hint="remove it from this target")

    async def _snapshot(self, desired: Catalog, only: AddressFilter | None) -> Snapshot:
        if isinstance(only, AddressSet) and self.snapshot is not None:
            products = sorted(a.split(".", 1)[1] for a in only.addresses if a.startswith("product."))
            promotions = sorted(a.split(".", 1)[1] for a in only.addresses if a.startswith("promotion."))
            product_ids = [self._product_id(key) for key in products]
            cost = TARGETED_ROUNDS * -(-len(product_ids) // ID_CHUNK) + 1 + len(promotions)
            if cost < sum(self.snapshot.pages.values()):
                await self._read_known(self.snapshot, product_ids, promotions, desired)
                return self.snapshot
        snapshot, _ = await pair(self.reader.whole(), self.schemas.read())
        self.snapshot = snapshot
        self.known = Known()
        return snapshot

    async def _read_known(
        self, snapshot: Snapshot, product_ids: list[str], promotions: list[str], desired: Catalog
    ) -> None:
        """Read again just these products and promotions, and every category, into ``snapshot``."""
        codes: set[str] = set()
        for key in promotions:
            wanted = desired.promotions.get(key)
            if key in self.known.coupons:
                codes.add(str(self.known.coupons[key].get("code")))
            if wanted is not None and wanted.code:
                codes.add(wanted.code.upper())
        ordered = sorted(codes)
        fresh, (categories, coupons) = await pair(
            self.reader.products(product_ids),
            pair(self.reader.categories(), all_of(*(self.coupons.get(code) for code in ordered))),
        )
        snapshot.replace_products(product_ids, fresh)
        snapshot.categories = {str(c["id"]): c for c in categories}
        for code, found in zip(ordered, coupons, strict=True):
            snapshot.coupons.pop(code, None)
            if found is not None and not found.get("deleted"):
                snapshot.coupons[code] = found

    def _product_id(self, key: str) -> str:
        family = self.known.families.get(key)
        return family.id if family else ids.product_id(key)

    def _category_id(self, key: str | None) -> str | None:
        if key is None:
            return None
        return self.known.category_ids.get(key) or ids.category_id(key)

    async def _category(self, change: Change) -> None:
        category = _desired(change, Category)
        category_id = change.live_id or self._category_id(category.key) or category.key
        live = self.snapshot.categories.get(category_id) if self.snapshot else None
        await self.categories.write(category, category_id, live, self._category_id(category.parent))
        self.known.category_ids[category.key] = category_id

    async def _delete_category(self, change: Change) -> None:
        await self.categories.delete(change.live_id or self._category_id(change.key) or change.key)

    async def _product(self, change: Change, ticket: Ticket | None = None) -> None:
        product = _desired(change, Product)
        family = self.known.families.get(product.key) if change.action is not Action.CREATE else None
        if change.action is Action.CREATE:
            self._check_free(product.key)
        live = self.known.products.get(product.key)
        old_category = self._category_id(live.category) if live is not None else None
        written = await self.products.sync(
            product, family, self._category_id(product.category), old_category, ticket
        )
        self.members[change.address] = written.members

    def _check_free(self, key: str) -> None:
        """A new product's id must not be another product's: an upsert would replace that product."""
        held = (self.snapshot.products if self.snapshot else {}).get(ids.product_id(key))
        if held is not None and str(held.get("code")) != key:
            raise PlatformError(
                f"the product id {ids.product_id(key)} is taken by the product with code {held.get('code')}",
                status=409,
                hint="give that product the code of its recipe key, or rename the recipe's key",
            )

    async def _delete_product(self, change: Change) -> None:
        family = self.known.families.get(change.key)
        if family is None:
            raise PlatformError("the product is no longer in the shop", hint="plan again", status=404)
        await self.products.delete(family)

    async def _upload(self, change: Change) -> None:
        product = _desired(change, Product)
        try:
            located = locate(change)
        except LookupError as exc:
            raise PlatformError(str(exc), hint="plan again") from None
        family = self.known.families.get(product.key)
        live = family.product if family else None
        at = layout(product, live, family.children if family else [], self.settings.language)
        former = family.members() if family else set()
        members = Members.of(self.members.get(owner(change.address) or "") or former, former)
        await self.media.upload(located, product, at, members, family.assets if family else ())

    async def _coupon(self, change: Change) -> None:
        promotion = _desired(change, Promotion)
        categories = [c for c in (self._category_id(k) for k in promotion.categories) if c]
        live = self.known.coupons.get(promotion.key) if change.action is not Action.CREATE else None
        await self.coupons.write(promotion, categories, live)

    async def _delete_coupon(self, change: Change) -> None:
        code = change.live_id or str((self.known.coupons.get(change.key) or {}).get("code") or "")
        if not code:
            raise PlatformError("the coupon is no longer in the shop", hint="plan again", status=404)
        await self.coupons.delete(code)


_NOT_WRITES = (Action.DELETE, Action.DEACTIVATE, Action.UPLOAD)


def _desired(change: Change, kind: type[Any]) -> Any:
    if not isinstance(change.desired, kind):
        raise PlatformError(f"the change carries no desired {kind.__name__.lower()}", hint="plan again")
    return change.desired


def create_emporix_provider(
    target: Target,
    config: Config,
    *,
    base_url: str | None,
    transport: httpx.AsyncBaseTransport | None,
    **http_options: Any,
) -> EmporixProvider:
    """The provider for ``target``; ``base_url`` None means the target's own (a sandbox passes its own)."""
    settings = settings_of(target)
    url = base_url or target.base_url
    if not url:
        raise ConfigError(
            "an Emporix target needs base_url", where=target.name, hint="set base_url: https://api.emporix.io"
        )
    http = HttpClient(
        url,
        auth=client_auth(settings.client_id, settings.client_secret, mask=not settings.well_known_secret),
        transport=transport,
        concurrency=target.concurrency,
        where=target.name,
        secrets=tuple(target.secrets.values()),
        **http_options,
    )
    return EmporixProvider(target, http, settings)
