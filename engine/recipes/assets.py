"""A product's images and files as :class:`engine.model.Asset`.

An asset's ``ref`` is the text as written (a path relative to the recipe file, or a URL): it is the
asset's identity inside its product. ``path`` is that file's absolute path, resolved against the recipe's
folder. The bytes are not read here: whether a file exists, its hash and size belong to the step that
uploads it. Paths must be relative, so a catalog repository works wherever it is checked out.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path, PurePosixPath
from typing import Any

from engine.documents.strict_yaml import MDict, MList
from engine.errors import Source
from engine.model import Asset
from engine.recipes.scope import ItemScope

URL_PREFIXES = ("http://", "https://")


def is_url(ref: str) -> bool:
    return ref.startswith(URL_PREFIXES)


def local_asset(scope: ItemScope, ref: str, where: Source, what: str, alt: str | None = None) -> Asset | None:
    """An asset for a file beside the recipe, or None (with a problem) for an absolute path."""
    if PurePosixPath(ref).is_absolute() or Path(ref).is_absolute() or "\\" in ref:
        scope.fail(
            where,
            f"{what} '{ref}' must be a path relative to the recipe file, written with '/'",
        )
        return None
    path = os.path.normpath(scope.raw.path.parent / ref)
    return Asset(ref=ref, path=path, alt=alt, source=where)


def url_asset(scope: ItemScope, ref: str, where: Source, alt: str | None = None) -> Asset | None:
    if not is_url(ref):
        scope.fail(where, f"image url '{ref}' must start with http:// or https://")
        return None
    return Asset(ref=ref, url=ref, alt=alt, source=where)


def images(scope: ItemScope) -> tuple[Asset, ...]:
    entries = scope.data.get("images")
    if not isinstance(entries, MList):
        return ()
    found: list[Asset] = []
    seen: dict[str, Source] = {}
    for entry, where in zip(entries, entries.item_sources, strict=True):
        asset = _image(scope, entry, where)
        if asset is None:
            continue
        if asset.ref in seen:
            scope.fail(where, f"image '{asset.ref}' is listed twice (also at {seen[asset.ref]})")
            continue
        seen[asset.ref] = where
        found.append(asset)
    return tuple(found)


def _image(scope: ItemScope, entry: Any, where: Source) -> Asset | None:
    if isinstance(entry, str):
        ref = scope.render(entry, where)
        if ref is None:
            return None
        return url_asset(scope, ref, where) if is_url(ref) else local_asset(scope, ref, where, "image")
    if not isinstance(entry, MDict):
        return None
    alt = scope.string("alt", entry)
    field = "url" if "url" in entry else "file"
    ref = scope.string(field, entry)
    if ref is None:
        return None
    at = entry.value_sources[field]
    asset = url_asset(scope, ref, at, alt) if field == "url" else local_asset(scope, ref, at, "image", alt)
    return dataclasses.replace(asset, source=where) if asset is not None else None


def files(scope: ItemScope, digital: bool) -> tuple[Asset, ...]:
    entries = scope.data.get("files")
    if not isinstance(entries, MList) or not entries:
        return ()
    if not digital:
        scope.fail(
            scope.data.key_sources["files"],
            f"{scope.raw.name} has 'files' but is not digital",
            "set 'digital: true', or remove 'files'",
        )
        return ()
    found: list[Asset] = []
    seen: dict[str, Source] = {}
    for entry, where in zip(entries, entries.item_sources, strict=True):
        ref = scope.render(str(entry), where)
        if ref is None:
            continue
        if ref in seen:
            scope.fail(where, f"file '{ref}' is listed twice (also at {seen[ref]})")
            continue
        seen[ref] = where
        asset = local_asset(scope, ref, where, "file")
        if asset is not None:
            found.append(asset)
    return tuple(found)
