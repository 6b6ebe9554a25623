"""Recipe files -> raw items: strict YAML, then the schema, each item remembering its file and place.

An item the schema rejects is kept (marked not ``ok``) so that its key still counts for duplicate and
reference checks: one misspelt field must not also report every product of that category as pointing at
an unknown category.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.documents import fast_schema
from engine.documents.checking import PathT, part_errors, schema_problems
from engine.documents.problems import Problem
from engine.documents.reading import MAX_RECIPE_BYTES, UnreadableDocument, read_document
from engine.documents.schema import validator
from engine.documents.strict_yaml import MDict, MList, YamlSyntaxError, load_yaml
from engine.errors import Source
from engine.model import COLLECTIONS, KIND_OF_COLLECTION
from engine.recipes.file_cache import FileRecord, RecipeCache, cached_items
from engine.recipes.files import label, recipe_files

if TYPE_CHECKING:
    from engine.config import Config


@dataclass
class RawItem:
    """One item as written: its mapping (with places), the recipe file it is in, and whether it is valid."""

    collection: str
    index: int
    data: MDict
    path: Path
    ok: bool = True
    built: dict[str, Any] = field(default_factory=dict)
    """The model object built from it, by the ``vars`` it was built with (engine.recipes.file_cache)."""
    cached: bool = False
    """Read from the cache: ``data`` holds only the fields the checks across items read."""
    added: bool = False
    """Built anew this run, so its file's cache entry is written again."""

    @property
    def kind(self) -> str:
        return KIND_OF_COLLECTION[self.collection]

    @property
    def key(self) -> str | None:
        key = self.data.get("key")
        return key if isinstance(key, str) else None

    @property
    def source(self) -> Source:
        return self.data.source

    @property
    def name(self) -> str:
        """How messages name the item: ``product 'classic-tee'``."""
        return f"{self.kind} '{self.key}'" if self.key else f"{self.kind} #{self.index + 1}"

    @property
    def targets(self) -> tuple[str, ...] | None:
        targets = self.data.get("targets")
        if isinstance(targets, list):
            return tuple(str(t) for t in targets)
        return None

    def goes_to(self, target: str) -> bool:
        targets = self.targets
        return targets is None or target in targets


@dataclass
class Parsed:
    items: list[RawItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    """The files read without a problem (what the cache may record)."""
    cached: bool = False
    """Some items came from the cache."""


def parse_recipes(config: Config, cache: RecipeCache | None = None) -> Parsed:
    """Read and schema-check every recipe file of the catalog, in order; with a ``cache``, a file that
    did not change is not read, its items come from the cache."""
    parsed = Parsed()
    for path in recipe_files(config):
        name = label(path, config.root)
        entry = cache.entry(name, path) if cache is not None else None
        try:
            stat = os.stat(path)
        except OSError:
            entry, size, mtime_ns = None, -1, -1
        else:
            size, mtime_ns = stat.st_size, stat.st_mtime_ns
        if entry is not None and (entry.get("size"), entry.get("mtime_ns")) == (size, mtime_ns):
            record = FileRecord(name, path, str(entry.get("digest")), size, mtime_ns)
            if _from_cache(parsed, entry, record):
                continue
        try:
            text = read_document(path, MAX_RECIPE_BYTES)
        except UnreadableDocument as exc:
            where = Source(name, exc.line, exc.col)
            parsed.problems.append(Problem(where, f"cannot read the recipe file: {exc.reason}", exc.hint))
            continue
        if cache is not None:
            cache.read += 1
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        record = FileRecord(name, path, digest, size, mtime_ns)
        if entry is not None and entry.get("digest") == digest and _from_cache(parsed, entry, record):
            for item in record.items:
                item.added = True  # the same bytes at a new time: record the time
            continue
        items, problems = parse_text(text, name, path)
        parsed.items.extend(items)
        parsed.problems.extend(problems)
        if not problems and all(item.ok for item in items):
            record.items = items
            parsed.files.append(record)
    return parsed


def _from_cache(parsed: Parsed, entry: dict[str, Any], record: FileRecord) -> bool:
    items = cached_items(entry, record.path)
    if items is None:
        return False
    for item in items:
        item.cached = True
    record.items, record.cached = items, True
    parsed.items.extend(items)
    parsed.files.append(record)
    parsed.cached = True
    return True


def parse_text(text: str, name: str, path: Path) -> tuple[list[RawItem], list[Problem]]:
    """One recipe file's items and problems. ``name`` is how messages name the file."""
    try:
        document, yaml_problems = load_yaml(text, name)
    except YamlSyntaxError as exc:
        return [], [Problem(exc.problem.source, exc.problem.message)]
    problems = [Problem(p.source, p.message) for p in yaml_problems]
    if document is None:
        return [], problems
    located = _schema_problems(document, Source(name, 1, 1))
    bad_items = {path[:2] for path, _ in located if len(path) >= 2}
    problems.extend(problem for _, problem in located)
    items: list[RawItem] = []
    if isinstance(document, MDict):
        for collection in COLLECTIONS:
            entries = document.get(collection)
            if not isinstance(entries, MList):
                continue
            for index, entry in enumerate(entries):
                if isinstance(entry, MDict):
                    ok = (collection, index) not in bad_items
                    items.append(RawItem(collection, index, entry, path, ok))
    return items, problems


def _schema_problems(document: Any, root: Source) -> list[tuple[PathT, Problem]]:
    """The schema's problems, from jsonschema for the parts the compiled validator refuses only: the
    file's own fields, and each item that fails."""
    if fast_schema.is_valid("recipe", document):
        return []
    if not isinstance(document, MDict):
        return schema_problems(document, "recipe", root, _owner(document))
    skeleton = MDict(document.source)
    for key, value in document.items():
        skeleton[key] = MList(value.source) if key in COLLECTIONS and isinstance(value, MList) else value
    errors = list(validator("recipe").iter_errors(skeleton))
    for collection in COLLECTIONS:
        entries = document.get(collection)
        if not isinstance(entries, MList):
            continue
        kind = KIND_OF_COLLECTION[collection]
        for index, entry in enumerate(entries):
            if not fast_schema.is_valid("recipe", entry, kind):
                errors.extend(part_errors("recipe", entry, (collection, index), kind))
    return schema_problems(document, "recipe", root, _owner(document), errors)


def _owner(document: Any) -> Any:
    def owner(path: PathT) -> tuple[str, int]:
        if len(path) >= 2 and path[0] in KIND_OF_COLLECTION and isinstance(path[1], int):
            kind = KIND_OF_COLLECTION[str(path[0])]
            try:
                key = document[path[0]][path[1]].get("key")
            except (AttributeError, IndexError, KeyError, TypeError):
                key = None
            return (f"{kind} '{key}'" if isinstance(key, str) else f"{kind} #{path[1] + 1}"), 2
        return "the recipe file", 0

    return owner
