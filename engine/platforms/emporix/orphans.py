"""Media assets shelf made that nothing in the shop uses any more: shown in the plan, deleted when the
target prunes ``files`` (:mod:`engine.plan.orphans`).

An asset is shelf's when it carries shelf's mixin (:mod:`engine.platforms.emporix.mixins`): shelf
writes it on every asset it uploads or links, with the product's id and the file's SHA-256, and takes it
off an asset it leaves to others. Such an asset is an orphan when:

* the product its mixin names is not in the shop (deleted there by someone else, or a product shelf
  deleted and rewrote, when it changed type, that never came back);
* it points at no product or variant that is in the shop, and at nothing else (no other reference
  type: a category or a custom object using it keeps it);
* and no recipe for the target describes that product: a product about to be created gets the same
  asset id back and adopts the asset with its upload, so it is kept for that.

Its address is ``orphan.<asset id>`` (asset ids carry a digest of the file's path and content, and are
the only name unique in the shop), its version the asset's ``metadata.version``. A verification after
an apply reads each such asset again by id, since a read of known products does not list them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from engine.model import Asset, Catalog
from engine.plan.platform import LiveState
from engine.platforms.base import AddressFilter
from engine.platforms.emporix import ids
from engine.platforms.emporix.api import Doc, all_of
from engine.platforms.emporix.media_writes import MediaWrites
from engine.platforms.emporix.mixins import shelf_of
from engine.platforms.emporix.shop import Snapshot

KIND = "orphan"


def address_of(asset_id: str) -> str:
    return f"{KIND}.{asset_id}"


def is_orphan(asset: Mapping[str, Any], present: Collection[str], wanted: Collection[str]) -> bool:
    """Whether ``asset`` is shelf's and used by nothing (``present``: the ids of every product and
    variant in the shop; ``wanted``: the ids of the products the recipes describe)."""
    owner = shelf_of(asset).get("product")
    if not owner or str(owner) in present or str(owner) in wanted:
        return False
    for ref in asset.get("refIds") or []:
        if ref.get("type") != "PRODUCT" or str(ref.get("id")) in present:
            return False
    return True


def add_orphans(
    live: LiveState,
    snapshot: Snapshot,
    desired: Catalog,
    only: AddressFilter | None,
    known: Mapping[str, str],
) -> None:
    """Note in ``live`` every orphan of ``snapshot`` that ``only`` keeps (``known``: recipe key ->
    the id of the product the shop holds for it)."""
    present = {m for product_id in snapshot.products for m in snapshot.family(product_id)}
    wanted = {known.get(key) or ids.product_id(key) for key in desired.products}
    for asset_id, asset in snapshot.assets.items():
        address = address_of(asset_id)
        if (only is not None and not only(address)) or not is_orphan(asset, present, wanted):
            continue
        mixin = shelf_of(asset)
        details = asset.get("details") or {}
        live.orphans[address] = Asset(
            ref=str(mixin.get("ref") or asset.get("url") or asset_id),
            url=str(asset["url"]) if asset.get("url") else None,
            sha256=str(mixin["sha256"]) if mixin.get("sha256") else None,
            mime_type=str(details["mimeType"]) if details.get("mimeType") else None,
            size=int(details["bytes"]) if details.get("bytes") is not None else None,
            live_id=asset_id,
            owned=True,
        )
        live.ids[address] = asset_id
        live.versions[address] = str((asset.get("metadata") or {}).get("version"))


async def read_again(media: MediaWrites, snapshot: Snapshot, addresses: Sequence[str]) -> None:
    """Read the assets of these ``file.`` addresses again into ``snapshot`` (gone ones leave it)."""
    wanted = [a.split(".", 1)[1] for a in addresses if a.startswith(f"{KIND}.")]
    found: list[Doc | None] = await all_of(*(media.get(asset_id) for asset_id in wanted))
    for asset_id, doc in zip(wanted, found, strict=True):
        if doc is None:
            snapshot.assets.pop(asset_id, None)
        else:
            snapshot.assets[asset_id] = doc


async def delete(media: MediaWrites, asset_id: str) -> None:
    """Delete an orphan (already gone is as good)."""
    await media.api.delete(media.api.path("media", f"assets/{asset_id}"))
