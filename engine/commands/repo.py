"""The catalog repository itself: ``shelf init`` starts one, ``shelf import`` writes recipes from a shop.

``import`` reads the live shop through the target's provider. References such as xPage categories are
resolved against the recipes' catalog when the recipes load (so imported products keep the recipe's
category keys), else against an empty catalog (categories then come from the shop's names). The recipe
goes to ``--out`` or stdout; every message goes to stderr.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import click

from engine.commands.common import State, pass_state
from engine.config import Config, Target, require_target
from engine.errors import ConfigError, RecipeErrors, ShelfError
from engine.http import HttpClient
from engine.importer import asset_key, import_catalog
from engine.model import Asset, Catalog
from engine.platforms import create_provider, sandbox_db, sandbox_transport
from engine.platforms.base import LiveState
from engine.recipe_writer import recipe_yaml
from engine.recipes import load_catalog
from engine.scaffold import write_scaffold

_MARKER = re.compile(r"\.u?[0-9a-f]{12}(?=\.[A-Za-z0-9]+$|$)")
SCHEMA_LOCATIONS = ("schemas/recipe.schema.json", ".shelf-schema/recipe.schema.json")


@click.command()
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@pass_state
def init(state: State, directory: Path, force: bool) -> int:
    """Start a catalog repository: shelf.yaml, an example recipe, schemas, .gitignore and a CI workflow."""
    written = write_scaffold(directory, force=force)
    for path in written:
        state.out.say(f"  wrote {path}")
    where = "" if directory == Path(".") else f"cd {directory} && "
    state.out.success(f"A new catalog repository. Next: {where}shelf validate && shelf plan")
    return 0


@click.command("import")
@click.option("-t", "--target", help="Target from shelf.yaml to read (default: default_target).")
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the recipe to this file (default: stdout).",
)
@click.option(
    "--download-images",
    "images_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Download images and digital files into this folder and refer to them as files.",
)
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@pass_state
def import_(
    state: State, target: str | None, out_path: Path | None, images_dir: Path | None, force: bool
) -> int:
    """Write recipes for what the shop holds, so that the next plan shows no changes."""
    config = state.config
    chosen = require_target(config, target)
    if out_path is not None and out_path.exists() and not force:
        raise ShelfError(
            "the file already exists",
            where=str(out_path),
            hint="choose another --out, or add --force to replace it",
        )
    desired = _recipes_or_empty(state, config, chosen)
    recipe_dir = (out_path.parent if out_path is not None else Path(".")).resolve()

    async def job() -> tuple[LiveState, dict[tuple[str, str], str]]:
        provider = create_provider(chosen, config)
        try:
            live = await provider.read(desired)
        finally:
            await provider.aclose()
        files: dict[tuple[str, str], str] = {}
        if images_dir is not None:
            files = await _download_images(config, chosen, live.catalog, images_dir, recipe_dir)
        return live, files

    live, files = asyncio.run(job())
    imported = import_catalog(live.catalog, local_files=files)
    schema_ref, header = _schema_ref(config, recipe_dir)
    lines = [f"Imported from target '{chosen.name}' ({chosen.platform}) with `shelf import`."]
    if header:
        lines.append(header)
    text = recipe_yaml(imported.document, schema_ref=schema_ref, header="\n".join(lines))
    for warning in imported.warnings:
        state.out.warn(warning)
    _warn_if_described_twice(state, config, desired, live.catalog, out_path)
    products = len(imported.document.get("products", []))
    categories = len(imported.document.get("categories", []))
    if out_path is None:
        click.echo(text, nl=False)
    else:
        _write(out_path, text)
    where = f" into {out_path}" if out_path is not None else ""
    state.out.success(
        f"Imported {_count(products, 'product')} and {_count(categories, 'category')} "
        f"from target '{chosen.name}'{where}."
    )
    return 0


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def _recipes_or_empty(state: State, config: Config, target: Target) -> Catalog:
    """The recipes' catalog for ``target`` when it loads; else an empty one, saying why on stderr."""
    try:
        return load_catalog(config, target.name)
    except RecipeErrors as exc:
        state.out.warn(
            f"the recipes do not load ({len(exc.errors)} error(s)); categories are named after the shop's"
        )
    except ConfigError as exc:
        state.out.say(f"No recipes to match against ({exc.message}); categories are named after the shop's.")
    return Catalog()


def _warn_if_described_twice(
    state: State, config: Config, desired: Catalog, live: Catalog, out_path: Path | None
) -> None:
    """A recipe written among the recipes describes again what they describe; a key may appear once."""
    if out_path is None:
        return
    written = out_path.resolve()
    inside = any(written == p.resolve() or p.resolve() in written.parents for p in config.recipes)
    both = sorted(set(desired.products) & set(live.products))
    if inside and both:
        state.out.warn(
            f"{len(both)} imported product(s) are also in the other recipes (first: {both[0]}); "
            "keep each product in one recipe, or shelf validate reports them as defined twice"
        )


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


def _write(path: Path, text: str) -> None:
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
