"""The local files a catalog names (images, variant images, digital files), checked and described.

Every image and file path is checked before any request, each failure a problem at its recipe line:

* the path stays inside the catalog repository (``config.root``): no ``..`` that climbs out of it and no
  symlink that points out of it (the path is resolved and checked again), so a recipe cannot publish
  whatever happens to lie on the machine that runs shelf;
* the file exists, is a file and can be read;
* an image is a JPEG, PNG, WebP or GIF by its first bytes, whatever its extension; a digital file may be
  of any type.

Each asset then carries the SHA-256 of its bytes, their size and their MIME type (sniffed from the bytes,
else guessed from the name), which is how a plan knows, without downloading anything, whether the shop
already holds it. Hashes are remembered in ``.shelf/cache/assets.json`` (see
:mod:`engine.recipes.hash_cache`). URL images are not fetched here: shelf reads nothing from the network
while checking recipes.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import os
from pathlib import Path
from typing import TYPE_CHECKING

from engine.documents.problems import Problem, closest
from engine.errors import Source
from engine.filetypes import IMAGE_TYPES, describe, image_type, sniff, type_names
from engine.model import Asset, Catalog, Product, Variant
from engine.recipes.hash_cache import HashCache

if TYPE_CHECKING:
    from engine.config import Config

CACHE_FILE = Path("cache") / "assets.json"


def hash_cache(config: Config) -> HashCache:
    """The catalog's hash cache under ``.shelf/``."""
    return HashCache(config.state_dir / CACHE_FILE, config.root.resolve())


class AssetChecker:
    """Checks and describes the assets of one load; a file named many times is looked at once."""

    def __init__(self, config: Config, cache: HashCache):
        self.root = config.root.resolve()
        self.cache = cache
        self.problems: list[Problem] = []
        self._seen: dict[tuple[str, bool], Asset | Problem] = {}

    def catalog(self, catalog: Catalog) -> Catalog:
        """``catalog`` with every local asset described; problems are collected in ``problems``."""
        products = {key: self._product(product) for key, product in catalog.products.items()}
        return dataclasses.replace(catalog, products=products)

    def _product(self, product: Product) -> Product:
        if not product.images and not product.files and all(v.own_image is None for v in product.variants):
            return product
        images = tuple(self._asset(a, "image", image=True) for a in product.images)
        files = tuple(self._asset(a, "file", image=False) for a in product.files)
        variants = tuple(self._variant(v) for v in product.variants)
        return dataclasses.replace(product, images=images, files=files, variants=variants)

    def _variant(self, variant: Variant) -> Variant:
        if variant.own_image is None:
            return variant
        return dataclasses.replace(
            variant, own_image=self._asset(variant.own_image, "variant image", image=True)
        )

    def _asset(self, asset: Asset, what: str, *, image: bool) -> Asset:
        if asset.path is None:
            return asset
        key = (asset.path, image)
        if key not in self._seen:
            self._seen[key] = self._inspect(asset, what, image=image)
        found = self._seen[key]
        if isinstance(found, Problem):
            where = asset.source or found.source
            self.problems.append(dataclasses.replace(found, source=where))
            return asset
        return dataclasses.replace(asset, sha256=found.sha256, size=found.size, mime_type=found.mime_type)

    def _inspect(self, asset: Asset, what: str, *, image: bool) -> Asset | Problem:
        assert asset.path is not None
        where = asset.source or Source("?", 1, 1)
        named = f"{what} '{asset.ref}'"

        def problem(message: str, hint: str | None = None) -> Problem:
            return Problem(where, f"{named} {message}", hint)

        lexical = Path(asset.path)
        if not _inside(lexical, self.root):
            return problem(
                "is outside the catalog repository",
                "copy it into the catalog repository (the folder of shelf.yaml), next to the recipes",
            )
        resolved = lexical.resolve()
        if not _inside(resolved, self.root):
            return problem(
                f"is a symlink to {resolved}, outside the catalog repository",
                "copy the file into the repository instead of linking to it",
            )
        if not resolved.exists():
            return problem("does not exist", _missing_hint(lexical))
        if resolved.is_dir():
            return problem("cannot be read: it is a folder, not a file", "name the file inside it")
        if not resolved.is_file():
            return problem(
                "cannot be read: it is not a regular file (a FIFO, socket or device)", "name a regular file"
            )
        try:
            facts = self.cache.facts(resolved, resolved.relative_to(self.root).as_posix())
        except PermissionError:
            return problem("cannot be read: permission denied", "make it readable (chmod a+r)")
        except OSError as exc:
            return problem(f"cannot be read: {exc.strerror or exc}")
        if image and image_type(facts.head) is None:
            return problem(
                f"is not a {type_names(IMAGE_TYPES)} image: {describe(facts.head)}",
                "export it as one of those; the file name's extension does not decide the type",
            )
        guessed, _ = mimetypes.guess_type(lexical.name, strict=False)
        mime = sniff(facts.head) or guessed or "application/octet-stream"
        return dataclasses.replace(asset, sha256=facts.sha256, size=facts.size, mime_type=mime)


def describe_assets(catalog: Catalog, config: Config, cache: HashCache) -> tuple[Catalog, list[Problem]]:
    """``catalog`` with every local asset checked and described, and the problems found."""
    checker = AssetChecker(config, cache)
    return checker.catalog(catalog), checker.problems


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _missing_hint(path: Path) -> str:
    """The closest file name in the same folder, else where relative paths start from."""
    folder = path.parent
    try:
        names: list[str] = os.listdir(folder)
    except OSError:
        names = []
    match = closest(path.name, names)
    if match is not None:
        return f"did you mean '{match}'?"
    return "paths are relative to the folder of the recipe file"
