"""The Partner API provider: a chain's vendors (stores) as one target, products keyed by SKU.

Reading lists every target vendor's catalog (:mod:`engine.platforms.partner.read`); writes are batched
(:mod:`engine.platforms.partner.writes`) through :meth:`PartnerProvider.apply_batch`, which the core uses
instead of one ``apply`` per change; promotions are upserts (:mod:`engine.platforms.partner.promotions`).
What cannot be read back (promotions, quantities) lives in the target's ledger (:mod:`engine.ledger`).
Every write is a job, waited for at most ``wait`` seconds (``shelf apply --wait``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar

import httpx

from engine.config import Config, Target
from engine.errors import ConfigError, PlanError, PlanErrors, PlatformError, ShelfError
from engine.http import BearerAuth, HttpClient
from engine.ledger import Ledger, ledger_path
from engine.model import Catalog, Promotion
from engine.plan.model import Change
from engine.plan.serial import item_from_dict, item_to_dict
from engine.platforms.base import AddressFilter, AddressSet, Capabilities, LiveState
from engine.platforms.partner.api import PartnerApi, Row
from engine.platforms.partner.jobs import JobWaiter
from engine.platforms.partner.prepare import Prepared, prepare_catalog, promotion_skus
from engine.platforms.partner.promotions import (
    PROMOTIONS,
    failures,
    from_ledger,
    identity,
    promotion_body,
    to_ledger,
)
from engine.platforms.partner.read import live_product, row_digest, unknown_product
from engine.platforms.partner.writes import Settings, failure, plan_work, run_work
from engine.secrets import Secret
from engine.throttle import RequestBudget, ThrottledTransport, budget_file

SANDBOX_TOKEN = "sandbox"
SANDBOX_CHAIN = "sandbox"
SANDBOX_LOCALES = {"en": "en_AE", "ar": "ar_AE"}
DEFAULT_RATE = 60
DEFAULT_WAIT = 300.0


class PartnerProvider:
    platform: ClassVar[str] = "partner"
    capabilities: ClassVar[Capabilities] = Capabilities(
        managed=frozenset({"products", "promotions"}),
        deletable=frozenset(),
        referenced=frozenset({"categories"}),
        barcodes=True,
        images_by_url=True,
    )

    def __init__(self, target: Target, http: HttpClient, ledger: Ledger, settings: Settings):
        self.target = target
        self.api = PartnerApi(http, str(target.settings.get("chain_id") or SANDBOX_CHAIN))
        self.ledger = ledger
        self.settings = settings
        self.wait: float = DEFAULT_WAIT
        self.report: Callable[[str], None] | None = None
        self.plan_notes: list[str] = []
        self._rows: dict[str, dict[str, Row]] = {}
        self._known_categories: set[str] | None = None
        self._full_pages = 0
        self._desired = Catalog()
        self.clock: Callable[[], float] = time.monotonic
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def aclose(self) -> None:
        await self.api.http.aclose()

    def wait_for_work(self, seconds: float, report: Callable[[str], None] | None) -> None:
        """``shelf apply --wait``: how long to wait for each job, and where to say what is awaited."""
        self.wait = seconds
        self.report = report

    def _vendors(self) -> tuple[str, ...]:
        vendors = self.settings.vendors
        if not vendors or "*" in vendors:
            raise PlanError(
                'vendors: ["*"] cannot be read: the Partner API has no endpoint listing a chain\'s vendors'
                if vendors
                else "the target lists no vendors",
                where=self.target.source or self.target.name,
                hint=f"list the vendor ids under targets.{self.target.name}.vendors in shelf.yaml",
            )
        return vendors

    async def read(self, desired: Catalog, only: AddressFilter | None = None) -> LiveState:
        """Every vendor's catalog, concurrently; the vendors' categories when recipes map any."""
        vendors = self._vendors()
        self._desired = desired
        if not await self._read_known(desired, only, vendors):
            listed = await asyncio.gather(*(self.api.catalog(v) for v in vendors))
            self._rows = {
                v: {str(r.get("sku")): r for r in rows} for v, rows in zip(vendors, listed, strict=True)
            }
            self._full_pages = sum(self.api.pages.get(v, 1) for v in vendors)
        if any(p.category in self.settings.category_ids for p in desired.products.values()):
            found = await self.api.categories(vendors[0])
            self._known_categories = {str(c.get("global_id")) for c in found}
        category_keys = {gid: key for key, gid in self.settings.category_ids.items()}
        live = LiveState()
        named: set[str] = set()
        for key, product in desired.products.items():
            skus = [v.sku for v in product.variants if v.sku]
            named.update(skus)
            addr = f"product.{key}"
            if only is not None and not only(addr):
                continue
            held = {s: [self._rows[v].get(s) for v in vendors] for s in skus}
            if not any(r is not None for rows in held.values() for r in rows):
                continue
            live.catalog.products[key] = live_product(
                product,
                held,
                vendors,
                locales=self.settings.locales,
                category_keys=category_keys,
                ledger=self.ledger,
            )
            live.ids[addr] = skus[0]
            live.versions[addr] = row_digest([held[s] for s in skus])
        others: dict[str, list[Row]] = {}
        for vendor in vendors:
            for sku, row in self._rows[vendor].items():
                if sku not in named and sku not in desired.products:
                    others.setdefault(sku, []).append(row)
        for sku, rows in others.items():
            addr = f"product.{sku}"
            if only is None or only(addr):
                live.catalog.products[sku] = unknown_product(sku, rows, self.settings.locales)
                live.ids[addr] = sku
                live.versions[addr] = row_digest(rows)
        for key in desired.promotions:
            entry = self.ledger.get(PROMOTIONS, key)
            if (
                entry
                and entry.get("job_status") == "COMPLETED"
                and (only is None or only(f"promotion.{key}"))
            ):
                live.catalog.promotions[key] = item_from_dict("promotion", entry["promotion"])  # type: ignore[assignment]
        return live

    async def _read_known(self, desired: Catalog, only: AddressFilter | None, vendors: Sequence[str]) -> bool:
        """After a full listing, re-read a known set of products SKU by SKU (``query_term``) when that
        takes fewer requests than listing every page again (verification after a small apply)."""
        if not isinstance(only, AddressSet) or not self._rows:
            return False
        skus: list[str] = []
        for address in only.addresses:
            kind, _, key = address.partition(".")
            if kind == "product":
                product = desired.products.get(key)
                skus.extend([v.sku for v in product.variants if v.sku] if product else [key])
        if len(skus) * len(vendors) >= self._full_pages:
            return False
        pairs = [(v, s) for v in vendors for s in skus]
        found = await asyncio.gather(*(self.api.find(v, s) for v, s in pairs))
        for (vendor, sku), row in zip(pairs, found, strict=True):
            if row is None:
                self._rows[vendor].pop(sku, None)
            else:
                self._rows[vendor][sku] = row
        return True

    def prepare(self, desired: Catalog, live: LiveState) -> Catalog:
        out = Prepared()
        prepared = prepare_catalog(
            desired,
            live,
            target=self.target.name,
            locales=self.settings.locales,
            image_base_url=self.settings.image_base_url,
            category_ids=self.settings.category_ids,
            known_categories=self._known_categories,
            out=out,
        )
        resend = [k for k in desired.promotions if k not in live.catalog.promotions]
        if resend:
            out.notes.append(
                f"{len(resend)} promotion(s) cannot be read back and have no ledger entry: re-sent"
                " (harmless: the platform upserts them)"
            )
        unknown_stock = sum(
            1
            for key, p in prepared.products.items()
            if key in live.catalog.products
            for v in p.variants
            if v.stock is not None
            and any(lv.sku == v.sku and lv.stock is None for lv in live.catalog.products[key].variants)
        )
        if unknown_stock:
            out.notes.append(
                f"stock of {unknown_stock} SKU(s) cannot be read back and is not in the ledger: re-sent"
            )
        self.plan_notes = out.notes
        if out.errors:
            raise PlanErrors(out.errors)
        return prepared

    async def apply(self, change: Change) -> None:
        """One change, as a batch of one."""
        outcome = await self.apply_batch([change])
        error = outcome.get(change.address)
        if error is not None:
            raise error

    async def apply_batch(self, changes: Sequence[Change]) -> Mapping[str, ShelfError | None]:
        """Every product change in as few requests as the API allows, then the promotions."""
        results: dict[str, ShelfError | None] = {c.address: None for c in changes}
        waiter = JobWaiter(self.api, self.wait, sleep=self.sleep, clock=self.clock, report=self.report)
        products = [c for c in changes if c.kind == "product"]
        for change in changes:
            if change.kind not in ("product", "promotion"):
                results[change.address] = PlatformError(
                    f"the Partner API cannot {change.action.value} a {change.kind}", where=change.address
                )
        try:
            if products:
                if not self._rows:
                    await self.read(self._desired)
                work, _ = plan_work(products, self._rows, self.ledger, self._settings_now())
                failed = await run_work(work, self.api, waiter, self.ledger)
                for address, reasons in failed.items():
                    results[address] = failure(address, reasons)
            for change in changes:
                if change.kind == "promotion":
                    results[change.address] = await self._promotion(change, waiter)
        finally:
            self.ledger.save()
        return results

    def _settings_now(self) -> Settings:
        return Settings(
            self._vendors(), self.settings.locales, self.settings.image_base_url, self.settings.category_ids
        )

    async def _promotion(self, change: Change, waiter: JobWaiter) -> ShelfError | None:
        promotion = change.desired
        if not isinstance(promotion, Promotion):
            return PlatformError("the change carries no desired promotion; plan again", where=change.address)
        skus = promotion_skus(promotion, self._desired.products)
        body = promotion_body(promotion, self._vendors(), skus, self.settings.locales)
        previous = self.ledger.get(PROMOTIONS, promotion.key)
        try:
            if previous and previous.get("identity") != identity(body):
                ended = await waiter.outcome(
                    "promotion", await self.api.promotion(from_ledger(previous["body"]))
                )
                if failures(ended):
                    return failure(change.address, ["ending the previous run: " + f for f in failures(ended)])
            job_id = await self.api.promotion(body)
            job = await waiter.outcome("promotion", job_id)
        except ShelfError as exc:
            return PlatformError(exc.message, where=change.address, hint=exc.hint)
        problems = failures(job)
        self.ledger.put(
            PROMOTIONS,
            promotion.key,
            {
                "identity": identity(body),
                "body": to_ledger(body),
                "promotion": item_to_dict(promotion),
                "job_id": job_id,
                "job_status": "COMPLETED" if not problems else str(job.get("job_status")),
                "problems": problems,
            },
        )
        return failure(change.address, problems) if problems else None


def create_partner_provider(
    target: Target,
    config: Config,
    *,
    base_url: str | None,
    transport: Any,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> PartnerProvider:
    """The provider for ``target``; ``transport`` is the in-process sandbox for sandbox targets.
    ``clock`` and ``sleep`` drive the request budget and job polling (tests pass fakes)."""
    settings = target.settings
    token = target.secrets.get("token") or (Secret(SANDBOX_TOKEN) if target.sandbox else None)
    missing = [n for n, v in (("token", token), ("chain_id", settings.get("chain_id"))) if not v]
    if missing and not target.sandbox:
        raise ConfigError(
            f"target '{target.name}' needs {' and '.join(missing)}",
            where=target.source or target.name,
            hint="set them in shelf.yaml (the token as ${NAME} from the environment)",
        )
    assert token is not None
    url = base_url or target.base_url or ""
    host = httpx.URL(url).host or "sandbox"
    budget = RequestBudget(
        budget_file(config.state_dir, host),
        int(settings.get("rate_limit") or DEFAULT_RATE),
        clock=clock,
        sleep=sleep,
    )
    inner = transport if transport is not None else httpx.AsyncHTTPTransport()
    http = HttpClient(
        url,
        auth=BearerAuth(token),
        transport=ThrottledTransport(inner, budget),
        concurrency=target.concurrency,
        where=target.name,
        sleep=sleep,
    )
    locales = {str(k): str(v) for k, v in (settings.get("locales") or {}).items()}
    if not locales and target.sandbox:
        locales = dict(SANDBOX_LOCALES)
    elif not locales:
        raise ConfigError(
            f"target '{target.name}' has no locales",
            where=target.source or target.name,
            hint="map recipe languages to the platform's locales, like locales: {en: en_AE, ar: ar_AE}",
        )
    ledger = Ledger(
        ledger_path(config.state_dir, config.root, target.name, settings.get("ledger")), target.name
    )
    vendors = tuple(str(v) for v in settings.get("vendors") or ())
    provider = PartnerProvider(
        target,
        http,
        ledger,
        Settings(vendors, locales, settings.get("image_base_url"), dict(settings.get("categories") or {})),
    )
    provider.clock, provider.sleep = clock, sleep
    return provider
