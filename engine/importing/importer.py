"""A live catalog -> the recipe a person would have written, and that plans back to no changes.

``shelf import`` reads a shop through its provider and hands the live :class:`~engine.model.Catalog` here;
the recipe comes back as plain data for :mod:`engine.importing.recipe_writer`. It keeps to what the
shop holds and leaves out what the recipe format defaults to (``status: active``, ``digital: false``),
folds variants into ``variant_defaults`` plus exceptions (:mod:`engine.importing.variant_fold`), and
writes money as exact decimals (``25.00``, never a float's repr).

Readings:

* A product's category that no recipe category maps to arrives as ``<prefix>:<name>`` (how providers name
  a shop category they cannot key, e.g. xPage's ``shop:Hoodies``); it becomes a category whose key is the
  name as a slug and whose name is the shop's, which is how the next plan finds it again (by name).
* Text that would read as a template (``{{``, ``{%``, ``{#``) is written as a Jinja ``raw`` block, so
  the shop's text comes back unchanged instead of being rendered.
* Only categories that products use are written: that is all a shop's product list tells.
* Categories and products are written in the order of their keys, so importing the same shop twice
  gives the same file, and a later import diffs cleanly against an earlier one.
* An image is written by its URL, which is how the next read matches it, unless it was downloaded; a
  variant names its image by what the recipe writes for it. Digital files exist in a recipe only as local
  files, so only downloaded ones are written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from engine.importing.recipe_writer import Flow, FlowMap, Money
from engine.importing.variant_fold import FOLDED_FIELDS, FoldError, fold
from engine.model import ANY_LANGUAGE, Asset, Catalog, Product, Text, Variant
from engine.plan import normalise
from engine.recipes.templates import is_template
from engine.recipes.variants import combinations

_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_ENTRY_NAMES = frozenset({*FOLDED_FIELDS, "enabled"})


@dataclass
class Imported:
    """The recipe document (plain data, ready for :func:`engine.importing.recipe_writer.recipe_yaml`) and
    what could not be expressed."""

    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


LocalFiles = Mapping[tuple[str, str], str]
"""(product key, :func:`asset_key`) -> the downloaded file's path relative to the recipe, with '/'."""


def asset_key(asset: Asset) -> str:
    """What tells one live file of a product from another: its platform id, else its ref."""
    return asset.live_id or asset.ref


def import_catalog(catalog: Catalog, *, local_files: LocalFiles | None = None) -> Imported:
    """The recipe for every product in ``catalog`` and the categories they use.

    ``local_files`` holds the images and digital files that were downloaded (``--download-images``);
    they are written as files. Other images are written as ``{url, alt}``; digital files, which a recipe
    can only name as local files, are left out with a warning.
    """
    warnings: list[str] = []
    categories, category_keys = _categories(catalog)
    products = [
        _product(catalog.products[key], category_keys, local_files or {}, warnings)
        for key in sorted(catalog.products)
    ]
    document: dict[str, Any] = {}
    if categories:
        document["categories"] = categories
    document["products"] = products
    return Imported(document, warnings)


def slug(name: str) -> str:
    """A recipe key for a shop name: lower-case ASCII letters and digits joined by single dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "category"


def _categories(catalog: Catalog) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The categories products use, and each product's category reference -> its recipe key."""
    written: list[dict[str, Any]] = []
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for product in catalog.products.values():
        ref = product.category
        if ref is None or ref in keys:
            continue
        known = catalog.categories.get(ref)
        if known is not None:
            key, name = ref, _text(known.name)
        else:
            shown = ref.split(":", 1)[1] if ":" in ref else ref
            key, name = _unique(slug(shown), taken), _literal(shown)
        taken.add(key)
        keys[ref] = key
        written.append({"key": key, "name": name})
    return sorted(written, key=lambda c: str(c["key"])), keys


def _unique(key: str, taken: set[str]) -> str:
    if key not in taken:
        return key
    number = 2
    while f"{key}-{number}" in taken:
        number += 1
    return f"{key}-{number}"


def _product(
    product: Product, category_keys: Mapping[str, str], local: LocalFiles, warnings: list[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {"key": product.key, "title": _text(product.title) or ""}
    if product.description:
        out["description"] = _text(product.description)
    seo = {
        name: _text(value)
        for name, value in (("title", product.seo_title), ("description", product.seo_description))
        if value
    }
    if seo:
        out["seo"] = seo
    if product.category:
        out["category"] = category_keys[product.category]
    if product.status != "active":
        out["status"] = product.status
    if product.digital:
        out["digital"] = True
    assets = _Assets(product, local, warnings)
    if assets.images:
        out["images"] = assets.images
    if assets.files:
        out["files"] = assets.files
    if product.properties:
        out["properties"] = {name: _literal(value) for name, value in product.properties}
    variants = tuple(assets.variant(v) for v in product.variants)
    if product.options:
        out.update(_with_options(product, variants, assets.first_file, warnings))
    else:
        out.update(_simple(product, variants, warnings))
    return out


class _Assets:
    """One product's images and files as the recipe writes them, and each live ref's written ref.

    A downloaded file is written as its local path (with ``alt`` where it has one); an image that was not
    downloaded as ``{url, alt}``. Variants then name images and files by what the recipe writes.
    """

    def __init__(self, product: Product, local: LocalFiles, warnings: list[str]):
        self.product = product
        self.local = local
        self.warnings = warnings
        self.written: dict[str, str] = {}
        self.images: list[Any] = []
        for asset in product.images:
            entry = self._entry(asset)
            if entry is not None:
                self.images.append(entry)
        self.file_refs: dict[str, str] = {}
        for asset in product.files:
            path = local.get((product.key, asset_key(asset)))
            if path is not None:
                self.file_refs[asset.ref] = path
        self.files = [_literal(p) for p in self.file_refs.values()]
        if len(self.file_refs) < len(product.files):
            warnings.append(
                f"product '{product.key}': its digital files can only be written as local files; "
                "import with --download-images DIR to keep them"
            )
        self.first_file = self.files[0] if self.files else None

    def _ref(self, asset: Asset) -> tuple[str | None, bool]:
        """What the recipe writes for ``asset`` (a local path or its URL), and whether it is local."""
        path = self.local.get((self.product.key, asset_key(asset)))
        if path is not None:
            return path, True
        return asset.url, False

    def _entry(self, asset: Asset) -> Any:
        ref, is_local = self._ref(asset)
        if ref is None or ref in self.written.values():
            self.warnings.append(
                f"product '{self.product.key}': image {asset.ref} has no address to write (or is listed "
                "twice); it is left out"
            )
            return None
        self.written[asset.ref] = ref
        alt = _literal(asset.alt) if asset.alt else None
        if is_local:
            return FlowMap(file=_literal(ref), alt=alt) if alt else _literal(ref)
        return FlowMap(url=ref, alt=alt) if alt else FlowMap(url=ref)

    def variant(self, variant: Variant) -> Variant:
        """``variant`` naming its image and file as the recipe writes them."""
        image: str | None = None
        if variant.own_image is not None:
            image = self._ref(variant.own_image)[0]
        elif variant.image is not None:
            image = self.written.get(variant.image)
        if image is None and (variant.image or variant.own_image):
            self.warnings.append(
                f"product '{self.product.key}': the image of variant {variant.label} has no address to "
                "write; it is left out"
            )
        file = self.file_refs.get(variant.file) if variant.file else None
        return replace(variant, image=image, own_image=None, file=file)


def _simple(product: Product, variants: tuple[Variant, ...], warnings: list[str]) -> dict[str, Any]:
    if not variants:
        warnings.append(f"product '{product.key}': it has no price in the shop; give it one in the recipe")
        return {}
    variant = variants[0]
    if variant.image:
        warnings.append(
            f"product '{product.key}': its variant's own image cannot be written for a product without "
            "options; it is left out"
        )
    out: dict[str, Any] = {"price": _money(variant.price)}
    if variant.compare_price is not None:
        out["compare_price"] = _money(variant.compare_price)
    if variant.sku:
        out["sku"] = _literal(variant.sku)
    if variant.stock is not None:
        out["stock"] = variant.stock
    return out


def _with_options(
    product: Product, variants: tuple[Variant, ...], first_file: str | None, warnings: list[str]
) -> dict[str, Any]:
    clashing = [name for name, _ in product.options if name in _ENTRY_NAMES]
    if clashing:
        warnings.append(
            f"product '{product.key}': option {clashing[0]!r} has the name of a variant field, which a "
            "recipe's variants entries cannot name; rename the option in the shop or in the recipe"
        )
    valid = set(combinations(product.options))
    kept: list[Variant] = []
    seen: set[Any] = set()
    for variant in variants:
        if variant.options not in valid or variant.options in seen:
            warnings.append(
                f"product '{product.key}': variant {variant.label} is not one combination of the product's "
                "options; it is left out of the recipe"
            )
            continue
        seen.add(variant.options)
        kept.append(variant)
    out: dict[str, Any] = {"options": {name: Flow(values) for name, values in product.options}}
    try:
        folded = fold(product.options, kept)
    except FoldError as exc:
        warnings.append(f"product '{product.key}': {exc}")
        return out
    if first_file is not None and folded.defaults.get("file") == first_file:
        del folded.defaults["file"]  # a variant delivers the product's first file unless it says otherwise
    if folded.defaults:
        out["variant_defaults"] = _fields(folded.defaults, template_sku=folded.sku_template is not None)
    if folded.entries:
        out["variants"] = [FlowMap(_fields(entry)) for entry in folded.entries]
    return out


def _fields(values: Mapping[str, Any], *, template_sku: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, Decimal):
            out[name] = _money(value)
        elif name == "sku" and template_sku:
            out[name] = value
        elif name in ("sku", "image", "file") and isinstance(value, str):
            out[name] = _literal(value)
        else:
            out[name] = value
    return out


def _money(value: Decimal) -> Money:
    return Money(normalise.money(value) or "0.00")


def _text(value: Text | None) -> Any:
    """Text as a recipe writes it: a plain string for any language, else a language mapping."""
    if not value:
        return None
    if set(value) == {ANY_LANGUAGE}:
        return _literal(value[ANY_LANGUAGE])
    return {language: _literal(text) for language, text in sorted(value.items()) if language != ANY_LANGUAGE}


def _literal(text: str) -> str:
    """Text that reads back as itself even though recipe text is rendered as a template."""
    if not is_template(text):
        return text
    if _RAW_END.search(text) is None:
        return "{% raw %}" + text + "{% endraw %}"
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return "{{ '" + escaped + "' }}"
