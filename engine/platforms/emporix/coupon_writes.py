"""Writing coupons (see :mod:`engine.platforms.emporix.coupons` for the mapping).

Coupons have no upsert: a new one is a ``POST``, made once
(:meth:`engine.platforms.emporix.api.EmporixApi.create`): after a 5xx or a lost answer the coupon is
read by its code and the ``POST`` sent again only when it is not there; a coupon found (the lost create,
or one that held the code already) is replaced instead (a code held by a deleted coupon is an error:
Emporix keeps it taken). An update replaces the coupon (``PUT ?partial=false``) from the coupon read, with its
version, retried from a fresh read after a 409. A changed code is a new coupon and the old one's (soft)
deletion.
"""

from __future__ import annotations

from engine.errors import PlatformError
from engine.model import Promotion
from engine.platforms.emporix.api import Doc, EmporixApi
from engine.platforms.emporix.coupons import coupon_doc
from engine.platforms.emporix.mixin_schemas import COUPON, MixinSchemas
from engine.platforms.emporix.settings import Settings
from engine.platforms.emporix.writes import with_fresh_reads


class CouponWrites:
    def __init__(self, api: EmporixApi, settings: Settings, schemas: MixinSchemas):
        self.schemas = schemas
        self.api = api
        self.settings = settings

    def _path(self, code: str) -> str:
        return self.api.path("coupon", f"coupons/{code}")

    async def get(self, code: str) -> Doc | None:
        found = await self.api.get(self._path(code))
        return found if isinstance(found, dict) else None

    async def write(self, promotion: Promotion, category_ids: list[str], live: Doc | None) -> None:
        """Make the coupon of ``promotion`` (``live``: its coupon as read, None for a new one)."""
        code = str(promotion.code)
        if live is not None and str(live.get("code")) == code:
            await self._replace(promotion, category_ids, live)
            return
        url = await self.schemas.url(COUPON)
        body = {"code": code, **coupon_doc(promotion, None, category_ids, self.settings, url)}
        found = await self.api.create(
            lambda: self.api.post(self.api.path("coupon", "coupons"), body), lambda: self.get(code)
        )
        if found is not None:
            if found.get("deleted"):
                raise PlatformError(
                    f"coupon code {code} is taken by a deleted coupon",
                    status=409,
                    hint="Emporix keeps deleted coupons' codes taken: choose another code",
                )
            await self._replace(promotion, category_ids, found)
        if live is not None:
            await self.delete(str(live["code"]))

    async def _replace(self, promotion: Promotion, category_ids: list[str], live: Doc) -> None:
        code = str(promotion.code)

        async def write(current: Doc | None) -> None:
            if current is None:
                raise PlatformError(f"coupon {code} is no longer in the shop", hint="plan again", status=404)
            body = coupon_doc(promotion, current, category_ids, self.settings, await self.schemas.url(COUPON))
            await self.api.put(self._path(code), body, params={"partial": "false"})

        await with_fresh_reads(write, lambda: self.get(code), live)

    async def delete(self, code: str) -> None:
        await self.api.delete(self._path(code))
