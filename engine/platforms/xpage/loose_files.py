"""Files shelf uploaded that no product shows: placed again when a recipe still wants their bytes, else
reported as orphans for the plan to delete.

A file is *loose* when its stored name carries shelf's marker (:mod:`engine.platforms.xpage.assets`) and
no product or variant of the shop refers to it (images, videos, variant images, digital files). That is
what an apply leaves behind when it dies, or a product update fails, after ``POST /file`` and before the
update that places the file; and what a failed ``POST /file/{id}`` leaves after the file was taken off
its product.

* **Adopted.** Reading a product, each desired image or file that the product does not show is matched
  against the loose files by the marker in their names (the content hash, or the URL's hash) and, for
  images, the alt text (which the document sets only on upload). A match takes the loose file's id, so
  the plan shows the product update that places it and no upload: the bytes are in the shop already.
  Each loose file is adopted once.
* **Orphans.** The loose files nothing adopts are ``orphan.<stored name>`` (``orphan.<stored
  name>@<id>`` when two share a name) in the live state; a target with ``files`` under ``prune``
  deletes them (``POST /file/{id}``).

Readings where the document is silent: ``GET /file`` without filters lists every file of the shop,
paged like any list; a file linked to a landing page or a review (``GET /file?fileable_type=...``) is in
use even though no product shows it, so it is neither adopted nor an orphan. Files without shelf's
marker are never loose: shelf does not know what they are for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from engine.model import Asset, Product, Variant
from engine.platforms.xpage.assets import marker, name_marker

RawFile = Mapping[str, Any]
ORPHAN = "orphan"
"""The address kind of a loose file nothing adopts."""


def _key(asset: Asset, role: str) -> tuple[str, str | None] | None:
    found = marker(asset)
    if found is None:
        return None
    return found, (asset.alt or None) if role == "image" else None


class LooseFiles:
    """The loose files of the last whole-shop read, and which desired assets adopted which."""

    def __init__(self) -> None:
        self.pool: list[RawFile] = []
        self.adopted: dict[tuple[str, str, str], str] = {}

    def found(self, files: Iterable[RawFile], used: set[str]) -> None:
        """Start over with the shop's files (``used``: the ids products and variants refer to)."""
        self.adopted = {}
        self.pool = [
            f
            for f in files
            if f.get("id") is not None
            and str(f["id"]) not in used
            and name_marker(str(f.get("name") or "")) is not None
        ]

    def adopt(self, wanted: Product, shown: Iterable[RawFile]) -> None:
        """Take, for every asset of ``wanted`` whose bytes the live product does not show, a loose file
        with those bytes (and alt text)."""
        held = [_held(raw) for raw in shown]
        for role, asset in _assets(wanted):
            key = _key(asset, role)
            if key is None:
                continue
            same = next((h for h in held if _same(h, key, role)), None)
            if same is not None:
                held.remove(same)
                continue
            loose = next((f for f in self.pool if _same(_held(f), key, role)), None)
            if loose is not None:
                self.pool.remove(loose)
                self.adopted[(wanted.key, role, asset.ref)] = str(loose["id"])

    def with_adopted(self, product: Product) -> Product:
        """``product`` (prepared) with the adopted file's id on each asset the shop holds no other way."""
        if not any(k[0] == product.key for k in self.adopted):
            return product

        def held(asset: Asset, role: str) -> Asset:
            if asset.live_id is not None:
                return asset
            return replace(asset, live_id=self.adopted.get((product.key, role, asset.ref)))

        def variant(v: Variant) -> Variant:
            return replace(v, own_image=held(v.own_image, "variant_image")) if v.own_image else v

        return replace(
            product,
            images=tuple(held(a, "image") for a in product.images),
            files=tuple(held(a, "file") for a in product.files),
            variants=tuple(variant(v) for v in product.variants),
        )

    def orphans(self) -> dict[str, Asset]:
        """The loose files nothing adopted, by address."""
        names: dict[str, int] = {}
        for raw in self.pool:
            name = str(raw.get("name"))
            names[name] = names.get(name, 0) + 1
        found: dict[str, Asset] = {}
        for raw in self.pool:
            name, fid = str(raw.get("name")), str(raw["id"])
            addr = f"{ORPHAN}.{name}" if names[name] == 1 else f"{ORPHAN}.{name}@{fid}"
            mark = name_marker(name) or ""
            size = raw.get("size")
            found[addr] = Asset(
                ref=name,
                url=raw.get("url") or None,
                alt=raw.get("alt") or None,
                sha256=None if mark.startswith("u") else mark,
                size=int(size) if isinstance(size, int) else None,
                mime_type=raw.get("mime_type") or None,
                live_id=fid,
                owned=True,
            )
        return found


def _held(raw: RawFile) -> tuple[str | None, str | None]:
    return name_marker(str(raw.get("name") or "")), raw.get("alt") or None


def _same(held: tuple[str | None, str | None], key: tuple[str, str | None], role: str) -> bool:
    """Whether a file (its marker and alt) holds an asset: same bytes, and for images the same alt."""
    return held[0] == key[0] and (role != "image" or held[1] == key[1])


def _assets(product: Product) -> list[tuple[str, Asset]]:
    """Every image, own variant image (once) and digital file of a product, with its role."""
    found = [("image", a) for a in product.images]
    own = {v.own_image.ref: v.own_image for v in product.variants if v.own_image is not None}
    found += [("variant_image", a) for a in own.values()]
    found += [("file", a) for a in product.files]
    return found
