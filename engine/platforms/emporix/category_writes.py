"""Writing categories: an upsert by id, written from the category read so the shop's other fields stay
(see :mod:`engine.platforms.emporix.categories`), retried from a fresh read after a 409.

The ``publish`` parameter goes with every write, equal to the body's ``published``: the reference says
it must match and defaults to ``false``, so a published category written without it would be refused
(or unpublished) under a strict reading."""

from __future__ import annotations

from typing import Any

from engine.model import Category
from engine.platforms.emporix.api import READ_MAPS, WRITE_MAPS, Doc, EmporixApi
from engine.platforms.emporix.categories import category_doc
from engine.platforms.emporix.settings import Settings
from engine.platforms.emporix.writes import with_fresh_reads


class CategoryWrites:
    def __init__(self, api: EmporixApi, settings: Settings):
        self.api = api
        self.settings = settings

    def _path(self, category_id: str) -> str:
        return self.api.path("category", f"categories/{category_id}")

    async def get(self, category_id: str) -> Doc | None:
        found = await self.api.get(
            self._path(category_id), params={"showUnpublished": "true"}, headers=READ_MAPS
        )
        return found if isinstance(found, dict) else None

    async def write(
        self, category: Category, category_id: str, live: Doc | None, parent_id: str | None
    ) -> None:
        """Create or update the category ``category_id`` (``live``: as read; None for a new one)."""

        async def write(current: Doc | None) -> None:
            body = category_doc(category, current, parent_id, self.settings)
            if current is not None and _projection(body) == _projection(current):
                return
            publish = "true" if body.get("published") else "false"
            await self.api.put(self._path(category_id), body, params={"publish": publish}, headers=WRITE_MAPS)

        await with_fresh_reads(write, lambda: self.get(category_id), live)

    async def delete(self, category_id: str) -> None:
        await self.api.delete(self._path(category_id))


def _projection(doc: Doc) -> Any:
    return (dict(doc.get("localizedName") or {}), doc.get("parentId") or None)
