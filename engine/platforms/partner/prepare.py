"""Desired, projected onto what the Partner API can express; plan errors and notes for what it cannot.

* A SKU's title, description, images, categories and barcode cannot be changed once it exists (the update
  endpoint takes price, active, quantity and maximum_sales_quantity only). Where the recipe differs from
  the shop, the plan says so in a note naming the SKUs and fields, and the live values are kept, so the
  difference is never a change that fails on every apply.
* SEO texts, properties, compare prices, digital files and variant files have no Partner field: left out,
  with one note.
* Plan errors, each at its recipe line: a SKU-less variant, a price with more than 3 decimals, a local
  image without ``image_base_url``, a mapped category the vendors do not have, a promotion by category or
  without start and end, a promotion naming no SKU of this target, and subscriptions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from engine.errors import PlanError
from engine.model import Catalog, Product, Promotion, Variant
from engine.platforms.base import LiveState
from engine.platforms.partner.images import image_url
from engine.platforms.partner.mapping import images_of, locale_text

MAX_DECIMALS = 3


class Prepared:
    """The outcome of one prepare: the catalog, the notes and the errors."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.errors: list[PlanError] = []


def decimals(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def prepare_catalog(
    desired: Catalog,
    live: LiveState,
    *,
    target: str,
    locales: Mapping[str, str],
    image_base_url: str | None,
    category_ids: Mapping[str, str],
    known_categories: set[str] | None,
    out: Prepared,
) -> Catalog:
    dropped: set[str] = set()
    unmapped: list[str] = []
    products: dict[str, Product] = {}
    for key, product in desired.products.items():
        _check_product(product, image_base_url, target, out)
        category = product.category
        if category and category not in category_ids:
            unmapped.append(key)
            category = None
        elif category and known_categories is not None and category_ids[category] not in known_categories:
            out.errors.append(
                PlanError(
                    f"product '{key}': category '{category}' maps to global id {category_ids[category]},"
                    " which the vendors' categories do not list",
                    where=product.source or f"product.{key}",
                    hint=f"fix targets.{target}.categories.{category} in shelf.yaml",
                )
            )
        dropped.update(_unexpressed(product))
        shaped = _shape(replace(product, category=category), image_base_url)
        held = live.catalog.products.get(key)
        if held is not None:
            shaped = _keep_fixed(shaped, held, locales, image_base_url, out)
        products[key] = shaped
    if unmapped:
        out.notes.append(
            f"{len(unmapped)} product(s) sent without a category, their category having no global id under"
            f" targets.{target}.categories: {', '.join(unmapped[:10])}{' ...' if len(unmapped) > 10 else ''}"
        )
    if dropped:
        out.notes.append(f"the Partner API has no field for {', '.join(sorted(dropped))}: not sent")
    for promotion in desired.promotions.values():
        _check_promotion(promotion, desired, out)
    for key, subscription in desired.subscriptions.items():
        out.errors.append(
            PlanError(
                f"subscription '{key}': the Partner API has no subscriptions",
                where=subscription.source or f"subscription.{key}",
                hint="list only AppXite targets under its targets:",
            )
        )
    return Catalog(
        categories=dict(desired.categories), products=products, promotions=dict(desired.promotions)
    )


def _check_product(product: Product, image_base_url: str | None, target: str, out: Prepared) -> None:
    where = product.source or f"product.{product.key}"
    for variant in product.variants:
        if not variant.sku:
            out.errors.append(
                PlanError(
                    f"product '{product.key}': variant {variant.label} has no sku; the Partner API keys"
                    " every product by SKU",
                    where=variant.source or where,
                    hint='give it a sku (variant_defaults: sku: "...{{ Size }}" for every variant)',
                )
            )
        if decimals(variant.price) > MAX_DECIMALS:
            out.errors.append(
                PlanError(
                    f"product '{product.key}': price {variant.price} of {variant.label} has more than"
                    f" {MAX_DECIMALS} decimals",
                    where=variant.source or where,
                    hint="round it to 3 decimals; shelf never truncates a price",
                )
            )
        for asset in images_of(product, variant):
            if image_url(asset, image_base_url) is None:
                out.errors.append(
                    PlanError(
                        f"product '{product.key}': the local image {asset.ref} needs targets.{target}."
                        "image_base_url; the Partner API takes images by URL only",
                        where=asset.source or where,
                        hint="set image_base_url in shelf.yaml and publish the files with "
                        f"`shelf assets export --target {target} DIR`, or use an image URL",
                    )
                )
                break


def _unexpressed(product: Product) -> set[str]:
    found: set[str] = set()
    if product.seo_title or product.seo_description:
        found.add("seo")
    if product.properties:
        found.add("properties")
    if product.files or product.digital:
        found.add("digital files")
    if any(v.compare_price is not None for v in product.variants):
        found.add("compare_price")
    return found


def _shape(product: Product, image_base_url: str | None) -> Product:
    """Only what Partner holds; every image already has its URL as live id, so none is ever uploaded."""
    images = tuple(replace(a, live_id=image_url(a, image_base_url)) for a in product.images)
    return replace(
        product,
        seo_title=None,
        seo_description=None,
        properties=(),
        digital=False,
        files=(),
        images=images,
        variants=tuple(
            replace(v, compare_price=None, image=None, own_image=None, file=None) for v in product.variants
        ),
    )


def _keep_fixed(
    product: Product, held: Product, locales: Mapping[str, str], base: str | None, out: Prepared
) -> Product:
    """Title, description, images, category and barcodes as the shop has them, with a note where the
    recipe differs (they cannot change after creation)."""
    differ: list[str] = []
    if locale_text(product.title, locales) != locale_text(held.title, locales):
        differ.append("title")
    if locale_text(product.description, locales) != locale_text(held.description, locales):
        differ.append("description")
    wanted_urls = [image_url(a, base) for a in product.images]
    if held.images and wanted_urls != [a.url for a in held.images]:
        differ.append("images")
    if product.category != held.category and held.category is not None:
        differ.append("category")
    live_variants = {v.sku: v for v in held.variants}
    variants: list[Variant] = []
    for variant in product.variants:
        had = live_variants.get(variant.sku)
        if had is None:
            variants.append(variant)
            continue
        if variant.barcode != had.barcode and "barcode" not in differ:
            differ.append("barcode")
        stock = had.stock if variant.stock is None else variant.stock
        variants.append(replace(variant, barcode=had.barcode, stock=stock))
    if differ:
        skus = ", ".join(v.sku or v.label for v in held.variants) or product.key
        out.notes.append(
            f"product.{product.key}: {', '.join(differ)} of SKU {skus} differ from the recipe but cannot be"
            " changed through the Partner API once created; change them in the partner portal"
        )
    return replace(
        product,
        title=held.title,
        description=held.description,
        images=held.images if held.images or not product.images else product.images,
        category=held.category if held.category is not None else product.category,
        variants=tuple(variants),
    )


def _check_promotion(promotion: Promotion, desired: Catalog, out: Prepared) -> None:
    where = promotion.source or f"promotion.{promotion.key}"
    if promotion.categories:
        out.errors.append(
            PlanError(
                f"promotion '{promotion.key}': Partner promotions list SKUs, not categories",
                where=where,
                hint="list the products (keys or SKUs) under products:",
            )
        )
    if not promotion.starts_at or not promotion.ends_at:
        out.errors.append(
            PlanError(
                f"promotion '{promotion.key}': a Partner promotion needs a start and an end time",
                where=where,
                hint="give it starts_at and ends_at",
            )
        )
    if not promotion_skus(promotion, desired.products):
        out.errors.append(
            PlanError(
                f"promotion '{promotion.key}' names no SKU this target sells",
                where=where,
                hint="list products (keys or SKUs) that go to this target under products:",
            )
        )


def promotion_skus(promotion: Promotion, products: Mapping[str, Product]) -> list[str]:
    """The SKUs a promotion covers: every SKU of each product it names by key, and SKUs as written."""
    by_sku = {v.sku for p in products.values() for v in p.variants if v.sku}
    skus: list[str] = []
    for name in promotion.products:
        product = products.get(name)
        found: Sequence[str] = (
            [v.sku for v in product.variants if v.sku] if product else ([name] if name in by_sku else [])
        )
        skus.extend(s for s in found if s not in skus)
    return skus
