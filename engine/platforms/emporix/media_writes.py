"""Images and files as media assets: uploads, their placement on a product, and their removal.

* An image file is a public ``BLOB`` asset whose ``refIds`` point at the product and at the variants
  that show it; a URL image is a public ``LINK`` asset; a variant's own image points at its variants
  only; a digital file is a ``PRIVATE`` blob (private assets cannot point at products), found through
  its ``shelf`` mixin. Uploads are ``POST``s with shelf's asset id: when the answer is lost, or the
  asset is already there, the asset is looked up by its id instead of being sent again.
* Placing a product's media rewrites only the assets whose references, ``shelf`` mixin or alt text
  differ. Reading chosen (the sandbox's, where the reference lists the ``file`` part as required): a
  blob's ``PUT`` carries only its ``body`` part, so changing where an image sits does not send its bytes
  again; a tenant that refuses that (400) gets the same ``PUT`` once more with the bytes of the local
  file, whose hash matched the asset's.
* An asset taken off its product is deleted when shelf uploaded it and nothing else points at it;
  otherwise only its references to the product (and shelf's mixin) are removed.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Sequence, Set
from pathlib import Path

from engine.errors import PlatformError
from engine.model import Asset, Product
from engine.plan.uploads import Located, file_name
from engine.platforms.emporix.api import Doc, EmporixApi, FilePart, all_of
from engine.platforms.emporix.mixins import SHELF, shelf_of, with_mixin
from engine.platforms.emporix.product_docs import (
    METADATA_READ_ONLY,
    Layout,
    Members,
    Placement,
    asset_doc,
    asset_id_of,
    asset_projection,
    placements,
)
from engine.platforms.emporix.shop import refs_of
from engine.platforms.emporix.writes import with_fresh_reads

ROLES = {"image": "image", "variant_image": "variant_image", "file": "file"}


class MediaWrites:
    """Asset writes for one provider; remembers what it uploaded, so a product's update that follows
    its uploads in the same apply knows those assets without reading them."""

    def __init__(self, api: EmporixApi):
        self.api = api
        self.uploaded: dict[str, Doc] = {}

    def _path(self, asset_id: str) -> str:
        return self.api.path("media", f"assets/{asset_id}")

    async def get(self, asset_id: str) -> Doc | None:
        found = await self.api.get(self._path(asset_id))
        return found if isinstance(found, dict) else None

    async def upload(self, located: Located, product: Product, at: Layout, members: Members) -> None:
        """Create the asset for one image or file of ``product``, placed as far as the product's
        documents that exist now allow."""
        placement = _placement_of(located, product, at)
        body = asset_doc(placement, at, None, members)
        asset_id = str(body["id"])
        try:
            await self._create(placement, body)
        except PlatformError as exc:
            if exc.status is not None and exc.status not in (409,) and exc.status < 500:
                raise
            found = await self.get(asset_id)
            if found is None:
                raise
            await self.place_one(placement, at, found, members)
            return
        self.uploaded[asset_id] = {**body, "metadata": {**body.get("metadata", {}), "version": 1}}

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
        """Make every asset of ``product`` sit where the recipe says, and take the others off it."""
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
            *(self.place_one(p, at, doc, members) for p, doc in wanted),
            self.remove(
                [a for a in live if str(a["id"]) not in keep], members.family | {at.product_id}, at.product_id
            ),
        )

    async def place_one(self, placement: Placement, at: Layout, live: Doc, members: Members) -> None:
        async def write(current: Doc | None) -> None:
            if current is None:
                raise PlatformError(f"{placement.asset.ref} is no longer in the shop", hint="plan again")
            body = asset_doc(placement, at, current, members)
            if asset_projection(body) != asset_projection(current):
                await self._put(current, body, placement.asset)
                self.uploaded[str(current["id"])] = _next_version(body)

        await with_fresh_reads(write, lambda: self.get(str(live["id"])), live)

    async def remove(self, assets: Iterable[Doc], members: Set[str], product_id: str) -> None:
        """Take ``assets`` off the product whose ids are ``members``: delete what shelf alone uses."""
        await all_of(*(self._remove_one(a, members, product_id) for a in assets))

    async def _remove_one(self, asset: Doc, members: Set[str], product_id: str) -> None:
        mixin = shelf_of(asset)
        if mixin and refs_of(asset) <= members:
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
        """Replace the asset's JSON; a blob's bytes are sent again only if the tenant refuses the
        ``PUT`` without them and shelf has the same bytes (``asset``'s local file) to send."""
        path = self._path(str(live["id"]))
        if live.get("type") != "BLOB":
            await self.api.put(path, body)
            return
        try:
            await self.api.multipart("PUT", path, body, None, idempotent=True)
        except PlatformError as exc:
            if exc.status != 400 or asset is None or asset.path is None:
                raise
            await self.api.multipart("PUT", path, body, _file_part(asset), idempotent=True)


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
    """The local file of ``asset`` as a ``file`` part: its name, bytes and type."""
    if asset.path is None:
        raise PlatformError(f"{asset.ref} has no local file to upload", hint="plan again")
    try:
        data = Path(asset.path).read_bytes()
    except OSError as exc:
        raise PlatformError(f"cannot read {asset.ref}: {exc.strerror}", hint="check the file") from None
    name = file_name(asset.ref)
    return name, data, asset.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
