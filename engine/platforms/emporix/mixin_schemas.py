"""The schemas of shelf's mixins, kept in Emporix's Schema service and referenced by their hosted URL.

Emporix's mixin guide says a mixin's schema is hosted and its URL goes in ``metadata.mixins``; for
products, media and coupons the Schema service (``schema.api.yml``) makes and hosts it. shelf keeps one
schema per kind under a fixed id (``shelf-product``, ``shelf-media``, ``shelf-coupon``, chosen by
shelf as ``SchemaCreation`` allows), so a create is made once
(:meth:`engine.platforms.emporix.api.EmporixApi.create`): after a 5xx or a lost answer the schema is
looked up by its id, and a schema found is used (and extended when it lacks a property).

* A product's ``properties`` is an ``OBJECT`` whose attributes are the property names recipes use.
  The service describes attributes, not open maps, so a new property name is a schema update, which
  releases a new version under a new URL. Attributes are only ever added: products written under an
  earlier version keep a schema that describes them.
* Requests: a plan reads the schemas in one list request; an apply creates a missing schema with
  ``POST`` and updates one lacking a property with ``PUT`` (with its version), each followed by one
  ``GET`` for the URL, since both answer without it. Nothing is sent while the schemas are as wanted.
* The URL written is the one the service answers in ``metadata.url`` for the version it holds now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from engine.errors import PlatformError
from engine.platforms.emporix.api import READ_MAPS, WRITE_MAPS, Doc, EmporixApi

PRODUCT = "product"
MEDIA = "media"
COUPON = "coupon"
IDS = {PRODUCT: "shelf-product", MEDIA: "shelf-media", COUPON: "shelf-coupon"}
TYPES = {PRODUCT: "PRODUCT", MEDIA: "MEDIA", COUPON: "COUPON"}


def _text(key: str, *, localized: bool = False) -> Doc:
    return {"key": key, "name": {"en": key}, "type": "TEXT", "metadata": {"localized": localized}}


def attributes(kind: str, properties: Iterable[str] = ()) -> list[Doc]:
    """The attributes of ``kind``'s schema (a product's with one per property name)."""
    if kind == PRODUCT:
        names = sorted(set(properties))
        return [
            _text("sku"),
            _text("seoTitle", localized=True),
            _text("seoDescription", localized=True),
            {
                "key": "properties",
                "name": {"en": "properties"},
                "type": "OBJECT",
                "metadata": {},
                "attributes": [_text(name) for name in names],
            },
            {"key": "digital", "name": {"en": "digital"}, "type": "BOOLEAN", "metadata": {}},
        ]
    if kind == MEDIA:
        return [
            _text("product"),
            _text("ref"),
            _text("sha256"),
            {"key": "position", "name": {"en": "position"}, "type": "NUMBER", "metadata": {}},
            {
                "key": "role",
                "name": {"en": "role"},
                "type": "ENUM",
                "metadata": {},
                "values": [{"value": v} for v in ("image", "variant_image", "file")],
            },
            {
                "key": "variants",
                "name": {"en": "variants"},
                "type": "ARRAY",
                "metadata": {},
                "arrayType": {"type": "TEXT"},
            },
        ]
    return [_text("key")]


def property_names(doc: Mapping[str, Any] | None) -> frozenset[str]:
    """The property names a product schema as read describes."""
    for attribute in (doc or {}).get("attributes") or []:
        if isinstance(attribute, Mapping) and attribute.get("key") == "properties":
            return frozenset(
                str(a.get("key")) for a in attribute.get("attributes") or [] if isinstance(a, Mapping)
            )
    return frozenset()


class MixinSchemas:
    """shelf's three schemas of one tenant: read with a plan, made or extended on first use in an apply."""

    def __init__(self, api: EmporixApi):
        self.api = api
        self.live: dict[str, Doc] | None = None
        self.properties: frozenset[str] = frozenset()
        """Every property name the recipes for this target use (set when a plan is prepared)."""
        self._locks = {kind: asyncio.Lock() for kind in IDS}

    def _path(self, schema_id: str | None = None) -> str:
        return self.api.path("schema", f"schemas/{schema_id}" if schema_id else "schemas")

    async def read(self) -> None:
        found = await self.api.list_all(self._path(), headers=READ_MAPS)
        ours = {schema_id: kind for kind, schema_id in IDS.items()}
        self.live = {ours[str(d["id"])]: d for d in found if str(d.get("id")) in ours}

    def pending(self, properties: Collection[str], kinds: Collection[str]) -> list[str]:
        """What an apply will change in the schemas of ``kinds`` (the mixins the plan's writes carry),
        as plan notes (only known after :meth:`read`)."""
        if self.live is None:
            return []
        notes = []
        for kind, schema_id in IDS.items():
            if kind in kinds and kind not in self.live:
                notes.append(f"the mixin schema {schema_id} is created in Emporix's Schema service")
        product = self.live.get(PRODUCT)
        missing = sorted(set(properties) - property_names(product))
        if product is not None and missing:
            notes.append(
                f"the mixin schema {IDS[PRODUCT]} gains the propert{'y' if len(missing) == 1 else 'ies'} "
                + ", ".join(missing)
                + " (a new version in Emporix's Schema service)"
            )
        return notes

    async def url(self, kind: str, properties: Collection[str] = ()) -> str:
        """The hosted URL of ``kind``'s schema, made or extended first when it lacks ``properties``."""
        async with self._locks[kind]:
            if self.live is None:
                await self.read()
            assert self.live is not None
            current = self.live.get(kind)
            wanted = set(properties) | set(self.properties) if kind == PRODUCT else set()
            if current is None:
                current = await self._create(kind, wanted)
            elif kind == PRODUCT and not wanted <= property_names(current):
                current = await self._extend(current, wanted | property_names(current))
            self.live[kind] = current
            url = (current.get("metadata") or {}).get("url")
            if not isinstance(url, str) or not url:
                raise PlatformError(
                    f"the schema {IDS[kind]} was answered without metadata.url",
                    hint="the answer is not what the reference describes; report it to the platform",
                )
            return url

    def _body(self, kind: str, properties: Collection[str]) -> Doc:
        return {
            "name": {"en": f"shelf {kind}"},
            "types": [TYPES[kind]],
            "attributes": attributes(kind, properties),
        }

    async def _find(self, schema_id: str) -> Doc | None:
        found = await self.api.get(self._path(schema_id), headers=READ_MAPS)
        return found if isinstance(found, dict) else None

    async def _get(self, schema_id: str) -> Doc:
        found = await self._find(schema_id)
        if found is None:
            raise PlatformError(
                f"the schema {schema_id} is not in the shop after it was written", hint="plan again"
            )
        return found

    async def _create(self, kind: str, properties: Collection[str]) -> Doc:
        schema_id = IDS[kind]
        body = {"id": schema_id, **self._body(kind, properties)}
        found = await self.api.create(
            lambda: self.api.post(self._path(), body, headers=WRITE_MAPS), lambda: self._find(schema_id)
        )
        if found is None:
            return await self._get(schema_id)
        if kind == PRODUCT and not set(properties) <= property_names(found):
            return await self._extend(found, set(properties) | property_names(found))
        return found

    async def _extend(self, current: Doc, properties: Collection[str]) -> Doc:
        schema_id = str(current["id"])
        version = (current.get("metadata") or {}).get("version")
        body = {**self._body(PRODUCT, properties), "metadata": {"version": version}}
        await self.api.put(self._path(schema_id), body, headers=WRITE_MAPS)
        return await self._get(schema_id)
