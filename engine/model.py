"""The canonical, platform-free catalog: the pivot between recipes and every platform.

Recipes produce a :class:`Catalog` (the desired state); every provider reads its shop into one (the live
state); the planner diffs the two. Nothing here knows about YAML or HTTP.

Conventions that keep a second plan empty:

* Money is :class:`decimal.Decimal`, never float.
* Text is :data:`Text`, a mapping language -> text. A plain recipe string becomes ``{"*": text}``, meaning
  "the same in every language"; providers resolve ``"*"`` to their languages in ``prepare``.
* Ordered collections are tuples in their order; maps whose order carries no meaning (properties) are
  compared as maps by the diff.
* ``source`` fields never take part in equality.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from engine.errors import Source

ANY_LANGUAGE = "*"

Text = Mapping[str, str]
Status = Literal["active", "inactive"]
DiscountKind = Literal["percent", "amount", "price"]
SubscriptionState = Literal["active", "cancelled"]


def text(value: str | Mapping[str, str] | None) -> Text | None:
    """Normalise a recipe or API text value to :data:`Text`."""
    if value is None:
        return None
    if isinstance(value, str):
        return {ANY_LANGUAGE: value}
    return dict(value)


def text_in(value: Text | None, language: str | None = None) -> str | None:
    """The text for one language: that language, else the any-language text, else the first one."""
    if not value:
        return None
    if language and language in value:
        return value[language]
    if ANY_LANGUAGE in value:
        return value[ANY_LANGUAGE]
    return next(iter(value.values()))


@dataclass(frozen=True)
class Category:
    key: str
    name: Text
    parent: str | None = None
    targets: tuple[str, ...] | None = None
    protect: bool = False
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Asset:
    """An image or a digital file.

    ``ref`` is the asset's identity inside its product: the path as written in the recipe (relative to the
    recipe file) for files, the URL for URL images. ``path`` is the absolute local path (recipes only);
    ``sha256`` and ``size`` describe the bytes, so a plan knows without downloading whether the live asset
    is the same. Live assets carry the platform's ``live_id``.

    A provider's ``prepare`` sets ``live_id`` on each desired asset the shop already holds (same bytes, or
    same URL): a desired asset without one is uploaded. It also sets ``resend`` on a desired asset the shop
    holds whose bytes the platform's API takes again with the change the plan makes to it (Emporix wants a
    file's bytes with any change of its references or alt text): that asset is uploaded as well. ``owned``
    (live assets only) says that shelf uploaded the file and nothing else in the shop uses it, so taking it
    off its product deletes the file.
    """

    ref: str
    path: str | None = None
    url: str | None = None
    alt: str | None = None
    sha256: str | None = None
    size: int | None = None
    mime_type: str | None = None
    live_id: str | None = field(default=None, compare=False)
    source: Source | None = field(default=None, compare=False)
    owned: bool = field(default=False, compare=False)
    resend: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Variant:
    """One sellable combination. A simple product has exactly one variant with ``options == ()``.

    ``options`` is the ordered tuple of (option name, value) pairs; it is the variant's identity inside
    its product.
    """

    options: tuple[tuple[str, str], ...] = ()
    sku: str | None = None
    price: Decimal = Decimal("0")
    compare_price: Decimal | None = None
    stock: int | None = None
    image: str | None = None  # the ``ref`` of one of the product's images, or of ``own_image``
    own_image: Asset | None = None
    file: str | None = None  # the ``ref`` of one of the product's files (digital variants)
    live_id: str | None = field(default=None, compare=False)
    source: Source | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """How plans name the variant: its SKU, else its option values."""
        if self.sku:
            return self.sku
        if not self.options:
            return "default"
        return ",".join(f"{k}={v}" for k, v in self.options)


@dataclass(frozen=True)
class Product:
    key: str
    title: Text
    description: Text | None = None
    seo_title: Text | None = None
    seo_description: Text | None = None
    category: str | None = None
    status: Status = "active"
    digital: bool = False
    properties: tuple[tuple[str, str], ...] = ()
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()
    variants: tuple[Variant, ...] = ()
    images: tuple[Asset, ...] = ()
    files: tuple[Asset, ...] = ()
    targets: tuple[str, ...] | None = None
    protect: bool = False
    source: Source | None = field(default=None, compare=False)
    renamed_from: str | None = field(default=None, compare=False)  # the key it had: an update, not a create

    @property
    def is_simple(self) -> bool:
        return not self.options


@dataclass(frozen=True)
class Discount:
    kind: DiscountKind
    value: Decimal


@dataclass(frozen=True)
class Promotion:
    key: str
    title: Text
    discount: Discount
    products: tuple[str, ...] = ()  # product keys (SKUs in recipes are resolved to keys where possible)
    categories: tuple[str, ...] = ()
    starts_at: str | None = None  # ISO 8601 text, as written
    ends_at: str | None = None
    code: str | None = None
    targets: tuple[str, ...] | None = None
    protect: bool = False
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Subscription:
    """A licence an organization should hold (``active``) or no longer hold (``cancelled``)."""

    key: str
    organization: str
    offer: str
    form_data: Mapping[str, Any] = field(default_factory=dict)
    state: SubscriptionState = "active"
    targets: tuple[str, ...] | None = None
    protect: bool = False
    source: Source | None = field(default=None, compare=False)


Item = Category | Product | Promotion | Subscription

COLLECTIONS = ("categories", "products", "promotions", "subscriptions")
KIND_OF_COLLECTION = {
    "categories": "category",
    "products": "product",
    "promotions": "promotion",
    "subscriptions": "subscription",
}


@dataclass
class Catalog:
    """A whole catalog, keyed by item key within each collection (insertion order is recipe order)."""

    categories: dict[str, Category] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    promotions: dict[str, Promotion] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)

    def collection(self, name: str) -> dict[str, Any]:
        if name not in COLLECTIONS:
            raise KeyError(name)
        result: dict[str, Any] = getattr(self, name)
        return result

    def items(self) -> list[tuple[str, Item]]:
        """Every item with its address, categories first (parents before children as given)."""
        out: list[tuple[str, Item]] = []
        for name in COLLECTIONS:
            kind = KIND_OF_COLLECTION[name]
            for key, item in self.collection(name).items():
                out.append((f"{kind}.{key}", item))
        return out

    def for_target(self, target: str) -> Catalog:
        """Only the items meant for ``target`` (items without ``targets`` go everywhere)."""

        def keep(item: Any) -> bool:
            return item.targets is None or target in item.targets

        return Catalog(
            categories={k: v for k, v in self.categories.items() if keep(v)},
            products={k: v for k, v in self.products.items() if keep(v)},
            promotions={k: v for k, v in self.promotions.items() if keep(v)},
            subscriptions={k: v for k, v in self.subscriptions.items() if keep(v)},
        )


def address(kind: str, key: str) -> str:
    return f"{kind}.{key}"
