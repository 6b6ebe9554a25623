"""Uploads: the images and files a plan sends, each an ``^ upload`` change of its own.

A product's assets are its images, its variants' own images (an image a variant names that is not one of
the product's) and its digital files. A provider's ``prepare`` sets ``live_id`` on each desired asset the
shop already holds (the same bytes, or the same URL); every other asset of a product being created or
updated is uploaded, and so is a held asset marked ``resend`` (the platform's API takes its bytes again
with the change its product's update makes to it). That is the whole rule, so the planner never knows how
a platform stores files.

Addresses: ``image.<product>/<name>`` for images (a variant's own image too) and ``file.<product>/<name>``
for digital files, where ``<name>`` is the file's name (the last part of its path or URL) or, when two
assets of the product share a name, the path or URL as written.

Order: an upload of a product being created waits for the create; an update of an existing product waits
for its uploads, so that it can place the new files. A re-sent asset is in the shop already, so the update
does not wait for it: it waits for the update instead, which may create what it points at (a new
variant). ``--only``/``--exclude`` keep a product's uploads with the product: they are part of it, and
an upload kept on its own brings its product's create or update (see :mod:`engine.plan.targeting`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal
from urllib.parse import unquote, urlsplit

from engine.model import Asset, Product, Variant
from engine.plan.model import Action, Change
from engine.plan.platform import LiveState

Role = Literal["image", "variant_image", "file"]
KINDS = ("image", "file")


@dataclass(frozen=True)
class Located:
    """One asset of a product, as an upload change names it.

    ``position`` is the image's place among the product's images (0 first) or the file's among its files;
    ``variants`` are the variants that use a variant image, in order.
    """

    address: str
    role: Role
    asset: Asset
    position: int
    variants: tuple[Variant, ...] = ()


def file_name(ref: str) -> str:
    """The last part of a path or URL, as people name a file."""
    path = unquote(urlsplit(ref).path) if "://" in ref else ref
    return PurePosixPath(path).name or ref


def _labelled(
    product: Product, kind: str, entries: list[tuple[Role, Asset, int, tuple[Variant, ...]]]
) -> list[Located]:
    names = [file_name(asset.ref) for _, asset, _, _ in entries]
    located = []
    for (role, asset, position, variants), name in zip(entries, names, strict=True):
        label = name if names.count(name) == 1 else asset.ref
        located.append(Located(f"{kind}.{product.key}/{label}", role, asset, position, variants))
    return located


def product_assets(product: Product) -> list[Located]:
    """Every asset of ``product`` with its upload address: images, variant images, then files."""
    images: list[tuple[Role, Asset, int, tuple[Variant, ...]]] = [
        ("image", asset, i, ()) for i, asset in enumerate(product.images)
    ]
    own: dict[str, tuple[Asset, list[Variant]]] = {}
    for variant in product.variants:
        if variant.own_image is not None:
            own.setdefault(variant.own_image.ref, (variant.own_image, []))[1].append(variant)
    images += [("variant_image", asset, i, tuple(users)) for i, (asset, users) in enumerate(own.values())]
    files: list[tuple[Role, Asset, int, tuple[Variant, ...]]] = [
        ("file", asset, i, ()) for i, asset in enumerate(product.files)
    ]
    return _labelled(product, "image", images) + _labelled(product, "file", files)


def asset_addresses(product: Product) -> list[str]:
    """The upload address of every asset of ``product``."""
    return [located.address for located in product_assets(product)]


def owner(address: str) -> str | None:
    """``product.<key>`` for an upload address, else None."""
    kind, _, rest = address.partition(".")
    if kind not in KINDS or "/" not in rest:
        return None
    return "product." + rest.split("/", 1)[0]


def with_owners(addresses: Iterable[str]) -> list[str]:
    """The addresses and the products their uploads belong to, sorted."""
    found = set(addresses)
    found.update(o for a in list(found) if (o := owner(a)) is not None)
    return sorted(found)


def locate(change: Change) -> Located:
    """The asset an upload change sends, found in the product it carries. Raises ``LookupError``."""
    product = change.desired
    if isinstance(product, Product):
        for located in product_assets(product):
            if located.address == change.address:
                return located
    raise LookupError(f"{change.address} names no asset of the product the plan holds")


def upload_changes(changes: Sequence[Change]) -> list[Change]:
    """An upload for every asset of a created or updated product that the shop does not hold yet, or
    whose bytes the platform takes again (``resend``)."""
    uploads = []
    for change in changes:
        if change.kind != "product" or change.action not in (Action.CREATE, Action.UPDATE):
            continue
        product = change.desired
        if not isinstance(product, Product):
            continue
        for located in product_assets(product):
            asset = located.asset
            held = asset.live_id is not None and not asset.resend
            if held or (asset.path is None and asset.url is None):
                continue
            uploads.append(
                Change(located.address, Action.UPLOAD, desired=product, size=asset.size, source=asset.source)
            )
    return uploads


def link_uploads(changes: Sequence[Change], uploads: Sequence[Change]) -> None:
    """An upload of a created product, and a re-sent asset, wait for the product's change; an updated
    product waits for its other uploads."""
    by_address = {c.address: c for c in changes}
    for upload in uploads:
        product = by_address.get(owner(upload.address) or "")
        if product is None:
            continue
        if product.action is Action.CREATE or _resent(upload):
            upload.depends_on = [product.address]
        elif upload.address not in product.depends_on:
            product.depends_on.append(upload.address)


def _resent(upload: Change) -> bool:
    try:
        return locate(upload).asset.resend
    except LookupError:
        return False


def place_uploads(ordered: Sequence[Change], uploads: Sequence[Change]) -> list[Change]:
    """``ordered`` with each product's uploads right after the product's change."""
    pending: dict[str, list[Change]] = {}
    for upload in uploads:
        pending.setdefault(owner(upload.address) or "", []).append(upload)
    result: list[Change] = []
    for change in ordered:
        result.append(change)
        result.extend(pending.pop(change.address, []))
    for rest in pending.values():
        result.extend(rest)
    return result


def keep_with_products(changes: Sequence[Change], kept: set[str]) -> list[str]:
    """Add to ``kept`` the uploads of every kept product; a note for each one added."""
    notes = []
    for change in changes:
        home = owner(change.address)
        if change.action is Action.UPLOAD and change.address not in kept and home in kept:
            kept.add(change.address)
            notes.append(f"{change.address} pulled in: part of {home}")
    return notes


def removal_notes(changes: Sequence[Change], live: LiveState) -> list[str]:
    """A note for every file an update takes off its product that the platform will also delete."""
    notes = []
    for change in changes:
        if change.kind != "product" or change.action is not Action.UPDATE:
            continue
        want, have = change.desired, live.catalog.products.get(change.key)
        if not isinstance(want, Product) or have is None:
            continue
        kept = {a.live_id for a in _every_asset(want) if a.live_id is not None}
        gone: dict[str, Asset] = {}
        for asset in _every_asset(have):
            if asset.owned and asset.live_id is not None and asset.live_id not in kept:
                gone.setdefault(asset.live_id, asset)
        for asset in gone.values():
            notes.append(
                f"{change.address}: {asset.ref} is taken off the product and its file deleted from the shop"
                " (shelf uploaded it and nothing else uses it)"
            )
    return notes


def _every_asset(product: Product) -> list[Asset]:
    own = [v.own_image for v in product.variants if v.own_image is not None]
    return [*product.images, *own, *product.files]
