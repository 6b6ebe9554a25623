"""The raw shop read into the canonical :class:`LiveState`, and what writes need to remember of it.

Keys: a category's as :func:`engine.platforms.emporix.categories.category_keys` chooses, a product's its
``code`` (or the recipe key of a product renamed from that code: it keeps its id, and its update writes
the new code), a promotion's its coupon's ``shelf`` mixin key (or the recipe promotion with its code). Live
ids are the objects' Emporix ids (a coupon's is its code); versions are the ``metadata.version`` of a
category or coupon and, for a product, a digest of everything it is made of.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from engine.model import Catalog, Product
from engine.platforms.base import AddressFilter, AddressSet, LiveState
from engine.platforms.emporix.api import Doc
from engine.platforms.emporix.categories import category_from_live, category_keys
from engine.platforms.emporix.coupons import coupon_key, promotion_from_live
from engine.platforms.emporix.live_products import Family, family_version, product_from_live
from engine.platforms.emporix.settings import Settings
from engine.platforms.emporix.shop import Snapshot
from engine.platforms.renames import renames


@dataclass
class Known:
    """What the last read found, by key: products as documents and as read, category ids, coupons."""

    families: dict[str, Family] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    category_ids: dict[str, str] = field(default_factory=dict)
    coupons: dict[str, Doc] = field(default_factory=dict)


def live_state(
    snapshot: Snapshot, desired: Catalog, only: AddressFilter | None, settings: Settings, known: Known
) -> LiveState:
    """``snapshot`` as a live catalog (what ``only`` keeps, and every category), noted in ``known``."""
    live = LiveState()
    keys = category_keys(snapshot.categories.values(), desired.categories)
    known.category_ids = {key: category_id for category_id, key in keys.items()}
    for category_id, doc in snapshot.categories.items():
        address = f"category.{keys[category_id]}"
        live.catalog.categories[keys[category_id]] = category_from_live(doc, keys, settings)
        live.ids[address] = category_id
        live.versions[address] = str((doc.get("metadata") or {}).get("version"))
    _products(snapshot, desired, only, keys, settings, live, known)
    by_code = {p.code.upper(): key for key, p in desired.promotions.items() if p.code}
    for code, doc in snapshot.coupons.items():
        key = coupon_key(doc, by_code)
        address = f"promotion.{key}"
        if key in live.catalog.promotions or (only is not None and not only(address)):
            continue
        live.catalog.promotions[key] = promotion_from_live(doc, key, keys)
        live.ids[address] = code
        live.versions[address] = str((doc.get("metadata") or {}).get("version"))
        known.coupons[key] = doc
    return live


def _products(
    snapshot: Snapshot,
    desired: Catalog,
    only: AddressFilter | None,
    keys: dict[str, str],
    settings: Settings,
    live: LiveState,
    known: Known,
) -> None:
    assets = snapshot.assets_by_product()
    renamed = renames(desired, (str(doc.get("code") or pid) for pid, doc in snapshot.products.items()))
    for product_id, doc in snapshot.products.items():
        held = str(doc.get("code") or product_id)
        key = renamed.get(held, held)
        address = f"product.{key}"
        if key in live.catalog.products or (only is not None and not only(address)):
            continue
        members = snapshot.family(product_id)
        family = Family(
            product=doc,
            children=snapshot.children.get(product_id, []),
            prices={m: snapshot.prices[m] for m in members if m in snapshot.prices},
            assets=assets.get(product_id, []),
        )
        wanted = desired.products.get(key)
        pick = category_picker(keys, wanted.category if wanted else None)
        product = replace(product_from_live(family, settings.languages, pick), key=key)
        if key != held:
            live.renamed[key] = held
        live.catalog.products[key] = product
        live.ids[address] = product_id
        live.versions[address] = family_version(family)
        known.families[key] = family
        known.products[key] = product
    if isinstance(only, AddressSet):
        for address in only.addresses:
            kind, _, key = address.partition(".")
            if kind == "product" and key not in live.catalog.products:
                known.families.pop(key, None)
                known.products.pop(key, None)


def category_picker(keys: dict[str, str], wanted: str | None) -> Callable[[Sequence[str]], str | None]:
    """The category a product is read in: the recipe's when the product is in it, else its first."""

    def pick(category_ids: Sequence[str]) -> str | None:
        found = [keys.get(c, c) for c in category_ids]
        if wanted in found:
            return wanted
        return found[0] if found else None

    return pick
