"""The desired catalog projected onto Emporix, and what Emporix cannot hold, as plan errors.

* Texts are expanded to the target's languages (:mod:`engine.platforms.emporix.texts`); a promotion's
  title becomes the one-language coupon name.
* **Stock** is not stored: Emporix keeps quantities in its availability service, which shelf does not
  manage. A recipe's ``stock`` is replaced by the live value (none), so it never shows as a change, and
  the provider says once per plan how many variants' stock is not sent.
* Images and files the shop already holds (same ref and same bytes, or same URL) get their asset's id,
  so that only new or changed ones are uploaded; variants get their live ids.
* A held blob whose references or mixins the product's update rewrites is marked ``resend``, with its
  size: the media service takes a blob's bytes with any change to it, so the plan shows that image as an
  upload and counts its bytes. A blob the update (or, under prune, the product's deletion) takes off the
  product but leaves in the shop is rewritten as well; shelf has no local file of it, so a note says that
  its bytes are downloaded and sent again.
* Plan errors: a ``compare_price`` below the ``price`` (Emporix expresses it as a discount), a file over
  the media service's 10 MB, a promotion without ``code``, with a ``price`` discount, restricted to
  products (coupons restrict by category only), or whose code a deleted coupon keeps taken; and
  subscriptions, which are AppXite's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.errors import PlanError, PlanErrors, Source
from engine.model import ANY_LANGUAGE, Asset, Catalog, Category, Product, Promotion, Variant
from engine.plan.render import human_size
from engine.platforms import held_assets
from engine.platforms.base import LiveState
from engine.platforms.emporix.api import Doc
from engine.platforms.emporix.live_products import Family, live_asset
from engine.platforms.emporix.media_writes import rewrites, stripped_by_deletion
from engine.platforms.emporix.settings import Settings
from engine.platforms.emporix.texts import expanded, one
from engine.platforms.unsupported import refuse

MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass
class Prepared:
    catalog: Catalog
    unsent_stock: int
    notes: list[str] = field(default_factory=list)


def prepare_catalog(
    desired: Catalog,
    live: LiveState,
    settings: Settings,
    deleted_codes: Iterable[str],
    families: Mapping[str, Family] | None = None,
    prune: bool = False,
) -> Prepared:
    """``desired`` as Emporix can hold it; raises :class:`PlanErrors` listing everything it cannot.
    ``families`` are the products as read (by key), ``prune`` whether products are pruned: they tell
    which held blobs an update or a deletion rewrites."""
    errors: list[PlanError] = list(refuse("subscriptions", desired.subscriptions, "Emporix"))
    languages = settings.languages
    categories = {
        key: dataclasses.replace(c, name=expanded(c.name, languages) or {ANY_LANGUAGE: key})
        for key, c in desired.categories.items()
    }
    products: dict[str, Product] = {}
    unsent = 0
    notes: list[str] = []
    families = families or {}
    for key, product in desired.products.items():
        errors.extend(_product_errors(product))
        unsent += sum(1 for v in product.variants if v.stock is not None)
        prepared = _product(product, live.catalog.products.get(key), languages)
        family = families.get(key)
        if family is not None:
            prepared, stripped = with_resends(prepared, family, settings.language)
            notes += [_resend_note(key, doc, family, deleted=False) for doc in stripped]
        products[key] = prepared
    if prune:
        for key, family in sorted(families.items()):
            if key not in desired.products:
                for doc in stripped_by_deletion(family):
                    notes.append(_resend_note(key, doc, family, deleted=True))
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
    return Prepared(Catalog(categories=categories, products=products, promotions=promotions), unsent, notes)


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


def with_live_assets(product: Product, live: Product | None) -> Product:
    """``product`` with ``live_id`` on every image and file the live product already holds (same ref and
    content)."""
    return held_assets.with_live_ids(product, live, _identity)


def with_resends(product: Product, family: Family, language: str) -> tuple[Product, tuple[Doc, ...]]:
    """``product`` with ``resend`` (and the size) on every held blob its update rewrites, and the blobs
    the update takes off it but leaves in the shop."""
    found = rewrites(product, family, language)
    if not found.resent:
        return product, found.stripped
    sizes = {str(a["id"]): (a.get("details") or {}).get("bytes") for a in family.assets}

    def marked(asset: Asset) -> Asset:
        if asset.live_id not in found.resent:
            return asset
        size = asset.size if asset.size is not None else sizes.get(asset.live_id)
        return dataclasses.replace(asset, resend=True, size=int(size) if size is not None else None)

    resent = dataclasses.replace(
        product,
        images=tuple(marked(a) for a in product.images),
        files=tuple(marked(a) for a in product.files),
        variants=tuple(
            dataclasses.replace(v, own_image=marked(v.own_image)) if v.own_image else v
            for v in product.variants
        ),
    )
    return resent, found.stripped


def _resend_note(key: str, doc: Doc, family: Family, deleted: bool) -> str:
    size = (doc.get("details") or {}).get("bytes")
    shown = f" ({human_size(int(size))})" if size is not None else ""
    ref = live_asset(doc, family.members()).ref
    what = (
        f"if the product is deleted, {ref} is taken off it but stays in the shop"
        if deleted
        else f"{ref} is taken off the product but stays in the shop"
    )
    return (
        f"product.{key}: {what}; the media service wants a file's bytes with any change to it, so shelf"
        f" downloads them and sends them again{shown}"
    )
