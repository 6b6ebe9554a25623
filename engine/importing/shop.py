"""``shelf import``'s job: read a shop through its provider, optionally download its pictures and files,
and turn it into the recipe text a person would have written.

References such as xPage categories are resolved against the recipes' catalog when the recipes load (so
imported products keep the recipe's category keys), else against an empty catalog (categories then come
from the shop's names). Messages are returned, not printed: the command decides where they go.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from engine.config import Config, Target
from engine.errors import ConfigError, RecipeErrors, ShelfError
from engine.http import HttpClient
from engine.importing.importer import asset_key, import_catalog
from engine.importing.recipe_writer import recipe_yaml
from engine.model import Asset, Catalog
from engine.platforms import create_provider, sandbox_db, sandbox_transport
from engine.platforms.base import LiveState
from engine.recipes import load_catalog

_MARKER = re.compile(r"\.u?[0-9a-f]{12}(?=\.[A-Za-z0-9]+$|$)")
SCHEMA_LOCATIONS = ("schemas/recipe.schema.json", ".shelf-schema/recipe.schema.json")


@dataclass
class ImportResult:
    """The recipe text and what to tell about it: ``notes`` are informational, ``warnings`` need care."""

    text: str
    products: int
    categories: int
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def import_shop(
    config: Config, target: Target, out_path: Path | None, images_dir: Path | None
) -> ImportResult:
    """Read ``target``'s shop and write it as a recipe (to be saved at ``out_path``, or printed when None);
    with ``images_dir``, pictures and files are downloaded there and referred to as files."""
    notes: list[str] = []
    warnings: list[str] = []
    desired = _recipes_or_empty(config, target, notes, warnings)
    recipe_dir = (out_path.parent if out_path is not None else Path(".")).resolve()

    async def job() -> tuple[LiveState, dict[tuple[str, str], str]]:
        provider = create_provider(target, config)
        try:
            live = await provider.read(desired)
        finally:
            await provider.aclose()
        files: dict[tuple[str, str], str] = {}
        if images_dir is not None:
            files = await _download_images(config, target, live.catalog, images_dir, recipe_dir)
        return live, files

    live, files = asyncio.run(job())
    imported = import_catalog(live.catalog, local_files=files)
    schema_ref, header = _schema_ref(config, recipe_dir)
    lines = [f"Imported from target '{target.name}' ({target.platform}) with `shelf import`."]
    if header:
        lines.append(header)
    text = recipe_yaml(imported.document, schema_ref=schema_ref, header="\n".join(lines))
    warnings.extend(imported.warnings)
    twice = _described_twice(config, desired, live.catalog, out_path)
    if twice:
        warnings.append(twice)
    return ImportResult(
        text,
        products=len(imported.document.get("products", [])),
        categories=len(imported.document.get("categories", [])),
        notes=notes,
        warnings=warnings,
    )


def _recipes_or_empty(config: Config, target: Target, notes: list[str], warnings: list[str]) -> Catalog:
    """The recipes' catalog for ``target`` when it loads; else an empty one, saying why."""
    try:
        return load_catalog(config, target.name)
    except RecipeErrors as exc:
        warnings.append(
            f"the recipes do not load ({len(exc.errors)} error(s)); categories are named after the shop's"
        )
    except ConfigError as exc:
        notes.append(f"No recipes to match against ({exc.message}); categories are named after the shop's.")
    return Catalog()


def _described_twice(config: Config, desired: Catalog, live: Catalog, out_path: Path | None) -> str | None:
    """A recipe written among the recipes describes again what they describe; a key may appear once."""
    if out_path is None:
        return None
    written = out_path.resolve()
    inside = any(written == p.resolve() or p.resolve() in written.parents for p in config.recipes)
    both = sorted(set(desired.products) & set(live.products))
    if inside and both:
        return (
            f"{len(both)} imported product(s) are also in the other recipes (first: {both[0]}); "
            "keep each product in one recipe, or shelf validate reports them as defined twice"
        )
    return None


def _schema_ref(config: Config, recipe_dir: Path) -> tuple[str, str | None]:
    """The modeline's path to the recipe schema, relative to the recipe; and a note when it is not there."""
    root = config.root.resolve()
    for location in SCHEMA_LOCATIONS:
        candidate = root / location
        if candidate.is_file():
            return Path(os.path.relpath(candidate, recipe_dir)).as_posix(), None
    target = root / SCHEMA_LOCATIONS[0]
    relative = Path(os.path.relpath(target, recipe_dir)).as_posix()
    note = f"Editors complete fields once the schema is there: shelf schema recipe > {SCHEMA_LOCATIONS[0]}"
    return relative, note


def write_recipe(path: Path, text: str) -> None:
    """Save an imported recipe, creating its folder; an unwritable path is one clear error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ShelfError(
            f"cannot write the recipe: {exc.strerror or exc}",
            where=str(path),
            hint="choose a writable --out path",
        ) from None


def _downloads(catalog: Catalog) -> list[tuple[str, Asset]]:
    """Every file of every product worth downloading: images, variants' own images, digital files."""
    found: list[tuple[str, Asset]] = []
    for key, product in catalog.products.items():
        seen: set[str] = set()
        own = [v.own_image for v in product.variants if v.own_image is not None]
        for asset in (*product.images, *own, *product.files):
            if asset.url and asset_key(asset) not in seen:
                seen.add(asset_key(asset))
                found.append((key, asset))
    return found


async def _download_images(
    config: Config, target: Target, catalog: Catalog, folder: Path, recipe_dir: Path
) -> dict[tuple[str, str], str]:
    """Fetch every product's images and files into ``folder/<product key>/<file name>``; (key,
    :func:`asset_key`) -> the path the recipe writes, relative to ``recipe_dir``.

    Files are fetched without the target's credentials: their URLs are public, and a token must never
    reach another host. A sandbox target's files come from its in-process emulator.
    """
    wanted: list[tuple[str, Asset, Path]] = []
    names: dict[str, set[str]] = {}
    for key, asset in _downloads(catalog):
        taken = names.setdefault(key, set())
        name = _unique_name(_file_name(asset), taken)
        taken.add(name)
        wanted.append((key, asset, folder / key / name))
    clients: dict[str, HttpClient] = {}
    try:
        for _, asset, _ in wanted:
            origin = _origin(str(asset.url))
            if origin not in clients:
                transport = (
                    sandbox_transport(target.platform, sandbox_db(config, target.platform))
                    if target.sandbox
                    else None
                )
                clients[origin] = HttpClient(
                    origin, transport=transport, concurrency=target.concurrency, where=target.name
                )
        bodies = await asyncio.gather(
            *(clients[_origin(str(a.url))].request("GET", str(a.url)) for _, a, _ in wanted)
        )
    finally:
        for client in clients.values():
            await client.aclose()
    written: dict[tuple[str, str], str] = {}
    for (key, asset, path), response in zip(wanted, bodies, strict=True):
        _write_bytes(path, response.content)
        written[(key, asset_key(asset))] = Path(os.path.relpath(path.resolve(), recipe_dir)).as_posix()
    return written


def _write_bytes(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise ShelfError(
            f"cannot write an image: {exc.strerror or exc}",
            where=str(path),
            hint="choose a writable --download-images folder",
        ) from None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _file_name(asset: Asset) -> str:
    """A safe file name: the asset's name in the shop (without the content marker a shop may keep in it,
    ``front.3fa9c2d1e0b4.jpg`` -> ``front.jpg``), else the last part of its URL."""
    candidates = [asset.ref, unquote(urlsplit(str(asset.url)).path)]
    for candidate in candidates:
        name = PurePosixPath(candidate.replace("\\", "/")).name
        name = _MARKER.sub("", name)
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
        if name:
            return name
    return "file"


def _unique_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    number = 2
    while True:
        candidate = f"{stem}-{number}{'.' + suffix if suffix else ''}"
        if candidate not in taken:
            return candidate
        number += 1
