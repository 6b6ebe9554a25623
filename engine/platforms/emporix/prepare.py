"""The desired catalog projected onto Emporix, and what Emporix cannot hold, as plan errors.

* Texts are expanded to the target's languages (:mod:`engine.platforms.emporix.texts`); a promotion's
  title becomes the one-language coupon name.
* **Stock** is not stored: Emporix keeps quantities in its availability service, which shelf does not
  manage. A recipe's ``stock`` is replaced by the live value (none), so it never shows as a change, and
  the provider says once per plan how many variants' stock is not sent.
* Images and files the shop already holds (same ref and same bytes, or same URL) get their asset's id,
  so that only new or changed ones are uploaded; variants get their live ids.
* Plan errors: a ``compare_price`` below the ``price`` (Emporix expresses it as a discount), a file over
  the media service's 10 MB, a promotion without ``code``, with a ``price`` discount, restricted to
  products (coupons restrict by category only), or whose code a deleted coupon keeps taken; and
  subscriptions, which are AppXite's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.errors import PlanError, PlanErrors, Source
from engine.model import ANY_LANGUAGE, Asset, Catalog, Category, Product, Promotion, Variant
from engine.platforms.base import LiveState
from engine.platforms.emporix.settings import Settings
from engine.platforms.emporix.texts import expanded, one

MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass
class Prepared:
    catalog: Catalog
    unsent_stock: int


def prepare_catalog(
    desired: Catalog, live: LiveState, settings: Settings, deleted_codes: Iterable[str]
) -> Prepared:
    """``desired`` as Emporix can hold it; raises :class:`PlanErrors` listing everything it cannot."""
    errors: list[PlanError] = []
    for key, subscription in desired.subscriptions.items():
        errors.append(
            PlanError(
                f"subscription '{key}': Emporix has no subscriptions",
                where=subscription.source or f"subscription.{key}",
                hint="list only AppXite targets under its targets:",
            )
        )
    languages = settings.languages
    categories = {
        key: dataclasses.replace(c, name=expanded(c.name, languages) or {ANY_LANGUAGE: key})
        for key, c in desired.categories.items()
    }
    products: dict[str, Product] = {}
    unsent = 0
    for key, product in desired.products.items():
        errors.extend(_product_errors(product))
        unsent += sum(1 for v in product.variants if v.stock is not None)
        products[key] = _product(product, live.catalog.products.get(key), languages)
    taken = set(deleted_codes)
    promotions: dict[str, Promotion] = {}
    for key, promotion in desired.promotions.items():
        found = _promotion_errors(promotion, taken)
        errors.extend(found)
        if not found:
            promotions[key] = dataclasses.replace(
                promotion,
                title={ANY_LANGUAGE: one(promotion.title, settings.language) or key},
                code=(promotion.code or "").upper(),
            )
    if errors:
        raise PlanErrors(errors)
    return Prepared(Catalog(categories=categories, products=products, promotions=promotions), unsent)


def _where(item: Product | Promotion | Category, kind: str) -> Source | str:
    return item.source or f"{kind}.{item.key}"


def _product_errors(product: Product) -> list[PlanError]:
    errors = []
    for variant in product.variants:
        if variant.compare_price is not None and variant.compare_price < variant.price:
            errors.append(
                PlanError(
                    f"variant {variant.label} of product '{product.key}': compare_price"
                    f" {variant.compare_price} is below price {variant.price}",
                    where=variant.source or _where(product, "product"),
                    hint="Emporix shows a compare price as a discount from it: make it at least the price",
                )
            )
    for file in product.files:
        if file.size is not None and file.size > MAX_FILE_BYTES:
            errors.append(
                PlanError(
                    f"file '{file.ref}' of product '{product.key}' is {file.size} bytes; the Emporix media"
                    f" service takes files of at most {MAX_FILE_BYTES} bytes (10 MB)",
                    where=file.source or _where(product, "product"),
                    hint="make the file smaller, or split it",
                )
            )
    return errors


def _promotion_errors(promotion: Promotion, taken: set[str]) -> list[PlanError]:
    where = _where(promotion, "promotion")
    errors = []
    if not promotion.code:
        errors.append(
            PlanError(
                f"promotion '{promotion.key}' has no code; an Emporix promotion is a coupon, which needs one",
                where=where,
                hint="add code: <COUPON CODE> to the promotion",
            )
        )
    elif promotion.code.upper() in taken:
        errors.append(
            PlanError(
                f"promotion '{promotion.key}': code {promotion.code.upper()} belongs to a deleted coupon, and"
                " Emporix keeps deleted coupons' codes taken",
                where=where,
                hint="choose another code",
            )
        )
    if promotion.discount.kind == "price":
        errors.append(
            PlanError(
                f"promotion '{promotion.key}': Emporix coupons take a percent or an amount off, not a fixed"
                " price",
                where=where,
                hint="write the discount as {percent: N} or {amount: N}",
            )
        )
    if promotion.products:
        errors.append(
            PlanError(
                f"promotion '{promotion.key}' is restricted to products; Emporix coupons can be restricted"
                " to categories only",
                where=where,
                hint="restrict it by categories: list category keys under categories:",
            )
        )
    return errors


def _product(product: Product, live: Product | None, languages: Sequence[str]) -> Product:
    live_variants = {v.options: v for v in (live.variants if live else ())}
    variants = tuple(_variant(v, live_variants.get(v.options)) for v in product.variants)
    prepared = dataclasses.replace(
        product,
        title=expanded(product.title, languages) or {},
        description=expanded(product.description, languages),
        seo_title=expanded(product.seo_title, languages),
        seo_description=expanded(product.seo_description, languages),
        variants=variants,
    )
    return with_live_assets(prepared, live)


def _variant(variant: Variant, live: Variant | None) -> Variant:
    return dataclasses.replace(
        variant, stock=live.stock if live else None, live_id=live.live_id if live else None
    )


def _identity(asset: Asset) -> tuple[str, str | None]:
    return (asset.ref, asset.sha256 or (None if asset.path else asset.url))


def _held(desired: Iterable[Asset], live: Iterable[Asset]) -> dict[str, str]:
    """Desired ref -> the id of the live asset with the same ref and content; each live asset once."""
    pool = [a for a in live if a.live_id is not None]
    found: dict[str, str] = {}
    for asset in desired:
        match = next((a for a in pool if _identity(a) == _identity(asset)), None)
        if match is not None and match.live_id is not None:
            pool.remove(match)
            found[asset.ref] = match.live_id
    return found


def with_live_assets(product: Product, live: Product | None) -> Product:
    """``product`` with ``live_id`` on every image and file the live product already holds."""
    if live is None:
        return product
    images = _held(product.images, live.images)
    own_live = {a.live_id: a for v in live.variants if (a := v.own_image) is not None}
    own_desired = {v.own_image.ref: v.own_image for v in product.variants if v.own_image is not None}
    own = _held(own_desired.values(), own_live.values())
    files = _held(product.files, live.files)

    def held(asset: Asset, table: dict[str, str]) -> Asset:
        return dataclasses.replace(asset, live_id=table.get(asset.ref))

    return dataclasses.replace(
        product,
        images=tuple(held(a, images) for a in product.images),
        files=tuple(held(a, files) for a in product.files),
        variants=tuple(
            dataclasses.replace(v, own_image=held(v.own_image, own)) if v.own_image else v
            for v in product.variants
        ),
    )
