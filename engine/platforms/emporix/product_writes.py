"""Making one Emporix product match its recipe, writing only the parts that differ.

A product is several documents: the product, its template (products with options), one product per
variant, a price per variant (or per product without options), a category assignment and media assets.
Each is compared with what was read and written only when it differs, so a one-field change is one
request (a price change is one ``PUT`` of that price). The order keeps every reference valid:

1. a product whose type changes (options added to a product without them, or all removed) is deleted
   first, since Emporix fixes a product's type when it is created;
2. the template of its option set is found, or created (once for every product that shares it);
   variants that are gone are deleted;
3. the product document is written (``skipVariantGeneration=true``: shelf writes the variants itself,
   so disabled combinations never exist, even for a moment);
4. new or changed variants are written;
5. then, concurrently: prices (prices of removed variants deleted), stock, the category assignment,
   and the placement of images and files;
6. the template the product left is deleted when shelf made it and no product uses it any more.

Products, variants, prices and stock go as bulk requests of up to 200 items, gathered across every
product the apply writes at once (:mod:`engine.platforms.emporix.gather`); a lone item is a plain
``PUT``.

Readings chosen: products with the same option set (the same attribute keys, names and values) share
one template, whose id is derived from that set; a product whose options change moves to the template
of its new set. A template update answered 204 is taken to have made the next version (the reference
stores every update as a new version, and the write carried the version it replaced). Variants are
written without ``metadata.version``: a variant holds only its code and option values, and its
version changes whenever its parent is written, since it copies the parent's inherited fields.
``skipVariantGeneration=true`` goes with every product write, bulk or single: the reference ties it to
variant generation, which only ``PARENT_VARIANT`` products have, so the other products ignore it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from engine.errors import PlatformError
from engine.model import Product
from engine.platforms.emporix import ids
from engine.platforms.emporix.api import READ_MAPS, WRITE_MAPS, Doc, EmporixApi, all_of, bulk_failures
from engine.platforms.emporix.gather import Batch, Ticket
from engine.platforms.emporix.live_products import OWN_MIXIN, Family
from engine.platforms.emporix.media_writes import MediaWrites
from engine.platforms.emporix.mixin_schemas import PRODUCT
from engine.platforms.emporix.product_docs import (
    Layout,
    Members,
    child_doc,
    kind_of,
    layout,
    price_doc,
    price_matches,
    product_doc,
    product_projection,
    template_doc,
    template_projection,
)
from engine.platforms.emporix.settings import Settings
from engine.platforms.emporix.stock import StockWrites
from engine.platforms.emporix.writes import Destination, Upsert, send_items, upsert_all, with_fresh_reads

SKIP_GENERATION = {"skipVariantGeneration": "true"}


@dataclass(frozen=True)
class Written:
    """What a product is after its write: its layout and the ids of its documents."""

    at: Layout
    members: frozenset[str]


def _never_used(template_id: str, product_id: str) -> bool:
    return False


class ProductWrites:
    def __init__(self, api: EmporixApi, settings: Settings, media: MediaWrites):
        self.stock = StockWrites(api, settings.site)
        self.api = api
        self.settings = settings
        self.media = media
        self.known_templates: dict[str, Doc] = {}
        """Templates as read (id -> document with ``metadata.version``), so a shared one is not made
        again."""
        self.template_used: Callable[[str, str], bool] = _never_used
        """Whether a template is used by a product other than the given one (the provider knows the
        shop and the recipes)."""
        self._templates: dict[str, asyncio.Future[tuple[str, int]]] = {}
        self.products_at = Destination(
            one=self._product_path,
            bulk=self.api.path("product", "products/bulk"),
            reread=self.get_product,
            one_params=SKIP_GENERATION,
            bulk_params=SKIP_GENERATION,
            headers=WRITE_MAPS,
        )
        self.prices_at = Destination(
            one=self._price_path,
            bulk=self.api.path("price", "prices/bulk"),
            reread=self._get_price,
            one_params={"partial": "false"},
        )

    def batch(self, members: int) -> Batch:
        """The bulk rounds ``members`` products written at once share."""

        async def products(bodies: list[Doc]) -> list[Doc]:
            return await send_items(self.api, self.products_at, [str(b["id"]) for b in bodies], bodies)

        async def prices(bodies: list[Doc]) -> list[Doc]:
            return await send_items(self.api, self.prices_at, [str(b["id"]) for b in bodies], bodies)

        senders = {
            "products": products,
            "variants": products,
            "prices": prices,
            "stock": self.stock.send,
            "assignments": self._send_assignments,
        }
        return Batch(members, senders)

    def _product_path(self, product_id: str) -> str:
        return self.api.path("product", f"products/{product_id}")

    def _template_path(self, template_id: str) -> str:
        return self.api.path("product", f"product-templates/{template_id}")

    def _price_path(self, price_id: str) -> str:
        return self.api.path("price", f"prices/{price_id}")

    async def get_product(self, product_id: str) -> Doc | None:
        found = await self.api.get(
            self._product_path(product_id), params={"expand": "template"}, headers=READ_MAPS
        )
        return found if isinstance(found, dict) else None

    async def sync(
        self,
        product: Product,
        family: Family | None,
        category_id: str | None,
        old_category_id: str | None,
        ticket: Ticket | None = None,
    ) -> Written:
        """Make the product in the shop match ``product`` (``family``: as read; None for a new one);
        ``ticket``: its place in a batch of products written at once (alone without one)."""
        ticket = ticket or self.batch(1).ticket()
        try:
            return await self._sync(product, family, category_id, old_category_id, ticket)
        finally:
            ticket.done()

    async def _sync(
        self,
        product: Product,
        family: Family | None,
        category_id: str | None,
        old_category_id: str | None,
        ticket: Ticket,
    ) -> Written:
        live = family.product if family else None
        children: list[Doc] = list(family.children) if family else []
        categories = [str(c) for c in (live or {}).get("categoryIds") or []]
        old_template = ((live or {}).get("template") or {}).get("id")
        if live is not None and live.get("productType") != kind_of(product):
            await self.api.delete(self._product_path(str(live["id"])), params={"force": "true"})
            live, children, categories = None, [], []
        at = layout(product, live, children, self.settings.language, family.id if family else None)
        template = await self._template(product, at, live) if product.options else None
        wanted = {at.variant_id(v) for v in product.variants if product.options}
        gone = [c for c in children if str(c["id"]) not in wanted]
        stock = dict(family.availability) if family else {}
        await all_of(
            *(self.api.delete(self._product_path(str(c["id"]))) for c in gone),
            self.stock.remove([str(c["id"]) for c in gone], stock),
        )
        written = await self._product(product, at, live, template, ticket)
        kept = [c for c in children if str(c["id"]) in wanted]
        await self._variants(product, at, kept, written["name"], ticket)
        members = Members.of({at.product_id, *wanted}, family.members() if family else ())
        await all_of(
            self._prices(product, at, family, ticket),
            self._assignment(at.product_id, category_id, old_category_id, categories, ticket),
            self._media(product, at, family, members),
            self.stock.write(at.item_ids(product), stock, ticket.sender("stock")),
        )
        left = str(old_template) if old_template else None
        if left and left != (template[0] if template else None):
            await self._leave_template(left, product.key, at.product_id)
        return Written(at, members.existing)

    def _ours(self, template_id: str, key: str) -> bool:
        return template_id.startswith(ids.SHARED_TEMPLATE_PREFIX) or template_id == ids.template_id(key)

    async def _leave_template(self, template_id: str, key: str, product_id: str) -> None:
        """Delete a template the product no longer uses, when shelf made it and nothing else uses it."""
        if self._ours(template_id, key) and not self.template_used(template_id, product_id):
            await self._delete_template(template_id)

    async def _media(self, product: Product, at: Layout, family: Family | None, members: Members) -> None:
        """A new product gets its media from its uploads, which follow it; an existing one's media are
        placed here, after the uploads it waited for."""
        if family is not None:
            await self.media.place(product, at, family.assets, members)

    async def _template(self, product: Product, at: Layout, live: Doc | None) -> tuple[str, int]:
        """The template of the product's option set, found or created; its id and version. Products
        that share it wait for one create (or update)."""
        body = template_doc(product, at.attribute_keys, self.settings)
        template_id = template_id_of(body)
        current = (live or {}).get("template") or {}
        if current.get("id") == template_id and current.get("attributes") is not None:
            self.known_templates.setdefault(
                template_id, {**current, "metadata": {"version": int(current["version"])}}
            )
        pending = self._templates.get(template_id)
        if pending is None:
            pending = asyncio.ensure_future(self._ensure_template(template_id, body))
            self._templates[template_id] = pending
            pending.add_done_callback(lambda done: self._forget_failed(template_id, done))
        return await asyncio.shield(pending)

    def _forget_failed(self, template_id: str, done: asyncio.Future[tuple[str, int]]) -> None:
        """A template write that failed is tried again by the next product that needs it."""
        failed = done.cancelled() or done.exception() is not None
        if failed and self._templates.get(template_id) is done:
            del self._templates[template_id]

    async def _ensure_template(self, template_id: str, body: Doc) -> tuple[str, int]:
        known = self.known_templates.get(template_id)
        if known is None:
            known = await self._create_template(template_id, body)
            if known is None:
                self.known_templates[template_id] = {**body, "id": template_id, "metadata": {"version": 1}}
                return template_id, 1

        async def write(doc: Doc | None) -> tuple[str, int]:
            if doc is None:
                raise PlatformError(f"template {template_id} is no longer in the shop", hint="plan again")
            version = int((doc.get("metadata") or {}).get("version") or 1)
            if template_projection(body) == template_projection(doc):
                return template_id, version
            await self.api.put(
                self._template_path(template_id),
                {**body, "metadata": {"version": version}},
                headers=WRITE_MAPS,
            )
            newer = {**body, "id": template_id, "metadata": {"version": version + 1}}
            self.known_templates[template_id] = newer
            return template_id, version + 1

        return await with_fresh_reads(write, lambda: self._get_template(template_id), known)

    async def _get_template(self, template_id: str) -> Doc | None:
        found = await self.api.get(self._template_path(template_id), headers=READ_MAPS)
        return found if isinstance(found, dict) else None

    async def _create_template(self, template_id: str, body: Doc) -> Doc | None:
        """Create the template; None when created, else the template that was already there."""
        path = self.api.path("product", "product-templates")

        def lookup() -> Awaitable[Doc | None]:
            return self._get_template(template_id)

        async def send() -> None:
            await self.api.post(path, {"id": template_id, **body}, headers=WRITE_MAPS)

        try:
            return await self.api.create(send, lookup)
        except PlatformError as exc:
            # A taken id may be answered 400 as well as 409 (the reference names neither for this case):
            # the template of that id is there, so it is used.
            if exc.status != 400:
                raise
            found = await lookup()
            if found is None:
                raise
            return found

    async def _delete_template(self, template_id: str) -> None:
        """Delete a template; one the service still finds in use (400: a product of someone else's, or
        one written meanwhile) is kept, which leaves at worst an unused template behind."""
        self.known_templates.pop(template_id, None)
        self._templates.pop(template_id, None)
        try:
            await self.api.delete(self._template_path(template_id))
        except PlatformError as exc:
            if exc.status != 400:
                raise

    async def _product(
        self,
        product: Product,
        at: Layout,
        live: Doc | None,
        template: tuple[str, int] | None,
        ticket: Ticket,
    ) -> Doc:
        url = await self.media.schemas.url(PRODUCT, [name for name, _ in product.properties])

        def body(current: Doc | None) -> Doc:
            return product_doc(product, at, current, self.settings, template, url)

        written = body(live)
        items = []
        if live is None or product_projection(written) != product_projection(live):
            items.append(Upsert("product", at.product_id, body, live))
        await upsert_all(self.api, self.products_at, items, ticket.sender("products"))
        return written

    async def _variants(
        self, product: Product, at: Layout, children: Sequence[Doc], name: dict[str, str], ticket: Ticket
    ) -> None:
        live = {str(c["id"]): c for c in children}
        items = []
        for variant in product.variants if product.options else ():
            body = child_doc(product, variant, at, name)
            current = live.get(str(body["id"]))
            if current is not None and _same_variant(current, body):
                continue
            items.append(Upsert(f"variant {variant.label}", str(body["id"]), _always(body), current))
        await upsert_all(self.api, self.products_at, items, ticket.sender("variants"))

    async def _prices(self, product: Product, at: Layout, family: Family | None, ticket: Ticket) -> None:
        live = dict(family.prices) if family else {}
        s = self.settings
        items = []
        wanted: set[str] = set()
        for variant, item in at.item_ids(product):
            wanted.add(item)
            current = live.get(item)
            if price_matches(variant, current):
                continue
            price_id = str(current["id"]) if current else ids.price_id(item, s.currency, s.country, s.site)
            items.append(
                Upsert(
                    f"price of {variant.label}",
                    price_id,
                    partial(price_doc, item, variant, settings=s),
                    current,
                )
            )
        stale = [str(doc["id"]) for item, doc in live.items() if item not in wanted]
        await all_of(
            upsert_all(self.api, self.prices_at, items, ticket.sender("prices")),
            *(self.api.delete(self._price_path(price_id)) for price_id in stale),
        )

    async def _get_price(self, price_id: str) -> Doc | None:
        found = await self.api.get(self._price_path(price_id))
        return found if isinstance(found, dict) else None

    async def _assignment(
        self,
        product_id: str,
        category_id: str | None,
        old_category_id: str | None,
        assigned: list[str],
        ticket: Ticket,
    ) -> None:
        new = category_id and category_id not in assigned
        items = [{"category": category_id, "ref": {"id": product_id}}] if new else []
        writes: list[Awaitable[object]] = [self._assign(items, ticket)]
        if old_category_id and old_category_id != category_id and old_category_id in assigned:
            old = self._reference_path(old_category_id, product_id)
            writes.append(self.api.call("DELETE", old, expect=(200, 204, 404)))
        await all_of(*writes)

    async def _assign(self, items: list[Doc], ticket: Ticket) -> None:
        results = await ticket.submit("assignments", items)
        failed = bulk_failures(results, ["category assignment"])
        if failed:
            hint = "check the product's category in the shop, then plan again"
            raise PlatformError("; ".join(failed), status=int(results[0].get("code") or 0) or None, hint=hint)

    def _reference_path(self, category_id: str, product_id: str) -> str:
        return self.api.path("category", f"categories/{category_id}/assignments/references/{product_id}")

    async def _send_assignments(self, items: list[Doc]) -> list[Doc]:
        """Assignments (``category`` and ``ref``) as one bulk request per category and 200 products,
        or one as the idempotent ``PUT`` of its reference; a result per item, in order."""
        if len(items) == 1:
            await self.api.call("PUT", self._reference_path(items[0]["category"], items[0]["ref"]["id"]))
            return [{"index": 0, "code": 204}]
        by_category: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            by_category.setdefault(str(item["category"]), []).append(index)
        paths = {c: self._reference_path(c, "bulk") for c in by_category}
        answers = await all_of(
            *(
                self.api.bulk(paths[c], [{"ref": items[i]["ref"]} for i in indexes])
                for c, indexes in by_category.items()
            )
        )
        results: list[Doc] = [{}] * len(items)
        for indexes, answer in zip(by_category.values(), answers, strict=True):
            for index, result in zip(indexes, answer, strict=True):
                results[index] = {**result, "index": index}
        return results

    async def delete(self, family: Family) -> None:
        """Remove the product, its variants, its prices, the media only it uses, and shelf's template."""
        members = family.members()
        await all_of(
            *(self.api.delete(self._price_path(str(p["id"]))) for p in family.prices.values()),
            self.media.remove(family.assets, members, family.id),
            self.stock.remove(members, family.availability),
        )
        params = {"force": "true"} if family.children else None
        await self.api.delete(self._product_path(family.id), params=params)
        template = (family.product.get("template") or {}).get("id")
        if template:
            await self._leave_template(str(template), str(family.product.get("code")), family.id)


def template_id_of(body: Mapping[str, object]) -> str:
    """The id of the template holding ``body``'s option set (see the module docstring)."""
    return ids.shared_template_id(json.dumps(template_projection(body), sort_keys=True, ensure_ascii=False))


def _same_variant(live: Doc, body: Doc) -> bool:
    """A variant holds its code and its options under the template's keys (which a move to another
    template may change)."""
    own = ((live.get("mixins") or {}).get(OWN_MIXIN)) or {}
    wanted = body["mixins"][OWN_MIXIN]
    return live.get("code") == body["code"] and {k: str(v) for k, v in own.items()} == wanted


def _always(body: Doc) -> Callable[[Doc | None], Doc]:
    """A variant's body does not depend on what was read: it is written whole."""

    def build(live: Doc | None) -> Doc:
        return body

    return build
