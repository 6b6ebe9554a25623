"""Images and files as media assets: uploads, their placement on a product, and their removal.

* An image file is a public ``BLOB`` asset whose ``refIds`` point at the product and at the variants
  that show it; a URL image is a public ``LINK`` asset; a variant's own image points at its variants
  only; a digital file is a ``PRIVATE`` blob (private assets cannot point at products), found through
  its ``shelf`` mixin. Uploads are ``POST``s with shelf's asset id, made once
  (:meth:`engine.platforms.emporix.api.EmporixApi.create`): after a 5xx or a lost answer the asset is
  looked up by its id and the upload sent again only when it is not there; an asset already there (an
  upload of an earlier apply whose answer or whose product's update failed) is adopted and placed.
* Placing a product's media rewrites only the assets whose references, ``shelf`` mixin or alt text
  differ. A blob's ``PUT`` carries its ``file`` part as well as its ``body``: the reference
  (``AssetUpdateMultipart``) requires both, so any change to a blob sends its bytes again. They come
  from the local file of the desired image (whose hash matched the asset's when the plan was made), or,
  for a blob shelf has no local file of (one made in the shop, or another product's), from the media
  service's download endpoint first (``GET .../download``: a private blob's bytes, or a 301 to a public
  blob's ``url``, fetched without the token), checked against ``details.bytes``.
* A plan foresees these rewrites (:func:`rewrites`): a desired blob its product's update rewrites is
  marked ``resend``, so the plan shows it as an upload with its size; that upload writes it, after the
  update has made the variants it points at, and the update itself leaves it alone.
* An asset taken off its product is deleted when shelf uploaded it and nothing else points at it;
  otherwise only its references to the product (and shelf's mixin) are removed.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import PlatformError
from engine.model import Asset, Product
from engine.plan.uploads import Located, file_name
from engine.platforms.emporix.api import Doc, EmporixApi, FilePart, all_of
from engine.platforms.emporix.live_products import Family
from engine.platforms.emporix.mixin_schemas import MEDIA, MixinSchemas
from engine.platforms.emporix.mixins import SHELF, shelf_of, with_mixin
from engine.platforms.emporix.product_docs import (
    METADATA_READ_ONLY,
    Layout,
    Members,
    Placement,
    asset_doc,
    asset_id_of,
    asset_projection,
    kind_of,
    layout,
    placements,
)
from engine.platforms.emporix.shop import refs_of
from engine.platforms.emporix.writes import with_fresh_reads

ROLES = {"image": "image", "variant_image": "variant_image", "file": "file"}


class MediaWrites:
    """Asset writes for one provider; remembers what it uploaded, so a product's update that follows
    its uploads in the same apply knows those assets without reading them."""

    def __init__(self, api: EmporixApi, schemas: MixinSchemas):
        self.schemas = schemas
        self.api = api
        self.uploaded: dict[str, Doc] = {}

    def _path(self, asset_id: str) -> str:
        return self.api.path("media", f"assets/{asset_id}")

    async def get(self, asset_id: str) -> Doc | None:
        found = await self.api.get(self._path(asset_id))
        return found if isinstance(found, dict) else None

    async def upload(
        self, located: Located, product: Product, at: Layout, members: Members, live: Sequence[Doc] = ()
    ) -> None:
        """Create the asset for one image or file of ``product``, placed as far as the product's
        documents that exist now allow; an asset the shop holds (``resend``) is rewritten with its bytes
        instead (``live``: the product's assets as read)."""
        placement = _placement_of(located, product, at)
        if placement.asset.resend and placement.asset.live_id is not None:
            asset_id = placement.asset.live_id
            known = next((a for a in live if str(a["id"]) == asset_id), None) or self.uploaded.get(asset_id)
            await self.place_one(placement, at, known or await self._found(asset_id, placement), members)
            return
        body = asset_doc(placement, at, None, members, await self.schemas.url(MEDIA))
        asset_id = str(body["id"])
        found = await self.api.create(lambda: self._create(placement, body), lambda: self.get(asset_id))
        if found is not None:
            await self.place_one(placement, at, found, members)
            return
        self.uploaded[asset_id] = {**body, "metadata": {**body.get("metadata", {}), "version": 1}}

    async def _found(self, asset_id: str, placement: Placement) -> Doc:
        found = await self.get(asset_id)
        if found is None:
            raise PlatformError(f"{placement.asset.ref} is no longer in the shop", hint="plan again")
        return found

    async def _create(self, placement: Placement, body: Doc) -> None:
        asset = placement.asset
        path = self.api.path("media", "assets")
        if body["type"] == "LINK":
            await self.api.post(path, body)
            return
        part = _file_part(asset)
        body["details"] = {"filename": part[0], "mimeType": part[2]}
        await self.api.multipart("POST", path, body, part, idempotent=False)

    async def place(self, product: Product, at: Layout, live: Sequence[Doc], members: Members) -> None:
        """Make every asset of ``product`` sit where the recipe says, and take the others off it. A
        re-sent asset is left to its upload, which follows."""
        by_id = {str(a["id"]): a for a in live}
        wanted: list[tuple[Placement, Doc]] = []
        for placement in placements(product, at):
            asset_id = asset_id_of(placement, at)
            doc = by_id.get(asset_id) or self.uploaded.get(asset_id)
            if doc is None:
                raise PlatformError(
                    f"{placement.asset.ref} of product '{product.key}' is not in the shop", hint="plan again"
                )
            wanted.append((placement, doc))
        keep = {str(doc["id"]) for _, doc in wanted}
        await all_of(
            *(self.place_one(p, at, doc, members) for p, doc in wanted if not p.asset.resend),
            self.remove(
                [a for a in live if str(a["id"]) not in keep], members.family | {at.product_id}, at.product_id
            ),
        )

    async def place_one(self, placement: Placement, at: Layout, live: Doc, members: Members) -> None:
        async def write(current: Doc | None) -> None:
            if current is None:
                raise PlatformError(f"{placement.asset.ref} is no longer in the shop", hint="plan again")
            body = asset_doc(placement, at, current, members, await self.schemas.url(MEDIA))
            if asset_projection(body) != asset_projection(current):
                await self._put(current, body, placement.asset)
                self.uploaded[str(current["id"])] = _next_version(body)

        await with_fresh_reads(write, lambda: self.get(str(live["id"])), live)

    async def remove(self, assets: Iterable[Doc], members: Set[str], product_id: str) -> None:
        """Take ``assets`` off the product whose ids are ``members``: delete what shelf alone uses."""
        await all_of(*(self._remove_one(a, members, product_id) for a in assets))

    async def _remove_one(self, asset: Doc, members: Set[str], product_id: str) -> None:
        if deleted_with(asset, members):
            await self.api.delete(self._path(str(asset["id"])))
            return

        async def write(current: Doc | None) -> None:
            if current is None:
                return
            body = {k: v for k, v in current.items() if k != "vendorId"}
            body["metadata"] = {
                k: v for k, v in (current.get("metadata") or {}).items() if k not in METADATA_READ_ONLY
            }
            body["refIds"] = [r for r in current.get("refIds") or [] if str(r.get("id")) not in members]
            if shelf_of(current).get("product") == product_id:
                with_mixin(body, SHELF, None, "")
            if current.get("type") == "BLOB":
                body.pop("url", None)
                body.pop("details", None)
            await self._put(current, body)

        await with_fresh_reads(write, lambda: self.get(str(asset["id"])), asset)

    async def _put(self, live: Doc, body: Doc, asset: Asset | None = None) -> None:
        """Replace the asset's JSON; a blob's ``PUT`` carries its bytes: ``asset``'s local file when it
        has one, else the stored bytes, downloaded first."""
        path = self._path(str(live["id"]))
        if live.get("type") != "BLOB":
            await self.api.put(path, body)
            return
        part = _file_part(asset) if asset is not None and asset.path is not None else await self._stored(live)
        await self.api.multipart("PUT", path, body, part, idempotent=True)

    async def _stored(self, live: Doc) -> FilePart:
        """The bytes the shop holds for a blob, as a ``file`` part under its stored name and type."""
        if "details" not in live:
            live = await self.get(str(live["id"])) or live
        details = live.get("details") or {}
        name = str(details.get("filename") or live["id"])
        data = await self.api.download(self._path(f"{live['id']}/download"))
        expected = details.get("bytes")
        if expected is not None and int(expected) != len(data):
            raise PlatformError(
                f"the download of asset {live['id']} gave {len(data)} bytes where the asset has {expected}",
                hint="try again; the media service must take the bytes back with any change to the asset",
            )
        mime = details.get("mimeType") or mimetypes.guess_type(name)[0] or "application/octet-stream"
        return name, data, str(mime)


def deleted_with(asset: Mapping[str, Any], members: Set[str]) -> bool:
    """Whether taking ``asset`` off the product whose ids are ``members`` deletes it: shelf uploaded it
    and it points at nothing else."""
    return bool(shelf_of(asset)) and refs_of(asset) <= members


@dataclass(frozen=True)
class Rewrites:
    """The blob ``PUT``s a product's update makes, foreseen from the shop as read: ``resent`` holds the
    ids of the desired assets it rewrites, ``stripped`` the assets it takes off the product but leaves
    in the shop."""

    resent: frozenset[str]
    stripped: tuple[Doc, ...]


def rewrites(product: Product, family: Family, language: str) -> Rewrites:
    """What :meth:`MediaWrites.place` will ``PUT`` when ``product`` updates ``family``, computed the way
    :meth:`engine.platforms.emporix.product_writes.ProductWrites.sync` and ``place`` compute it."""
    live: Doc | None = family.product
    children: Sequence[Doc] = family.children
    if family.product.get("productType") != kind_of(product):
        live, children = None, []
    at = layout(product, live, children, language, family.id)
    wanted = {at.variant_id(v) for v in product.variants if product.options}
    members = Members.of({at.product_id, *wanted}, family.members())
    by_id = {str(a["id"]): a for a in family.assets}
    resent: set[str] = set()
    keep: set[str] = set()
    for placement in placements(product, at):
        asset_id = asset_id_of(placement, at)
        keep.add(asset_id)
        doc = by_id.get(asset_id)
        if doc is None or doc.get("type") != "BLOB":
            continue
        if asset_projection(asset_doc(placement, at, doc, members)) != asset_projection(doc):
            resent.add(asset_id)
    gone = members.family | {at.product_id}
    stripped = tuple(
        a
        for a in family.assets
        if str(a["id"]) not in keep and a.get("type") == "BLOB" and not deleted_with(a, gone)
    )
    return Rewrites(frozenset(resent), stripped)


def stripped_by_deletion(family: Family) -> tuple[Doc, ...]:
    """The blobs that deleting the product takes it off but leaves in the shop: each is rewritten."""
    members = family.members()
    return tuple(a for a in family.assets if a.get("type") == "BLOB" and not deleted_with(a, members))


def _placement_of(located: Located, product: Product, at: Layout) -> Placement:
    role = ROLES[located.role]
    for placement in placements(product, at):
        if placement.role == role and placement.asset.ref == located.asset.ref:
            return placement
    raise PlatformError(f"{located.address} is not an asset of product '{product.key}'", hint="plan again")


def _next_version(body: Doc) -> Doc:
    metadata = dict(body.get("metadata") or {})
    metadata["version"] = int(metadata.get("version") or 0) + 1
    return {**body, "metadata": metadata}


def _file_part(asset: Asset) -> FilePart:
    """The local file of ``asset`` as a ``file`` part: its name, bytes and type; the bytes must still be
    the ones the plan hashed, since the asset records that hash."""
    if asset.path is None:
        raise PlatformError(f"{asset.ref} has no local file to upload", hint="plan again")
    try:
        data = Path(asset.path).read_bytes()
    except OSError as exc:
        raise PlatformError(f"cannot read {asset.ref}: {exc.strerror}", hint="check the file") from None
    if asset.sha256 and hashlib.sha256(data).hexdigest() != asset.sha256:
        raise PlatformError(f"{asset.ref} changed since the plan was made", hint="plan again")
    name = file_name(asset.ref)
    return name, data, asset.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
