"""Creating and updating xPage products from validated metadata, inside one transaction.

The body has already passed its schema; what is checked here needs the shop: references (category, files,
ids of options, values and variants), uniqueness, and whether the product as it would end up is coherent.
Every problem is collected and reported together; any problem rolls the whole write back.

Readings where the API page is silent:

* A missing ``slug`` is made from the title (``Classic Tee`` -> ``classic-tee``, then ``classic-tee-2``, ...
  when taken); a slug that is sent must be free, else 422 at ``metadata.slug``.
* ``status`` defaults to ``active`` and ``is_digital`` to false.
* When an update sends ``options``, ``variants``, ``properties``, ``images`` or ``ugc_videos``: options
  and variants with ``id`` are updated (only the fields they carry), those without are created;
  properties are matched by name and option values by their text (the document gives them no ``id``
  to write). What happens to items left out is the ``updates`` reading of
  :mod:`engine.sandbox.xpage.readings`: they stay (``strict``, the default), or the list sent is the
  whole new set and they are deleted (``replace``; files are unlinked, not deleted).
* ``default`` (simple products) and ``variants`` (products with options) are exclusive. Sending non-empty
  ``variants`` replaces a product's ``default``; a product with options cannot keep a ``default``, and
  variants need options.
* A variant's ``values`` name one value of every option: ``{order: <the option's order>, value: <one of
  its values>}``; no two variants may have the same values.
* ``images[]`` parts are appended after the images in ``metadata.images`` (or after the existing images
  when the update does not send ``metadata.images``). ``files[]`` parts are linked to the product as
  ``digital_product`` files, and the first becomes the default variant's file when it has none.
* ``metadata.images`` must name image files; ``variants[].image`` too. ``ugc_videos`` may name any file.
* ``metadata.images`` items are ``{id, order}``; a file's alt text is set only by its upload.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from engine.sandbox.responses import invalid
from engine.sandbox.xpage import file_store as files
from engine.sandbox.xpage.variant_write import VariantWrites

SCALAR_COLUMNS = ("title", "slug", "description", "page_title", "meta_description", "status", "category_id")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:240].strip("-") or "product"


class ProductWrite(VariantWrites):
    """One create or update of one product. A problem raises a 422 (and so rolls the transaction back)."""

    def create(self) -> str:
        pid = str(uuid.uuid4())
        fields = {
            "slug": self.meta.get("slug") or self._free_slug(slugify(self.meta["title"])),
            "title": self.meta["title"],
            "description": self.meta.get("description"),
            "page_title": self.meta.get("page_title"),
            "meta_description": self.meta.get("meta_description"),
            "status": self.meta.get("status", "active"),
            "category_id": self.meta.get("category_id"),
            "is_digital": int(self.meta.get("is_digital", False)),
        }
        fields.update(self._refused_scalars(pid, fields))
        columns = ", ".join(fields)
        self.db.execute(
            f"INSERT INTO xpage_products (id, {columns}, stock_tracked, allow_order_when_oos, created_at)"
            f" VALUES (?, {', '.join('?' for _ in fields)}, 1, 0, ?)",
            [pid, *fields.values(), self.now],
        )
        self._write_parts(pid)
        return pid

    def update(self, pid: str) -> None:
        changes = {c: self.meta[c] for c in SCALAR_COLUMNS if c in self.meta}
        if "is_digital" in self.meta:
            changes["is_digital"] = int(self.meta["is_digital"])
        for refused in self._refused_scalars(pid, changes):
            del changes[refused]
        if changes:
            assignments = ", ".join(f"{c} = ?" for c in changes)
            self.db.execute(f"UPDATE xpage_products SET {assignments} WHERE id = ?", [*changes.values(), pid])
        self._write_parts(pid)

    def _write_parts(self, pid: str) -> None:
        known_problems = len(self.errors)
        if "options" in self.meta:
            self._options(pid, self.meta["options"])
        if "default" in self.meta and self.meta.get("variants"):
            self.error(
                "metadata.default",
                "default and variants are exclusive: a product with options sells variants",
            )
        if len(self.errors) == known_problems:  # variants are checked against options that hold together
            if "variants" in self.meta:
                self._variants(pid, self.meta["variants"])
            if "default" in self.meta:
                self._default(pid, self.meta["default"])
        self._images(pid)
        if "ugc_videos" in self.meta:
            self._links(pid, "ugc_video", self.meta["ugc_videos"], "metadata.ugc_videos", image=False)
        self._digital_files(pid)
        if "properties" in self.meta:
            self._properties(pid, self.meta["properties"])
        if not self.errors:
            self._check_coherent(pid)
        if self.errors:
            raise invalid(self.errors)

    # -- product fields -------------------------------------------------------------------------------

    def _refused_scalars(self, pid: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Record what is wrong with the product's own fields; returns stand-ins for the refused ones, so
        the rest of the write can still be checked (and reported) before it is rolled back."""
        refused: dict[str, Any] = {}
        category = fields.get("category_id")
        if category is not None and not self._exists("xpage_categories", category):
            self.error("metadata.category_id", "no category with this id")
            refused["category_id"] = None
        slug = fields.get("slug")
        if slug is not None:
            taken = self.db.execute(
                "SELECT 1 FROM xpage_products WHERE slug = ? AND id != ?", (slug, pid)
            ).fetchone()
            if taken:
                self.error("metadata.slug", f"the slug {slug!r} is already taken by another product")
                refused["slug"] = pid
        return refused

    def _free_slug(self, base: str) -> str:
        slug, n = base, 1
        while self.db.execute("SELECT 1 FROM xpage_products WHERE slug = ?", (slug,)).fetchone():
            n += 1
            slug = f"{base}-{n}"
        return slug

    def _images(self, pid: str) -> None:
        if "images" in self.meta:
            self._links(pid, "product_images", self.meta["images"], "metadata.images", image=True)
        for upload in self.images:
            file_id = files.insert_file(self.db, upload, alt=None, now=self.now)
            files.link(self.db, file_id, "product", pid, "product_images")

    def _digital_files(self, pid: str) -> None:
        first: str | None = None
        for upload in self.digital:
            file_id = files.insert_file(self.db, upload, alt=None, now=self.now)
            files.link(self.db, file_id, "product", pid, "digital_product")
            first = first or file_id
        default = self.db.execute(
            "SELECT id FROM xpage_variants WHERE product_id = ? AND is_default = 1", (pid,)
        ).fetchone()
        if (
            first is not None
            and default is not None
            and not files.linked(self.db, "variant", default["id"], "digital_product")
        ):
            files.link(self.db, first, "variant", default["id"], "digital_product", 0)

    # -- properties -----------------------------------------------------------------------------------

    def _properties(self, pid: str, items: Sequence[Mapping[str, Any]]) -> None:
        existing = {
            r["name"]: r["id"]
            for r in self.db.execute("SELECT id, name FROM xpage_properties WHERE product_id = ?", (pid,))
        }
        kept: list[str] = []
        names: set[str] = set()
        for i, item in enumerate(items):
            key = f"metadata.properties.{i}"
            if item["name"].casefold() in names:
                self.error(f"{key}.name", f"the property {item['name']!r} is given twice")
                continue
            names.add(item["name"].casefold())
            pid_ = existing.get(item["name"]) or str(uuid.uuid4())
            kept.append(pid_)
            self.db.execute(
                "INSERT INTO xpage_properties (id, product_id, name, value, ord) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET"
                " name = excluded.name, value = excluded.value, ord = excluded.ord",
                (pid_, pid, item["name"], item["value"], i),
            )
        gone = [p for p in existing.values() if p not in kept] if self.readings.lists_replace else []
        self.db.executemany("DELETE FROM xpage_properties WHERE id = ?", [(p,) for p in gone])
