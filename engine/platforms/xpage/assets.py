"""xPage files <-> canonical assets: the content hash in the stored name, and live files matched to recipes.

xPage keeps a file's name exactly as uploaded and has no field for anything else, so shelf writes what it
needs to know into the name:

* a local file is stored as ``<stem>.<first 12 hex of the SHA-256 of its bytes>.<ext>``
  (``images/tee/front.jpg`` -> ``front.3fa9c2d1e0b4.jpg``);
* an image downloaded from a URL as ``<stem>.u<first 12 hex of the SHA-256 of the URL>.<ext>``.

Reading a product, a live file matches a desired asset of the same role (product image, variant image,
digital file) when its name carries that asset's marker, or, for URL images, when its ``url`` or
``permanent_url`` is the recipe's URL. A matched live asset takes the recipe's ``ref``, so a plan compares
like with like; renaming a file in the catalog without changing its bytes is then no change at all. A live
file that matches nothing keeps its stored name as ``ref`` and is what the plan removes. Nothing is
downloaded to decide any of this.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from engine.model import Asset, Product
from engine.plan.uploads import file_name

HEX = 12
_MARKER = re.compile(rf"u?[0-9a-f]{{{HEX}}}")
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}

RawFile = Mapping[str, Any]


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def marker(asset: Asset) -> str | None:
    """What the stored name of ``asset`` carries: its content hash, or ``u`` and its URL's hash."""
    if asset.path is not None and asset.sha256:
        return asset.sha256[:HEX]
    if asset.url:
        return "u" + url_hash(asset.url)[:HEX]
    return None


def name_marker(name: str) -> str | None:
    """The marker in a stored name, or None for a file shelf did not upload."""
    parts = name.split(".")
    for candidate in (parts[-1], parts[-2] if len(parts) > 2 else ""):
        if len(parts) > 1 and _MARKER.fullmatch(candidate):
            return candidate
    return None


def stored_name(asset: Asset, mime_type: str | None = None) -> str:
    """The name ``asset`` is uploaded under. ``mime_type`` gives an extension to a URL without one."""
    found = marker(asset)
    if found is None:
        raise ValueError(f"{asset.ref} has neither bytes described nor a URL")
    base = PurePosixPath(file_name(asset.ref))
    stem, ext = base.stem or "file", base.suffix.lstrip(".").lower()
    if not ext and mime_type in _EXTENSIONS:
        ext = _EXTENSIONS[mime_type]
    return f"{stem}.{found}.{ext}" if ext else f"{stem}.{found}"


class Matcher:
    """Live files of one role of one product, each matched to at most one desired asset of that role."""

    def __init__(self, desired: Iterable[Asset]):
        self._by_key: dict[str, list[Asset]] = {}
        for asset in desired:
            if asset.url and asset.path is None:
                self._by_key.setdefault("url:" + asset.url, []).append(asset)
            found = marker(asset)
            if found is not None:
                self._by_key.setdefault("mark:" + found, []).append(asset)
        self._taken: set[int] = set()

    def live(self, raw: RawFile, owned: bool) -> Asset:
        """The canonical asset for one live file."""
        name = str(raw.get("name") or raw.get("id"))
        mark = name_marker(name)
        url = raw.get("url") or raw.get("permanent_url") or None
        keys = [f"url:{raw.get(k)}" for k in ("url", "permanent_url") if raw.get(k)]
        if mark is not None:
            keys.append("mark:" + mark)
        wanted = self._take(keys)
        size = raw.get("size")
        common: dict[str, Any] = {
            "alt": raw.get("alt") or None,
            "size": int(size) if size is not None else None,
            "mime_type": raw.get("mime_type") or None,
            "live_id": str(raw["id"]) if raw.get("id") is not None else None,
            "owned": owned and mark is not None,
        }
        content = mark if mark is not None and not mark.startswith("u") else None
        if wanted is None:
            return Asset(ref=name, url=url, sha256=content, **common)
        if wanted.path is None:
            return Asset(ref=wanted.ref, url=wanted.url, **common)
        return Asset(ref=wanted.ref, url=url, sha256=content, **common)

    def _take(self, keys: Sequence[str]) -> Asset | None:
        for key in keys:
            for asset in self._by_key.get(key, []):
                if id(asset) not in self._taken:
                    self._taken.add(id(asset))
                    return asset
        return None


@dataclass
class LiveAssets:
    """One live product's files as canonical assets: its images, and per variant id the image (its ref,
    and the asset when it is the variant's own) and the digital file's ref."""

    images: tuple[Asset, ...] = ()
    files: tuple[Asset, ...] = ()
    variant_images: dict[str, tuple[str, Asset | None]] = field(default_factory=dict)
    variant_files: dict[str, str] = field(default_factory=dict)


def sale_items(raw: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A live product's variants, or its default for a simple product."""
    items = [v for v in raw.get("variants") or [] if isinstance(v, Mapping)]
    default = raw.get("default")
    if isinstance(default, Mapping):
        items.append(default)
    return items


def live_assets(raw: Mapping[str, Any], wanted: Product | None, owned: Callable[[str], bool]) -> LiveAssets:
    """The files of ``raw`` matched against ``wanted``'s assets. ``owned(file id)`` says whether no other
    product uses the file (so shelf may delete it when this one lets go of it)."""
    images = Matcher(wanted.images if wanted else ())
    own = Matcher(
        {v.own_image.ref: v.own_image for v in (wanted.variants if wanted else ()) if v.own_image}.values()
    )
    files = Matcher(wanted.files if wanted else ())
    result = LiveAssets()
    image_list = [
        images.live(f, owned(str(f.get("id")))) for f in raw.get("images") or [] if isinstance(f, Mapping)
    ]
    result.images = tuple(image_list)
    by_id = {a.live_id: a for a in image_list}
    own_by_id: dict[str, Asset] = {}
    files_by_id: dict[str, Asset] = {}
    for item in sale_items(raw):
        vid = str(item.get("id"))
        picture, download = item.get("image"), item.get("file")
        if isinstance(picture, Mapping) and picture.get("id") is not None:
            fid = str(picture["id"])
            if fid in by_id:
                result.variant_images[vid] = (by_id[fid].ref, None)
            else:
                if fid not in own_by_id:
                    own_by_id[fid] = own.live(picture, owned(fid))
                result.variant_images[vid] = (own_by_id[fid].ref, own_by_id[fid])
        if isinstance(download, Mapping) and download.get("id") is not None:
            fid = str(download["id"])
            if fid not in files_by_id:
                files_by_id[fid] = files.live(download, owned(fid))
            result.variant_files[vid] = files_by_id[fid].ref
    result.files = tuple(files_by_id.values())
    return result


def file_ids(raw: Mapping[str, Any]) -> set[str]:
    """Every file id a live product refers to: images, videos, variant images and digital files."""
    found: set[str] = set()
    for key in ("images", "ugc_videos"):
        found.update(str(f["id"]) for f in raw.get(key) or [] if isinstance(f, Mapping) and f.get("id"))
    for item in sale_items(raw):
        for key in ("image", "file"):
            value = item.get(key)
            if isinstance(value, Mapping) and value.get("id"):
                found.add(str(value["id"]))
    return found


class FileUsers:
    """Which live products use which files, from the reads so far: a file shelf uploaded is deleted only
    when no other product (or its variants) uses it."""

    def __init__(self) -> None:
        self._files: dict[str, set[str]] = {}
        self._users: dict[str, set[str]] = {}

    def read(self, raws: Iterable[Mapping[str, Any]], *, whole_shop: bool) -> None:
        """Record products as read; ``whole_shop`` when they are every product there is."""
        if whole_shop:
            self._files, self._users = {}, {}
        for raw in raws:
            self.record(str(raw.get("id")), file_ids(raw))

    def record(self, product_id: str, files: set[str]) -> None:
        for old in self._files.get(product_id, set()) - files:
            self._users.get(old, set()).discard(product_id)
        for new in files:
            self._users.setdefault(new, set()).add(product_id)
        self._files[product_id] = set(files)

    def only_user(self, product_id: str) -> Callable[[str], bool]:
        """``file id -> True`` when no product other than ``product_id`` uses the file."""
        return lambda file_id: self._users.get(file_id, set()) <= {product_id}
