"""Stock on Emporix: the availability service (``availability.api.yml``), one record per product and
site, whose ``stockLevel`` is a variant's stock (a product without options: the product's own).

* Only the target's ``site`` is read and written. A recipe without ``stock`` leaves the shop's stock
  alone (see docs/decisions/004-unmanaged-stock.md); one with ``stock`` owns it.
* Reads: a plan lists the site's availabilities (``GET .../availability/site/{site}``, paged; the route
  documents ``X-Total-Count`` as an answer header only, so it is not asked for); a read of known
  products searches their ids (``POST .../availability/search?site=``), 50 per request.
* Writes: one product's changed stock levels go in one request: ``PUT .../availability/{productId}/
  {site}`` for one, ``PUT .../availability/bulk`` for several (at most 200 per request). The reference
  does not say whether an upsert keeps fields it does not send, so each write sends back the fields the
  record was read with (``available``, ``popularity``, ``distributionChannel``, mixins): right whether
  an upsert merges or replaces. ``available`` is not set by shelf.
* A variant or product shelf deletes loses its availability records too (``DELETE`` per record read).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from engine.errors import PlatformError
from engine.http import decode_json
from engine.model import Variant
from engine.platforms.emporix.api import Doc, EmporixApi, all_of, bulk_failures

CHUNK = 50
KEPT = ("available", "popularity", "distributionChannel", "mixins")


def stock_of(record: Mapping[str, Any] | None) -> int | None:
    """A record's stock level as a whole number (None without a record or a level)."""
    level = (record or {}).get("stockLevel")
    if isinstance(level, bool) or not isinstance(level, int | float | Decimal):
        return None
    return int(level)


def _body(record: Mapping[str, Any] | None, stock: int) -> Doc:
    body: Doc = {k: record[k] for k in KEPT if record and k in record}
    mixins = ((record or {}).get("metadata") or {}).get("mixins")
    if mixins:
        body["metadata"] = {"mixins": dict(mixins)}
    body["stockLevel"] = stock
    return body


class StockReads:
    def __init__(self, api: EmporixApi, site: str):
        self.api = api
        self.site = site

    def _path(self, rest: str) -> str:
        return self.api.path("availability", f"availability/{rest}")

    async def site_records(self) -> dict[str, Doc]:
        found = await self.api.list_all(self._path(f"site/{self.site}"), ask_total=False)
        return {str(r["productId"]): r for r in found if r.get("productId") and r.get("site") == self.site}

    async def of(self, product_ids: Sequence[str]) -> dict[str, Doc]:
        unique = list(dict.fromkeys(product_ids))
        chunks = [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]
        answers = await all_of(
            *(self.api.call("POST", self._path("search"), params={"site": self.site}, body=c) for c in chunks)
        )
        found: dict[str, Doc] = {}
        for answer in answers:
            body = decode_json(answer)
            for record in body if isinstance(body, list) else []:
                if isinstance(record, dict) and record.get("site") == self.site and record.get("productId"):
                    found[str(record["productId"])] = record
        return found


class StockWrites(StockReads):
    async def write(
        self,
        items: Iterable[tuple[Variant, str]],
        live: Mapping[str, Doc],
        gathered: Callable[[list[Doc]], Awaitable[list[Doc]]] | None = None,
    ) -> None:
        """Set the stock of each (variant, product id) whose recipe gives one that differs from ``live``;
        ``gathered`` sends the records with other products' (and is called even with none)."""
        changed = [
            (variant, item)
            for variant, item in items
            if variant.stock is not None and stock_of(live.get(item)) != variant.stock
        ]
        bodies = []
        for variant, item in changed:
            assert variant.stock is not None
            bodies.append({"productId": item, "site": self.site, **_body(live.get(item), variant.stock)})
        if gathered is not None:
            results = await gathered(bodies)
        elif bodies:
            results = await self.send(bodies)
        else:
            return
        failed = bulk_failures(results, [f"stock of {v.label}" for v, _ in changed])
        if failed:
            hint = "fix the values named above in the recipe, then plan again"
            raise PlatformError("; ".join(failed), hint=hint)

    async def send(self, bodies: list[Doc]) -> list[Doc]:
        """Records (with ``productId`` and ``site``) as bulk requests, or one as its own ``PUT``."""
        if len(bodies) > 1:
            return await self.api.bulk(self._path("bulk"), bodies)
        body = {k: v for k, v in bodies[0].items() if k not in ("productId", "site")}
        await self.api.put(self._path(f"{bodies[0]['productId']}/{self.site}"), body)
        return [{"index": 0, "code": 204}]

    async def remove(self, product_ids: Iterable[str], live: Mapping[str, Doc]) -> None:
        """Delete the records read for ``product_ids`` (products and variants shelf deletes)."""
        await all_of(*(self.api.delete(self._path(f"{p}/{self.site}")) for p in product_ids if p in live))
