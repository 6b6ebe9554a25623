"""The xPage provider: reads a shop into the canonical model and writes product changes back.

xPage manages products only. Categories exist in the shop but the apps API can neither list nor create
them, so recipe categories are references, mapped to shop ids:

1. ``targets.<name>.categories: {recipe key: shop id}`` in shelf.yaml, first;
2. otherwise a case-insensitive match of the category's name (in the target's ``language``) against the
   shop categories shelf knows: those seen on live products and, for sandbox targets and shops served
   on a loopback address (``shelf sandbox serve``) only, those the emulator lists at
   ``GET /_sandbox/categories`` (the way a real shop's owner gives ids in shelf.yaml).

Products have no delete: pruning deactivates (``status: inactive``). A variant's ``stock: null`` in a
recipe means "stock is not managed by shelf": ``prepare`` copies the live stock into the desired variant,
so the diff never shows it and writes send the live quantity back unchanged.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from engine.config import Config, Target
from engine.errors import ConfigError, PlanError, PlanErrors, PlatformError
from engine.http import Auth, BearerAuth, HttpClient, TokenAuth
from engine.model import ANY_LANGUAGE, Catalog, Category, Product, Text, Variant, text_in
from engine.plan.model import Action, Change
from engine.plan.uploads import locate, owner
from engine.platforms.base import AddressFilter, AddressSet, Capabilities, LiveState
from engine.platforms.renames import renames
from engine.platforms.unsupported import refuse
from engine.platforms.xpage.api import PAGE_SIZE, RawProduct, XPageApi, token_fetcher
from engine.platforms.xpage.asset_metadata import add_assets, live_files
from engine.platforms.xpage.asset_prepare import alt_uploads, file_errors, with_live_ids
from engine.platforms.xpage.assets import file_ids
from engine.platforms.xpage.file_writes import XPageFiles, files_of
from engine.platforms.xpage.files_api import Files
from engine.platforms.xpage.loose_files import ORPHAN, LooseFiles
from engine.platforms.xpage.mapping import (
    creates_items,
    deactivate_metadata,
    encode,
    live_category,
    metadata_for,
    product_from_live,
    unknown_category_key,
    version_of,
)
from engine.platforms.xpage.removals import removal_limit
from engine.secrets import Secret

SANDBOX_TOKEN = "sandbox"
INSTALL_HEADER = "X-App-Install-Id"


class XPageProvider:
    """One xPage shop behind the :class:`engine.platforms.base.Provider` protocol."""

    platform: ClassVar[str] = "xpage"
    capabilities: ClassVar[Capabilities] = Capabilities(
        managed=frozenset({"products", "files"}),
        deletable=frozenset({"files"}),
        referenced=frozenset({"categories"}),
        max_image_bytes=5 * 1024 * 1024,
        image_types=frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"}),
    )

    def __init__(self, target: Target, http: HttpClient):
        self.target = target
        self.api = XPageApi(http)
        settings = target.settings
        languages = settings.get("languages") or [None]
        self.language: str | None = settings.get("language") or languages[0]
        self.mapped_categories: dict[str, str] = {
            str(k): str(v) for k, v in (settings.get("categories") or {}).items()
        }
        self.plan_notes: list[str] = []
        self.limits: dict[str, str] = {}
        """Per product address, what the last ``prepare`` found its update may not achieve on every shop
        (:mod:`engine.platforms.xpage.removals`); the core gives it as the reason when verification finds
        the product still differs."""
        self._raw: dict[str, RawProduct] = {}
        self.files = XPageFiles(http, self.capabilities.max_image_bytes)
        self._shop: dict[str, str] = {}
        self._pages = 1
        self._listed = False
        self._category_ids: dict[str, str] = {}
        self._ambiguous: dict[str, list[str]] = {}
        self.loose = LooseFiles()
        self.files_listed = True

    async def aclose(self) -> None:
        await self.api.http.aclose()

    async def read(self, desired: Catalog, only: AddressFilter | None = None) -> LiveState:
        """The whole product list (the API has no slug filter), mapped for the addresses ``only`` keeps;
        or, for a known set of products read before, each one by id when that is fewer requests."""
        raws = await self._read_known(only)
        self.files.users.read(raws or [], whole_shop=False)
        whole = raws is None
        if raws is None:
            listed, files = await asyncio.gather(self.api.list_products(), self.files.api.list_all())
            raws = listed
            self.files.users.read(raws, whole_shop=True)
            await self._find_loose(raws, files)
            self._pages = max(1, -(-len(raws) // PAGE_SIZE))
            self._shop = await self._shop_categories(raws)
            self._listed = True
            self._map_categories(desired, self._shop)
        shop = self._shop
        keys_by_id: dict[str, list[str]] = {}
        for key, shop_id in self._category_ids.items():
            keys_by_id.setdefault(shop_id, []).append(key)

        live = LiveState()
        for key, shop_id in self._category_ids.items():
            addr = f"category.{key}"  # references: always read, whatever ``only`` says
            category = desired.categories[key]
            name = shop.get(shop_id) or text_in(category.name, self.language) or key
            live.catalog.categories[key] = Category(
                key=key, name={ANY_LANGUAGE: name}, parent=category.parent
            )
            live.ids[addr] = shop_id

        renamed = renames(desired, (str(raw.get("slug") or raw.get("id")) for raw in raws))
        if whole:  # every product takes back its loose files, whatever ``only`` keeps: the rest are orphans
            for raw in raws:
                held = str(raw.get("slug") or raw.get("id"))
                wanted = desired.products.get(renamed.get(held, held))
                if wanted is not None:
                    self.loose.adopt(wanted, files_of(raw))
        for raw in raws:
            held = str(raw.get("slug") or raw.get("id"))
            slug = renamed.get(held, held)
            addr = f"product.{slug}"
            if slug in live.catalog.products or (only is not None and not only(addr)):
                continue
            wanted = desired.products.get(slug)
            category_key = self._category_key(raw, keys_by_id, wanted.category if wanted else None)
            mapped = product_from_live(raw, category_key, wanted, self.files.users.only_user(str(raw["id"])))
            live.catalog.products[slug] = replace(mapped, key=slug)
            if slug != held:
                live.renamed[slug] = held
            live.ids[addr] = str(raw["id"])
            live.versions[addr] = version_of(raw)
            self._raw[addr] = raw
        if whole:
            live.orphans = self.loose.orphans()
            for addr, orphan in live.orphans.items():
                live.ids[addr] = orphan.live_id or ""
                live.versions[addr] = f"file:{orphan.live_id}:{orphan.ref}"
        return live

    async def _find_loose(self, raws: list[RawProduct], files: Files | None) -> None:
        """The files shelf uploaded that no product uses; those linked to a landing page or a review are
        used too (listed only when there is a candidate at all)."""
        self.files_listed = files is not None
        used = set().union(*(file_ids(raw) for raw in raws))
        self.loose.found(files or [], used)
        if self.loose.pool:
            elsewhere = await asyncio.gather(
                *(self.files.api.list_all(fileable_type=kind) for kind in ("landing_page", "review"))
            )
            used |= {str(f.get("id")) for found in elsewhere if found for f in found}
            self.loose.found(files or [], used)

    def prepare(self, desired: Catalog, live: LiveState) -> Catalog:
        """Desired, in the target's language, with unmanaged stock taken from the shop; PlanErrors for
        categories the shop lacks and for promotions and subscriptions, which xPage cannot hold."""
        errors: list[PlanError] = [
            *refuse("promotions", desired.promotions, "xPage", "xPage has no promotions API"),
            *refuse("subscriptions", desired.subscriptions, "xPage"),
        ]
        self.plan_notes = []
        self.limits = {}
        categories = {
            key: replace(c, name=self._resolve(c.name) or {ANY_LANGUAGE: key})
            for key, c in desired.categories.items()
        }
        reported: set[str] = set()
        products: dict[str, Product] = {}
        for key, product in desired.products.items():
            if (
                product.category
                and f"category.{product.category}" not in live.ids
                and product.category not in reported
            ):
                reported.add(product.category)
                errors.append(self._category_error(product, desired.categories.get(product.category)))
            errors.extend(_money_errors(product))
            errors.extend(file_errors(product))
            held = live.catalog.products.get(key)
            products[key] = self.loose.with_adopted(with_live_ids(self._prepare_product(product, held), held))
            self.plan_notes.extend(alt_uploads(products[key], held))
            limit = removal_limit(products[key], held)
            if limit is not None:
                self.plan_notes.append(f"product.{key}: {limit}")
                self.limits[f"product.{key}"] = limit
        if errors:
            raise PlanErrors(errors)
        return Catalog(categories=categories, products=products)

    async def apply(self, change: Change) -> None:
        """One product change: create (once), update with the full product, or deactivate; or one upload
        of a product's image or file."""
        if change.kind not in ("product", "image", "file", ORPHAN):
            raise PlatformError(
                f"xPage cannot {change.action.value} {change.kind}s through its API",
                where=change.address,
                hint="create or change it in the shop's admin",
            )
        try:
            if change.kind == ORPHAN:
                await self._delete_orphan(change)
            elif change.action is Action.CREATE:
                await self._create(change)
            elif change.action is Action.UPDATE:
                await self._update(change)
            elif change.action in (Action.DEACTIVATE, Action.DELETE):
                await self._deactivate(change)
            elif change.action is Action.UPLOAD:
                await self._upload(change)
            else:
                raise PlatformError(
                    f"xPage cannot {change.action.value} a product",
                    hint="products are created, updated, or deactivated (xPage has no delete)",
                )
        except PlatformError as exc:
            raise type(exc)(exc.message, where=change.address, hint=exc.hint, status=exc.status) from None

    async def _delete_orphan(self, change: Change) -> None:
        """``POST /file/{id}`` of a file shelf uploaded that nothing used when the plan was made."""
        if change.action is not Action.DELETE or not change.live_id:
            raise PlatformError("an orphan file can only be deleted", hint="plan again")
        await self.files.api.delete(change.live_id)

    async def _create(self, change: Change) -> None:
        """The create request carries the images and files it can; the rest are uploaded after it, and
        one update places what needs the new ids (see :mod:`engine.platforms.xpage.file_writes`)."""
        product = _desired_product(change)
        category_id = self._category_id(product.category)
        metadata = encode(metadata_for(product, category_id=category_id))
        images, files = await self.files.create_parts(product, change.address)

        async def send() -> RawProduct:
            return await self.api.create_product(metadata, images, files)

        async def lookup() -> RawProduct | None:
            return await self.api.find_by_slug(product.key)

        raw = await self.api.http.create_once(send, lookup)
        self._raw[change.address] = raw
        self.files.created.add(change.address)
        ids, now = await self.files.complete(product, raw, change.address)
        placed = metadata_for(product, category_id=category_id, live=raw)
        if add_assets(placed, product, ids, now):
            raw = await self.api.update_product(str(raw["id"]), encode(placed), idempotent=True)
            self._raw[change.address] = raw
        self.files.users.record(str(raw["id"]), file_ids(raw))

    async def _update(self, change: Change) -> None:
        product = _desired_product(change)
        raw = await self._live_raw(change)
        ids = self.files.ids(product, change.address)
        metadata = metadata_for(product, category_id=self._category_id(product.category), live=raw)
        add_assets(metadata, product, ids, live_files(raw))
        updated = await self.api.update_product(
            str(raw["id"]), encode(metadata), idempotent=not creates_items(metadata)
        )
        self._raw[change.address] = updated
        await self.files.remove(raw, ids.all(), change.address)
        self.files.users.record(str(raw["id"]), file_ids(updated))

    async def _upload(self, change: Change) -> None:
        """An image or file of an existing product; a product created by this apply got its files then."""
        home = owner(change.address) or ""
        if home in self.files.created:
            return
        product = _desired_product(change)
        try:
            located = locate(change)
        except LookupError as exc:
            raise PlatformError(str(exc), hint="plan again") from None
        raw = self._raw.get(home) or await self.api.find_by_slug(product.key)
        if raw is None:
            raise PlatformError("the product is no longer in the shop", hint="plan again", status=404)
        await self.files.upload(located, product, raw, change.address)

    async def _deactivate(self, change: Change) -> None:
        product_id = change.live_id or str((await self._live_raw(change))["id"])
        self._raw[change.address] = await self.api.update_product(
            product_id, encode(deactivate_metadata()), idempotent=True
        )

    async def _read_known(self, only: AddressFilter | None) -> list[RawProduct] | None:
        """Products by id for an :class:`AddressSet` of products this provider has seen, if that takes
        fewer requests than listing every page; None when a full list is needed."""
        if not isinstance(only, AddressSet) or not self._listed:
            return None
        wanted = [a for a in only.addresses if a.startswith("product.")]
        if any(a not in self._raw for a in wanted) or len(wanted) >= self._pages:
            return None
        return list(await asyncio.gather(*(self.api.get_product(str(self._raw[a]["id"])) for a in wanted)))

    async def _live_raw(self, change: Change) -> RawProduct:
        """The live product from the last read, else by the plan's id, else by slug (a saved plan)."""
        raw = self._raw.get(change.address)
        if raw is None and change.live_id:
            raw = await self.api.get_product(change.live_id)
        if raw is None:
            raw = await self.api.find_by_slug(change.key)
        if raw is None:
            raise PlatformError("the product is no longer in the shop", hint="plan again", status=404)
        return raw

    async def _shop_categories(self, raws: list[RawProduct]) -> dict[str, str]:
        """Shop category id -> name, from live products and, on sandbox targets and shops served on this
        machine (``shelf sandbox serve``), the emulator's list. No real shop is served on a loopback
        address, and one reached there (a tunnel) just answers that request with an error, which is
        ignored: its categories then come from shelf.yaml as for any shop."""
        shop: dict[str, str] = {}
        if self.target.sandbox or served_here(self.api.http.base_url):
            try:
                listed = await self.api.sandbox_categories()
            except PlatformError:
                if self.target.sandbox:
                    raise
                listed = []
            for category in listed:
                if category.get("id"):
                    shop[str(category["id"])] = str(category.get("name") or "")
        for raw in raws:
            found = live_category(raw)
            if found and (found[1] or found[0] not in shop):
                shop[found[0]] = found[1]
        return shop

    def _map_categories(self, desired: Catalog, shop: Mapping[str, str]) -> None:
        by_name: dict[str, list[str]] = {}
        for shop_id, name in shop.items():
            if name:
                by_name.setdefault(_folded(name), []).append(shop_id)
        self._category_ids = {}
        self._ambiguous = {}
        for key, category in desired.categories.items():
            if key in self.mapped_categories:
                self._category_ids[key] = self.mapped_categories[key]
                continue
            matches = by_name.get(_folded(text_in(category.name, self.language) or ""), [])
            if len(matches) == 1:
                self._category_ids[key] = matches[0]
            elif matches:
                self._ambiguous[key] = matches

    def _category_key(
        self, raw: RawProduct, keys_by_id: Mapping[str, list[str]], wanted: str | None
    ) -> str | None:
        found = live_category(raw)
        if found is None:
            return None
        keys = keys_by_id.get(found[0], [])
        if wanted in keys:
            return wanted
        if keys:
            return keys[0]
        return unknown_category_key(*found)

    def _category_id(self, key: str | None) -> str | None:
        """The shop id of a recipe category, as mapped by the last read (the core always reads before it
        applies, saved plans included) or given in shelf.yaml."""
        if key is None:
            return None
        shop_id = self._category_ids.get(key) or self.mapped_categories.get(key)
        if shop_id is None:
            raise PlatformError(
                f"category '{key}' has no known shop id",
                hint=f"plan again, or map it in shelf.yaml under targets.{self.target.name}.categories",
            )
        return shop_id

    def _category_error(self, product: Product, category: Category | None) -> PlanError:
        key = product.category or ""
        name = text_in(category.name, self.language) if category else key
        where = (category.source if category else None) or product.source or f"category.{key}"
        hint = f"create it in the shop or map it in shelf.yaml under targets.{self.target.name}.categories"
        if key in self._ambiguous:
            ids = ", ".join(self._ambiguous[key])
            return PlanError(
                f"category '{key}' (\"{name}\") matches several categories in the shop ({ids})",
                where=where,
                hint=f"map it by id in shelf.yaml under targets.{self.target.name}.categories",
            )
        return PlanError(
            f"category '{key}' (\"{name}\") matches no category in the shop; xPage cannot create categories",
            where=where,
            hint=hint,
        )

    def _resolve(self, value: Text | None) -> Text | None:
        resolved = text_in(value, self.language)
        return {ANY_LANGUAGE: resolved} if resolved else None

    def _prepare_product(self, product: Product, live: Product | None) -> Product:
        live_variants = {v.options: v for v in (live.variants if live else ())}
        variants = tuple(_prepare_variant(v, live_variants.get(v.options)) for v in product.variants)
        return replace(
            product,
            title=self._resolve(product.title) or {ANY_LANGUAGE: ""},
            description=self._resolve(product.description),
            seo_title=self._resolve(product.seo_title),
            seo_description=self._resolve(product.seo_description),
            variants=variants,
        )


def _prepare_variant(variant: Variant, live: Variant | None) -> Variant:
    if live is None:
        return variant
    stock = live.stock if variant.stock is None else variant.stock
    return replace(variant, stock=stock, live_id=live.live_id)


def served_here(base_url: str) -> bool:
    """Whether ``base_url`` is on a loopback address, where only ``shelf sandbox serve`` serves xPage."""
    host = httpx.URL(base_url).host
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _money_errors(product: Product) -> list[PlanError]:
    errors = []
    for variant in product.variants:
        for field_name, amount in (("price", variant.price), ("compare_price", variant.compare_price)):
            if amount is not None and _decimals(amount) > 2:
                errors.append(
                    PlanError(
                        f"variant {variant.label} of product '{product.key}': {field_name} {amount} has more "
                        "than 2 decimals",
                        where=variant.source or product.source or f"product.{product.key}",
                        hint="xPage prices are in cents: round it to 2 decimals",
                    )
                )
    return errors


def _decimals(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _desired_product(change: Change) -> Product:
    if not isinstance(change.desired, Product):
        raise PlatformError("the change carries no desired product", hint="plan again")
    return change.desired


def create_xpage_provider(
    target: Target,
    config: Config,
    *,
    base_url: str | None,
    transport: httpx.AsyncBaseTransport | None,
    **http_options: Any,
) -> XPageProvider:
    """The provider for ``target``; ``base_url`` None means the target's own (a sandbox passes its own).

    ``install_id`` (settings) goes into the token request and into every call's ``X-App-Install-Id``
    header, which the API asks for whenever a token is not restricted to one installation.
    """
    url = base_url or target.base_url
    if not url:
        raise ConfigError(
            "an xPage target needs base_url",
            where=target.name,
            hint="set base_url: https://<shop host>/api/apps/v1 (each shop has its own host)",
        )
    install_id = target.settings.get("install_id")
    headers = {INSTALL_HEADER: str(install_id)} if install_id else {}
    http = HttpClient(
        url,
        auth=_auth(target),
        headers=headers,
        transport=transport,
        concurrency=target.concurrency,
        where=target.name,
        secrets=tuple(target.secrets.values()),
        **http_options,
    )
    return XPageProvider(target, http)


def _auth(target: Target) -> Auth:
    token = target.secrets.get("token")
    if token is not None:
        return BearerAuth(token)
    client_id = target.settings.get("client_id")
    client_secret = target.secrets.get("client_secret")
    if client_id and client_secret is not None:
        install_id = target.settings.get("install_id")
        fetch = token_fetcher(str(client_id), client_secret, str(install_id) if install_id else None)
        return TokenAuth(fetch, extra_secrets=(client_secret,))
    if target.sandbox:
        return BearerAuth(Secret(SANDBOX_TOKEN))
    raise ConfigError(
        "an xPage target needs credentials",
        where=target.name,
        hint="set token: ${XPAGE_TOKEN}, or client_id with client_secret: ${XPAGE_CLIENT_SECRET}",
    )
