"""Which files are recipes, in which order, how messages name them, and their digest.

The order is sorted by path so that every run, on every machine, reads the same recipes in the same order:
error lists, catalogs and plans come out identical. Hidden files and folders (``.name``) are skipped, so
editor backups and ``.shelf/`` never count as recipes.

Recipes come from inside the catalog repository only: a ``recipes:`` entry outside the folder of
shelf.yaml (``../..``, ``/etc``) is refused rather than searched, and so is a recipe-named file that is
not a regular file inside it (a symlink out of the repository, a dangling or looping symlink, a FIFO, a
device). Skipping such a file would plan without its products, which prune would then delete.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from engine.documents.problems import did_you_mean
from engine.errors import ConfigError, Source

if TYPE_CHECKING:
    from engine.config import Config

SUFFIXES = (".yaml", ".yml")


def recipe_files(config: Config) -> list[Path]:
    """Every recipe file under ``config.recipes``, sorted, each once.

    A configured path that does not exist, or no recipe file at all, is a :class:`ConfigError`: an empty
    catalog planned against a pruned target would ask to delete everything. A missing path is named at
    its line in shelf.yaml, with the closest name in its folder.
    """
    if config.path is None and not any(entry.exists() for entry in config.recipes):
        raise ConfigError(
            "no shelf.yaml in this folder or any folder above it, and no recipes/ folder here: "
            "this is not a catalog repository",
            where=str(config.root),
            hint="run `shelf init` to start one here, or run shelf from inside your catalog repository",
        )
    found: dict[Path, None] = {}
    where = str(config.path) if config.path else None
    root = config.root.resolve()
    for index, entry in enumerate(config.recipes):
        at = config.recipes_at[index] if index < len(config.recipes_at) else None
        _inside_or_refuse(entry, root, at or where)
        if entry.is_file():
            found[entry.resolve()] = None
        elif entry.is_dir():
            below = (
                p
                for p in entry.rglob("*")
                if p.suffix in SUFFIXES and not p.is_dir() and not _hidden(p.relative_to(entry))
            )
            for path in sorted(below, key=lambda p: p.relative_to(entry).as_posix()):
                _regular_or_refuse(path, root)
                found[path.resolve()] = None
        elif entry.exists():
            raise ConfigError(
                f"recipes path '{label(entry, config.root)}' is not a regular file"
                " (a FIFO, socket or device)",
                where=at or where,
                hint="list the recipe files and folders under 'recipes:' in shelf.yaml",
            )
        else:
            siblings = [p.name for p in entry.parent.iterdir()] if entry.parent.is_dir() else []
            raise ConfigError(
                f"recipes path '{label(entry, config.root)}' does not exist",
                where=at or where,
                hint=did_you_mean(entry.name, siblings)
                or "create it, or list the recipe files and folders under 'recipes:' in shelf.yaml",
            )
    if not found:
        shown = ", ".join(label(e, config.root) for e in config.recipes)
        raise ConfigError(
            f"no recipe files (*.yaml, *.yml) under {shown}",
            where=where,
            hint="write a recipe there, or run 'shelf init' for a starting point",
        )
    return list(found)


def _inside_or_refuse(entry: Path, root: Path, where: str | Source | None) -> None:
    """A ``recipes:`` entry stays inside the repository, as written and once its symlinks are followed."""
    try:
        resolved = entry.resolve()
    except (OSError, RuntimeError):
        resolved = entry
    written = Path(os.path.normpath(entry.absolute()))
    if not (_within(written, root) and _within(resolved, root)):
        raise ConfigError(
            f"recipes path '{entry.as_posix()}' is outside the catalog repository ({root})",
            where=where,
            hint="list folders and files inside the folder of shelf.yaml under 'recipes:'",
        )


def _regular_or_refuse(path: Path, root: Path) -> None:
    """A file named like a recipe below a recipes folder is a recipe, or an error: never skipped."""
    name = path.relative_to(root).as_posix() if _within(path, root) else path.as_posix()
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise ConfigError(
            "the recipe file is a symlink that leads nowhere (its target is missing, or it loops)",
            where=name,
            hint="point it at a recipe inside the repository, or remove it",
        ) from None
    if not _within(resolved, root):
        raise ConfigError(
            f"the recipe file is a symlink to {resolved}, outside the catalog repository",
            where=name,
            hint="copy the recipe into the repository instead of linking to it",
        )
    if not resolved.is_file():
        raise ConfigError(
            "the recipe file is not a regular file (a FIFO, socket or device)",
            where=name,
            hint="remove it, or rename it so that it does not end in .yaml or .yml",
        )


def _within(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def label(path: Path, root: Path) -> str:
    """How messages name a file: relative to the catalog's root when inside it, else absolute."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def recipes_digest(config: Config) -> str:
    """``sha256:<hex>`` over every recipe file's name and bytes, so a saved plan knows its recipes."""
    digest = hashlib.sha256()
    for path in recipe_files(config):
        data = path.read_bytes()
        name = label(path, config.root).encode()
        digest.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big") + data)
    return "sha256:" + digest.hexdigest()


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
