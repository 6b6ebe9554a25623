"""A product's images, variant images and digital files in an xPage product write, by file id.

An update names files by id, as the document has them: ``images: [{id, order}]``, ``variants[].image``,
``variants[].file`` and ``default.file``. Each is sent only where it differs from the live product, so an
update that changes a price leaves the files alone. Every file uploaded with ``POST /file`` is placed this
way too: the document never says that linking a file to a product puts it among the product's images (or
makes it a variant's image). Alt text is not written here: the document sets it only on upload, so a new
alt is a new upload (docs/decisions/001-xpage-image-alt.md).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from engine.errors import PlatformError
from engine.model import Product, Variant
from engine.platforms.xpage.assets import sale_items


@dataclass
class AssetIds:
    """The file id of every desired asset of one product: product images and digital files by ref,
    variants' own images by ref."""

    images: dict[str, str] = field(default_factory=dict)
    own: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def all(self) -> set[str]:
        return {*self.images.values(), *self.own.values(), *self.files.values()}

    def variant_image(self, variant: Variant) -> str | None:
        if variant.image is None:
            return None
        table = self.own if variant.own_image is not None else self.images
        return table.get(variant.image)

    def variant_file(self, variant: Variant) -> str | None:
        return self.files.get(variant.file) if variant.file is not None else None

    def require(self, product: Product, address: str) -> None:
        """A PlatformError naming the first desired asset without a file id (its upload did not run)."""
        missing = [a.ref for a in product.images if a.ref not in self.images]
        missing += [
            v.own_image.ref for v in product.variants if v.own_image and v.own_image.ref not in self.own
        ]
        missing += [f.ref for f in product.files if f.ref not in self.files]
        if missing:
            raise PlatformError(
                f"{missing[0]} is not in the shop: its upload is not part of this apply",
                where=address,
                hint="plan again without leaving out the product's uploads",
            )


@dataclass
class LiveFiles:
    """The files a live product uses: its image ids in order, and per variant id (the default variant's is
    ``default_id``) the image and digital file ids."""

    images: list[str] = field(default_factory=list)
    default_id: str | None = None
    variant_image: dict[str, str | None] = field(default_factory=dict)
    variant_file: dict[str, str | None] = field(default_factory=dict)


def _id(value: Any) -> str | None:
    return str(value["id"]) if isinstance(value, Mapping) and value.get("id") is not None else None


def live_files(raw: Mapping[str, Any]) -> LiveFiles:
    found = LiveFiles()
    for image in raw.get("images") or []:
        if _id(image) is not None:
            found.images.append(str(image["id"]))
    found.default_id = _id(raw.get("default"))
    for item in sale_items(raw):
        vid = str(item.get("id"))
        found.variant_image[vid] = _id(item.get("image"))
        found.variant_file[vid] = _id(item.get("file"))
    return found


def add_assets(metadata: MutableMapping[str, Any], product: Product, ids: AssetIds, live: LiveFiles) -> bool:
    """Add to ``metadata`` (from :func:`engine.platforms.xpage.mapping.metadata_for`) what differs from
    ``live`` among the product's files; True when anything was added."""
    changed = False
    wanted = [ids.images[a.ref] for a in product.images]
    if wanted != live.images:
        metadata["images"] = [{"id": fid, "order": n} for n, fid in enumerate(wanted)]
        changed = True
    if product.options:
        items = list(metadata.get("variants") or [])
    elif isinstance(metadata.get("default"), MutableMapping):
        items = [metadata["default"]]
    else:
        items = []
    for item, variant in zip(items, product.variants, strict=False):
        vid = str(item["id"]) if item.get("id") is not None else None
        if not product.options:
            vid = live.default_id
        else:
            image = ids.variant_image(variant)
            if image != (live.variant_image.get(vid) if vid else None):
                item["image"] = image
                changed = True
        download = ids.variant_file(variant)
        if download != (live.variant_file.get(vid) if vid else None):
            item["file"] = download
            changed = True
    return changed
