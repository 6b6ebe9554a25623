"""Which files are recipes, in which order, how messages name them, and their digest.

The order is sorted by path so that every run, on every machine, reads the same recipes in the same order:
error lists, catalogs and plans come out identical. Hidden files and folders (``.name``) are skipped, so
editor backups and ``.shelf/`` never count as recipes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from engine.documents.problems import did_you_mean
from engine.errors import ConfigError

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
    for index, entry in enumerate(config.recipes):
        if entry.is_file():
            found[entry.resolve()] = None
        elif entry.is_dir():
            below = (
                p
                for p in entry.rglob("*")
                if p.suffix in SUFFIXES and p.is_file() and not _hidden(p.relative_to(entry))
            )
            for path in sorted(below, key=lambda p: p.relative_to(entry).as_posix()):
                found[path.resolve()] = None
        elif entry.exists():
            raise ConfigError(
                f"recipes path '{label(entry, config.root)}' is not a regular file"
                " (a FIFO, socket or device)",
                where=where,
                hint="list the recipe files and folders under 'recipes:' in shelf.yaml",
            )
        else:
            at = config.recipes_at[index] if index < len(config.recipes_at) else None
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
