"""Uploading, placing and removing a product's files on xPage, once each.

Readings where the API document is silent:

* ``images[]`` parts of ``POST /product`` are linked in part order, after the images of
  ``metadata.images``; a part carries no alt text. So the leading images of a new product that have no alt
  ride in its create request, and every later image is uploaded after the create with ``POST /file``
  (``fileable_type`` product, ``role`` product_images, ``order`` its position, ``alt``).
* A link made by ``POST /file`` is not relied on to show the file: one product update after the uploads
  names every image in ``metadata.images`` and every variant's image and file by id, which is right
  whether the link alone adds the file to the product's gallery or not.
* ``files[]`` parts are linked to the product as ``digital_product`` files and the first becomes the
  default variant's ``file``: a simple digital product's file rides in its create request. Files of a
  product with options are uploaded with ``POST /file`` (role ``digital_product``) and set on each
  variant (``variants[].file``).
* A variant's own image is uploaded linked to the first variant that uses it (``fileable_type`` variant,
  role ``variant_image``); the other variants that use it, and variants that show one of the product's
  images, get it through ``variants[].image``. A new variant of an existing product does not exist before
  the update that creates it, so its own image is uploaded unlinked and placed by that update.
* An image is uploaded from the bytes checked at plan time: a file that changed since is refused. An image
  given by URL is downloaded at apply time and must be an image within the platform's size limit.
* A file taken off a product is deleted (``POST /file/{id}``) when shelf uploaded it (its name carries
  shelf's marker) and no other product or variant in the last read uses it; otherwise it is only
  unlinked (``DELETE /file/{id}/link/product/{id}``).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Mapping
from pathlib import Path
from typing import Any

from engine.errors import PlatformError
from engine.filetypes import image_type, sniff
from engine.http import HttpClient
from engine.model import Asset, Product
from engine.plan.uploads import Located, product_assets
from engine.platforms.xpage.api import Part
from engine.platforms.xpage.asset_metadata import AssetIds, LiveFiles, live_files
from engine.platforms.xpage.assets import FileUsers, live_assets, name_marker, sale_items, stored_name
from engine.platforms.xpage.files_api import RawFile, XPageFilesApi
from engine.platforms.xpage.mapping import variant_ids

RawProduct = Mapping[str, Any]


class XPageFiles:
    """The file side of one provider: what it uploaded (by product, role and ref), which products its
    creates completed, and who uses which file."""

    def __init__(self, http: HttpClient, max_image_bytes: int | None):
        self.api = XPageFilesApi(http)
        self.max_image_bytes = max_image_bytes
        self.users = FileUsers()
        self.created: set[str] = set()
        self._uploaded: dict[tuple[str, str, str], str] = {}

    # -- bytes ------------------------------------------------------------------------------------------

    async def part(self, asset: Asset, where: str) -> Part:
        """The upload part of ``asset``: its stored name, bytes and type."""
        if asset.path is not None:
            data = self._local(asset, where)
        elif asset.url is not None:
            data = await self._remote(asset, where)
        else:
            raise PlatformError(f"{asset.ref} has no file and no URL", where=where, hint="plan again")
        mime = sniff(data[:16]) or asset.mime_type or "application/octet-stream"
        return stored_name(asset, mime), data, mime

    def _local(self, asset: Asset, where: str) -> bytes:
        assert asset.path is not None
        try:
            data = Path(asset.path).read_bytes()
        except OSError as exc:
            raise PlatformError(
                f"{asset.ref} cannot be read: {exc.strerror or exc}", where=where, hint="plan again"
            ) from None
        if asset.sha256 and hashlib.sha256(data).hexdigest() != asset.sha256:
            raise PlatformError(
                f"{asset.ref} changed since the plan was made", where=where, hint="plan again"
            )
        return data

    async def _remote(self, asset: Asset, where: str) -> bytes:
        assert asset.url is not None
        data = await self.api.download(asset.url)
        if image_type(data[:16]) is None:
            raise PlatformError(
                f"{asset.url} is not a JPEG, PNG, WebP or GIF image",
                where=where,
                hint="point the recipe at an image, or download it into the repository",
            )
        if self.max_image_bytes is not None and len(data) > self.max_image_bytes:
            raise PlatformError(
                f"{asset.url} is {len(data)} bytes; xPage takes images of at most {self.max_image_bytes}",
                where=where,
                hint="use a smaller image",
            )
        return data

    # -- a new product --------------------------------------------------------------------------------

    @staticmethod
    def riding(product: Product) -> tuple[list[Asset], list[Asset]]:
        """The images and files that can travel in the product's create request."""
        images: list[Asset] = []
        for image in product.images:
            if image.alt:
                break
            images.append(image)
        files = list(product.files) if not product.options else []
        return images, files

    async def create_parts(self, product: Product, where: str) -> tuple[list[Part], list[Part]]:
        images, files = self.riding(product)
        image_parts = await asyncio.gather(*(self.part(a, where) for a in images))
        file_parts = await asyncio.gather(*(self.part(a, where) for a in files))
        return list(image_parts), list(file_parts)

    async def complete(self, product: Product, raw: RawProduct, where: str) -> tuple[AssetIds, LiveFiles]:
        """Upload what the create request could not carry (or what a create whose answer was lost did not
        get to); the file id of every asset, and the files as the product now has them."""
        ids = self.matched(product, raw)
        live = live_files(raw)
        pid = str(raw["id"])
        variants = variant_ids(raw)
        jobs: list[Awaitable[None]] = []
        for located in product_assets(product):
            if self._id_of(ids, located) is not None:
                continue
            jobs.append(self._upload_new(located, product, pid, variants, ids, where))
        await asyncio.gather(*jobs)
        return ids, live

    async def _upload_new(
        self,
        located: Located,
        product: Product,
        pid: str,
        variants: Mapping[tuple[tuple[str, str], ...], str],
        ids: AssetIds,
        where: str,
    ) -> None:
        """Upload one asset; where it shows is left to the product update that follows (by id)."""
        owner = _first_variant(located, variants)
        found = await self._send(located, product, pid, owner, where)
        self._remember(ids, located, str(found["id"]))

    # -- an existing product --------------------------------------------------------------------------

    async def upload(self, located: Located, product: Product, raw: RawProduct, where: str) -> None:
        """One upload change of an existing product."""
        owner = _first_variant(located, variant_ids(raw))
        await self._send(located, product, str(raw["id"]), owner, where)

    def ids(self, product: Product, address: str) -> AssetIds:
        """The file id of every desired asset: held by the shop at plan time, or uploaded since."""
        ids = AssetIds()
        for located in product_assets(product):
            fid = located.asset.live_id or self._uploaded.get((product.key, located.role, located.asset.ref))
            if fid is not None:
                self._remember(ids, located, fid)
        ids.require(product, address)
        return ids

    async def remove(self, raw: RawProduct, keep: set[str], where: str) -> None:
        """Take off the product every file it had that it no longer uses: delete what shelf uploaded and
        nothing else uses, unlink the rest."""
        pid = str(raw["id"])
        sole = self.users.only_user(pid)
        jobs = []
        for file in files_of(raw):
            fid = str(file["id"])
            if fid in keep:
                continue
            if name_marker(str(file.get("name") or "")) is not None and sole(fid):
                jobs.append(self.api.delete(fid))
            else:
                jobs.append(self.api.unlink(fid, "product", pid))
        try:
            await asyncio.gather(*jobs)
        except PlatformError as exc:
            raise PlatformError(exc.message, where=where, hint=exc.hint, status=exc.status) from None

    # -- shared ---------------------------------------------------------------------------------------

    def matched(self, product: Product, raw: RawProduct) -> AssetIds:
        """The ids of the desired assets ``raw`` already holds (same bytes or same URL)."""
        ids = AssetIds()
        live = live_assets(raw, product, lambda file_id: False)
        own = [a for _, a in live.variant_images.values() if a is not None]
        held = {
            "image": {a.ref: a.live_id for a in live.images},
            "variant_image": {a.ref: a.live_id for a in own},
            "file": {a.ref: a.live_id for a in live.files},
        }
        for located in product_assets(product):
            fid = held[located.role].get(located.asset.ref)
            if fid is not None:
                self._remember(ids, located, fid)
        return ids

    async def _send(
        self, located: Located, product: Product, pid: str, variant: str | None, where: str
    ) -> RawFile:
        part = await self.part(located.asset, where)
        fields: dict[str, str | int | None]
        if located.role == "image":
            fields = {"fileable_type": "product", "fileable_id": pid, "role": "product_images"}
            fields.update(order=located.position, alt=located.asset.alt)
        elif located.role == "variant_image":
            fields = {"fileable_type": "variant", "fileable_id": variant, "role": "variant_image"}
            if variant is None:
                fields = {}
        else:
            fields = {"fileable_type": "product", "fileable_id": pid, "role": "digital_product"}
        try:
            found = await self.api.upload(part, fields)
        except PlatformError as exc:
            raise PlatformError(exc.message, where=where, hint=exc.hint, status=exc.status) from None
        self._uploaded[(product.key, located.role, located.asset.ref)] = str(found["id"])
        return found

    def _remember(self, ids: AssetIds, located: Located, fid: str) -> None:
        table = {"image": ids.images, "variant_image": ids.own, "file": ids.files}[located.role]
        table[located.asset.ref] = fid

    @staticmethod
    def _id_of(ids: AssetIds, located: Located) -> str | None:
        table = {"image": ids.images, "variant_image": ids.own, "file": ids.files}[located.role]
        return table.get(located.asset.ref)


def _first_variant(located: Located, variants: Mapping[tuple[tuple[str, str], ...], str]) -> str | None:
    """The live id of the first variant that uses a variant image, among those that exist."""
    return next((variants[v.options] for v in located.variants if v.options in variants), None)


def files_of(raw: RawProduct) -> list[Mapping[str, Any]]:
    """Every file object a live product refers to, each once."""
    found: dict[str, Mapping[str, Any]] = {}
    for image in raw.get("images") or []:
        if isinstance(image, Mapping) and image.get("id") is not None:
            found.setdefault(str(image["id"]), image)
    for item in sale_items(raw):
        for key in ("image", "file"):
            value = item.get(key)
            if isinstance(value, Mapping) and value.get("id") is not None:
                found.setdefault(str(value["id"]), value)
    return list(found.values())
