"""The places where ``apps-api.md`` allows more than one reading, each switchable in the xPage emulator.

A provider must be right whichever reading a real shop follows, so shelf's tests run it against each.
The default of every switch is the strictest reading (the one a client can rely on least):

``file_links``
    ``reference`` (default): ``POST /file`` with ``fileable_type``/``fileable_id`` associates the file
    with its owner (``GET /file?fileable_id=...`` lists it), but a product's ``images`` and a variant's
    ``image`` and ``file`` are only what product writes reference by id (``metadata.images``,
    ``variants[].image``, ``variants[].file``) plus the ``images[]``/``files[]`` parts of the write
    itself: the document says images "reference file UUIDs from previously uploaded files".
    ``gallery``: such a link also appends an image to the product's ``images`` (role ``product_images``)
    or makes the file the variant's image or digital file.
``updates``
    ``strict`` (default): "only provided fields are updated" item by item. Options and variants with an
    ``id`` are updated, without one created; items left out of a list stay. Properties and option
    values, which the document gives no ``id`` to write, are matched by name and by value text, and
    those left out stay too. Images named in ``metadata.images`` are placed in that order; the others
    stay until unlinked or deleted through the files API.
    ``replace``: a list that is sent is the whole new set; items left out are deleted (files are
    unlinked, never deleted).
``search``
    ``fulltext`` (default): the product list's ``search`` is a full-text search as the document names
    it: title, description and slug are cut into words of letters and digits, words shorter than 3
    characters are not indexed, a product matches when it holds any word of the query, and results are
    ranked by how many of the query's words they hold (then by ``order_by``).
    ``substring``: a case-insensitive substring of title, description or slug.

The readings are kept in the shop's database, so every app on the same file (an in-process sandbox and a
served one) follows the same; a reset of the shop leaves them as they are.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from engine.sandbox.responses import FieldErrors

CHOICES: Mapping[str, tuple[str, ...]] = {
    "file_links": ("reference", "gallery"),
    "updates": ("strict", "replace"),
    "search": ("fulltext", "substring"),
}
"""Each switch and its readings, the default first."""

MIGRATION = (
    "CREATE TABLE xpage_readings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "ALTER TABLE xpage_file_links ADD COLUMN placed INTEGER NOT NULL DEFAULT 1",
)
"""The readings table, and whether a file link shows on its owner (``placed``) or only associates."""


@dataclass(frozen=True)
class Readings:
    file_links: str = CHOICES["file_links"][0]
    updates: str = CHOICES["updates"][0]
    search: str = CHOICES["search"][0]

    @property
    def links_place(self) -> bool:
        """Whether ``POST /file`` puts the file on its owner (the ``gallery`` reading)."""
        return self.file_links == "gallery"

    @property
    def lists_replace(self) -> bool:
        return self.updates == "replace"

    @property
    def fulltext(self) -> bool:
        return self.search == "fulltext"

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def problems(wanted: Mapping[str, object]) -> FieldErrors:
    """What is wrong with a ``{switch: reading}`` mapping, by switch."""
    errors: FieldErrors = {}
    for name, value in wanted.items():
        if name not in CHOICES:
            errors[name] = [f"unknown switch; the switches are {', '.join(CHOICES)}"]
        elif value not in CHOICES[name]:
            errors[name] = [f"must be one of: {', '.join(CHOICES[name])}"]
    return errors


def load(db: sqlite3.Connection) -> Readings:
    """The readings the shop in ``db`` follows (defaults for switches never set)."""
    stored = {r[0]: r[1] for r in db.execute("SELECT name, value FROM xpage_readings")}
    return replace(Readings(), **{k: v for k, v in stored.items() if k in CHOICES})


def save(db: sqlite3.Connection, wanted: Mapping[str, str]) -> None:
    """Set the given switches (checked with :func:`problems` first)."""
    db.executemany(
        "INSERT INTO xpage_readings (name, value) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        list(wanted.items()),
    )
