"""What each recipe file yielded last time, so a repeat run reads and builds only the files that changed.

One JSON file per recipe file under ``.shelf/cache/recipes/``, holding the recipe's digest (SHA-256 of its
bytes), its size and modification time, and per item the few written fields the checks across files read
(key, targets, parent, category, a promotion's products and categories, renamed_from) and the model
objects it was built into, one per distinct set of target ``vars``.

An entry is used only when everything that shapes what a file yields is the same: the file's bytes (a
file whose size and modification time are unchanged is not read again, as in
:mod:`engine.recipes.hash_cache`, and a file changed within :data:`RACY_SECONDS` of being recorded is not
trusted that way), shelf's version, the schema, the code that reads recipes, the file's name and folder.
Only files whose every item was built without a problem are recorded; and when a run that used the cache
finds any problem at all, the loader checks every file again from its text, so messages always come from
the recipes themselves, never from the cache.

The format is JSON, read without trusting it: an entry that cannot be read, is of another format or
version, or does not decode into the model is ignored and written again. ``pickle`` would be faster to
read but runs code named in the file, and ``.shelf/`` may be shared or come from elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import engine
from engine.documents.schema import schema_path
from engine.documents.strict_yaml import MDict, MList
from engine.errors import Source
from engine.model import Asset, Bundle, Category, Discount, Item, Product, Promotion, Subscription, Variant

if TYPE_CHECKING:
    from engine.config import Config
    from engine.recipes.parse import RawItem

FORMAT = 1
RACY_SECONDS = 2.0
CACHE_FOLDER = Path("cache") / "recipes"
WRITTEN_FIELDS = ("key", "targets", "parent", "category", "categories", "products", "renamed_from")
"""The fields of an item that the checks across items and files read (see engine.recipes.references)."""
_CODE = ("documents", "recipes", "model.py", "errors.py")
_MODEL = (Asset, Bundle, Category, Discount, Product, Promotion, Subscription, Variant)
_CLASSES: dict[str, type] = {cls.__name__: cls for cls in _MODEL}


def vars_key(variables: Any) -> str:
    """Which built version of an item a target's ``vars`` select: equal text, equal items. ``repr``
    keeps ``1.0`` (a number) and ``'1.0'`` (text) apart, since templates may tell them apart."""
    return json.dumps(variables, sort_keys=True, default=repr)


@dataclass
class FileRecord:
    """One recipe file of this run: where it is, what its bytes were, and its items."""

    label: str
    path: Path
    digest: str
    size: int
    mtime_ns: int
    items: list[RawItem] = field(default_factory=list)
    cached: bool = False


class RecipeCache:
    """The entries under ``folder`` for one catalog; ``read`` counts the recipe files read this run."""

    def __init__(self, folder: Path | None, context: str):
        self.folder = folder
        self.context = context
        self.read = 0

    def _entry_path(self, label: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / (hashlib.sha256(label.encode()).hexdigest()[:32] + ".json")

    def entry(self, label: str, path: Path) -> dict[str, Any] | None:
        """The stored entry for the recipe ``label`` at ``path``, if it is readable and of this context."""
        where = self._entry_path(label)
        if where is None:
            return None
        try:
            document = json.loads(where.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return None
        if document.get("context") != self.context or document.get("label") != label:
            return None
        if document.get("folder") != str(path.parent) or not isinstance(document.get("items"), list):
            return None
        return document

    def store(self, record: FileRecord) -> None:
        """Write the entry of one file; a folder that cannot be written just keeps no cache."""
        where = self._entry_path(record.label)
        if where is None:
            return
        racy = time.time_ns() - record.mtime_ns <= RACY_SECONDS * 1e9
        document = {
            "format": FORMAT,
            "context": self.context,
            "label": record.label,
            "folder": str(record.path.parent),
            "digest": record.digest,
            "size": record.size,
            "mtime_ns": None if racy else record.mtime_ns,
            "items": [_encode_raw(item) for item in record.items],
        }
        partial = where.with_name(f"{where.name}.{os.getpid()}.partial")
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
            os.replace(partial, where)
        except OSError:
            partial.unlink(missing_ok=True)


def recipe_cache(config: Config) -> RecipeCache:
    """The catalog's recipe cache under ``.shelf/``."""
    return RecipeCache(config.state_dir / CACHE_FOLDER, _context())


def _context() -> str:
    """What else shapes what a recipe yields: shelf's version, the schema, the code that reads recipes
    (by size and modification time, so a changed checkout never trusts entries of the old code)."""
    digest = hashlib.sha256(f"{FORMAT}:{engine.__version__}".encode())
    digest.update(schema_path("recipe").read_bytes())
    base = Path(engine.__file__).parent
    for name in _CODE:
        for path in sorted(_python_files(base / name)):
            stat = path.stat()
            digest.update(f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _python_files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
    elif path.is_dir():
        yield from path.rglob("*.py")


def cached_items(entry: dict[str, Any], path: Path) -> list[RawItem] | None:
    """The items of a stored entry, or None when it does not decode into the model."""
    from engine.recipes.parse import RawItem

    label = str(entry["label"])
    sources: dict[tuple[int, int], Source] = {}
    try:
        items = []
        for stored in entry["items"]:
            collection, index, line, col, written, builds = stored
            data = _slim(written, sources.setdefault((line, col), Source(label, line, col)))
            decoded = {key: _decode(value, label, sources) for key, value in builds.items()}
            if not all(isinstance(item, Item) for item in decoded.values()):
                return None
            items.append(RawItem(str(collection), int(index), data, path, True, built=decoded))
        return items
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
        return None


def _slim(written: dict[str, Any], source: Source) -> MDict:
    data = MDict(source)
    for name, value in written.items():
        if isinstance(value, list):
            listed = MList(source)
            listed.extend(value)
            listed.item_sources.extend([source] * len(value))
            value = listed
        data[name] = value
        data.key_sources[name] = source
        data.value_sources[name] = source
    return data


def written_only(data: MDict) -> MDict:
    """``data`` cut to :data:`WRITTEN_FIELDS`, each with its place: what the checks across items read
    once the item is built."""
    if data.keys() <= set(WRITTEN_FIELDS):
        return data
    kept = MDict(data.source)
    for name in WRITTEN_FIELDS:
        if name in data:
            kept[name] = data[name]
            kept.key_sources[name] = data.key_sources[name]
            kept.value_sources[name] = data.value_sources[name]
    return kept


def _encode_raw(item: RawItem) -> list[Any]:
    source = item.data.source
    written = {name: item.data[name] for name in WRITTEN_FIELDS if name in item.data}
    builds = {key: _encode(built) for key, built in item.built.items()}
    return [item.collection, item.index, source.line, source.col, written, builds]


def _encode(value: Any) -> Any:
    """A model value as JSON: scalars as they are, everything else a list whose first entry says what
    it is (``d`` Decimal, ``s`` source, ``t`` tuple, ``l`` list, ``m`` mapping, ``c`` model object,
    ``P`` product with its variants as rows)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return ["d", str(value)]
    if isinstance(value, Source):
        return ["s", value.file, value.line, value.col]
    if isinstance(value, Product) and _rows_fit(value):
        return ["P", *(_encode(getattr(value, name)) for name in _PRODUCT_FIELDS), _variant_rows(value)]
    if is_dataclass(value) and type(value).__name__ in _CLASSES:
        return ["c", type(value).__name__, *(_encode(getattr(value, f.name)) for f in fields(value))]
    if isinstance(value, tuple):
        return ["t", *(_encode(v) for v in value)]
    if isinstance(value, list):
        return ["l", *(_encode(v) for v in value)]
    if isinstance(value, dict):
        return ["m", *(part for k, v in value.items() for part in (str(k), _encode(v)))]
    raise TypeError(f"cannot record {type(value).__name__}")


_PRODUCT_FIELDS = tuple(f.name for f in fields(Product) if f.name != "variants")


def _rows_fit(product: Product) -> bool:
    """Whether every variant names the product's options in its order, and is a recipe's (no live id)."""
    names = tuple(name for name, _ in product.options)
    return all(v.live_id is None and tuple(n for n, _ in v.options) == names for v in product.variants)


def _variant_rows(product: Product) -> list[list[Any]]:
    """Each variant as its option values (the names are the product's), then its other fields."""
    rows = []
    for v in product.variants:
        own = _encode(v.own_image) if v.own_image is not None else None
        source = [v.source.line, v.source.col] if v.source is not None else [None, None]
        compare = None if v.compare_price is None else str(v.compare_price)
        values = [choice for _, choice in v.options]
        row = [*values, v.sku, str(v.price), compare, v.stock, v.image, own, v.file, v.barcode, *source]
        rows.append(row)
    return rows


def _decode(value: Any, label: str, sources: dict[tuple[int, int], Source]) -> Any:
    kind = type(value)
    if kind is not list:
        if value is None or kind in (bool, int, str):
            return value
        raise ValueError("not a recorded value")
    tag = value[0]
    if tag == "P":
        return _product(value, label, sources)
    if tag == "m":
        return {str(value[i]): _decode(value[i + 1], label, sources) for i in range(1, len(value), 2)}
    if tag == "t":
        return tuple(_decode(v, label, sources) for v in value[1:])
    if tag == "d":
        return Decimal(value[1])
    if tag == "s":
        _, file, line, col = value
        return Source(str(file), int(line), int(col))
    if tag == "l":
        return [_decode(v, label, sources) for v in value[1:]]
    if tag == "c":
        cls = _CLASSES[value[1]]
        return cls(*(_decode(v, label, sources) for v in value[2:]))
    raise ValueError(f"unknown tag {tag!r}")


def _product(value: list[Any], label: str, sources: dict[tuple[int, int], Source]) -> Product:
    named = dict(zip(_PRODUCT_FIELDS, (_decode(v, label, sources) for v in value[1:-1]), strict=True))
    names = tuple(str(name) for name, _ in named["options"])
    width = len(names)
    variants = []
    for row in value[-1]:
        sku, price, compare, stock, image, own, file, barcode, line, col = row[width:]
        source = None
        if line is not None:
            source = sources.get((line, col)) or sources.setdefault((line, col), Source(label, line, col))
        variants.append(
            Variant(
                tuple(zip(names, row[:width], strict=True)),
                sku,
                Decimal(price),
                None if compare is None else Decimal(compare),
                stock,
                image,
                None if own is None else _decode(own, label, sources),
                file,
                barcode,
                None,
                source,
            )
        )
    return Product(**named, variants=tuple(variants))
