"""The xPage provider against the xPage sandbox, in-process through httpx.ASGITransport."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from engine.config import Config, Target
from engine.errors import AuthError, ConfigError, PlanErrors, PlatformError, Source
from engine.model import Catalog, Category, Discount, Product, Promotion, Variant
from engine.plan.model import Action, Change
from engine.platforms import create_provider
from engine.platforms.base import Provider
from engine.platforms.xpage.provider import XPageProvider, create_xpage_provider
from engine.sandbox.xpage.app import SANDBOX_INSTALL_ID, category_id, create_app
from engine.secrets import Secret

BASE = "http://sandbox/api/apps/v1"


@dataclass
class Sandbox:
    """One sandbox shop: its app, its control API, and providers pointed at it."""

    app: Starlette
    config: Config
    sleeps: list[float]

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            response = await client.request(method, f"/_sandbox{path}", json=body)
            assert response.status_code < 300, response.text
            return response.json() if response.content else None

    async def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.control("GET", "/stats")
        return result

    def provider(self, **target: Any) -> XPageProvider:
        target.setdefault("sandbox", True)

        async def sleep(delay: float) -> None:
            self.sleeps.append(delay)

        return create_xpage_provider(
            Target(name="sandbox", platform="xpage", **target),
            self.config,
            base_url=BASE,
            transport=httpx.ASGITransport(app=self.app),
            backoff=0.001,
            sleep=sleep,
        )


def make_sandbox(tmp_path: Path, **app_options: Any) -> Sandbox:
    config = Config(root=tmp_path, path=None, recipes=(), targets={}, default_target="sandbox")
    return Sandbox(create_app(tmp_path / "xpage.sqlite", **app_options), config, [])


LENIENT = {"file_links": "gallery", "updates": "replace", "search": "substring"}
"""The other reading of every switch of the emulator; its default is the strict reading of each."""


@pytest.fixture(params=["strict", "lenient"])
def reading(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sandbox(tmp_path: Path, reading: str) -> Sandbox:
    return make_sandbox(tmp_path, readings=LENIENT if reading == "lenient" else None)


@pytest.fixture
async def provider(sandbox: Sandbox) -> AsyncIterator[XPageProvider]:
    p = sandbox.provider()
    yield p
    await p.aclose()


SRC = Source("recipes/catalog.yaml", 3, 5)

CATEGORIES = {
    "apparel": Category(key="apparel", name={"*": "Apparel"}, source=Source("recipes/catalog.yaml", 2, 5)),
    "t-shirts": Category(
        key="t-shirts", name={"en": "t-shirts", "de": "T-Shirts DE"}, parent="apparel", source=SRC
    ),
}

TEE = Product(
    key="classic-tee",
    title={"en": "Classic Tee", "de": "Klassisches T-Shirt"},
    description={"*": "Heavyweight cotton."},
    seo_title={"*": "Classic Tee | Acme"},
    category="t-shirts",
    properties=(("Material", "Cotton"), ("Fit", "Regular")),
    options=(("Size", ("S", "M")), ("Color", ("Black", "White"))),
    variants=tuple(
        Variant(
            options=(("Size", size), ("Color", color)),
            sku=f"TEE-{size}-{color.upper()}",
            price=Decimal("27.00") if size == "M" else Decimal("25"),
            compare_price=Decimal("30.00"),
            stock=100,
        )
        for size in ("S", "M")
        for color in ("Black", "White")
    ),
)

GIFT = Product(
    key="gift-card",
    title={"*": "Gift Card"},
    digital=True,
    category="apparel",
    variants=(Variant(sku="GIFT-50", price=Decimal("50")),),
)


def catalog(*products: Product, **extra: Any) -> Catalog:
    return Catalog(categories=dict(CATEGORIES), products={p.key: p for p in products}, **extra)


async def converge(provider: XPageProvider, desired: Catalog) -> tuple[Catalog, Any]:
    """Create every desired product the shop lacks, the way the core would."""
    live = await provider.read(desired)
    prepared = provider.prepare(desired, live)
    for key, product in prepared.products.items():
        if key not in live.catalog.products:
            await provider.apply(Change(f"product.{key}", Action.CREATE, desired=product))
    return prepared, await provider.read(desired)


async def test_it_is_a_provider(provider: XPageProvider) -> None:
    assert isinstance(provider, Provider)
    assert provider.capabilities.managed == {"products", "files"}
    assert provider.capabilities.deletable == {"files"}
    assert provider.capabilities.referenced == {"categories"}


async def test_read_an_empty_shop_maps_categories_by_name(provider: XPageProvider) -> None:
    live = await provider.read(catalog())
    assert live.catalog.products == {}
    assert live.ids == {
        "category.apparel": category_id("Apparel"),
        "category.t-shirts": category_id("T-Shirts"),
    }


async def test_create_then_read_back_equals_the_prepared_product(
    sandbox: Sandbox, provider: XPageProvider
) -> None:
    desired = catalog(TEE, GIFT)
    prepared, live = await converge(provider, desired)
    assert prepared.products["classic-tee"].title == {"*": "Classic Tee"}
    assert live.catalog.products["classic-tee"] == prepared.products["classic-tee"]
    assert prepared.products["gift-card"].variants[0].stock is None  # not managed: the shop's default
    assert live.ids["product.classic-tee"] and live.versions["product.classic-tee"].startswith("sha256:")
    stats = await sandbox.stats()
    assert stats["requests"]["POST /product"] == 2
    again = provider.prepare(desired, live)
    assert again.products == live.catalog.products


async def test_update_one_price_is_exactly_one_write(sandbox: Sandbox, provider: XPageProvider) -> None:
    _, live = await converge(provider, catalog(TEE))
    before = live.catalog.products["classic-tee"]
    cheaper = replace(TEE, variants=(replace(TEE.variants[0], price=Decimal("19.99")), *TEE.variants[1:]))
    desired = catalog(cheaper)
    prepared = provider.prepare(desired, live)
    await sandbox.control("POST", "/stats/reset")
    change = Change(
        "product.classic-tee",
        Action.UPDATE,
        desired=prepared.products["classic-tee"],
        live_id=live.ids["product.classic-tee"],
    )
    await provider.apply(change)
    stats = await sandbox.stats()
    assert stats["writes"] == 1
    assert stats["requests"] == {"POST /product/{id}/update": 1}
    after = (await provider.read(desired)).catalog.products["classic-tee"]
    assert after == prepared.products["classic-tee"]
    assert after.variants[0].price == Decimal("19.99")
    assert [v.live_id for v in after.variants] == [v.live_id for v in before.variants]


async def test_variants_and_properties_removed_and_added(provider: XPageProvider, reading: str) -> None:
    """Adding works under every reading; removing variants, option values and properties has no documented
    request, so it works where a sent list is the whole set and is named as the API's limit elsewhere."""
    _, live = await converge(provider, catalog(TEE))
    smaller = replace(
        TEE,
        properties=(("Material", "Linen"),),
        options=(("Size", ("S", "L")), ("Color", ("Black",))),
        variants=(
            replace(TEE.variants[0], price=Decimal("20")),
            Variant(
                options=(("Size", "L"), ("Color", "Black")), sku="TEE-L-BLACK", price=Decimal("29"), stock=3
            ),
        ),
    )
    desired = catalog(smaller)
    prepared = provider.prepare(desired, live)
    product = prepared.products["classic-tee"]
    [note] = provider.plan_notes
    assert note.startswith("product.classic-tee: removes value 'M' of option 'Size', value 'White' of option")
    assert "variant TEE-S-WHITE" in note and "property 'Fit'" in note
    assert "the xPage API documents no way to remove" in note and "remove them in the shop's admin" in note
    await provider.apply(Change("product.classic-tee", Action.UPDATE, desired=product))
    read = await provider.read(desired)
    after = read.catalog.products["classic-tee"]
    assert after.variants[0].live_id == live.catalog.products["classic-tee"].variants[0].live_id
    provider.prepare(desired, read)
    if reading == "lenient":
        assert after == product
        assert provider.limits == {}
    else:
        assert {v.sku for v in after.variants} == {v.sku for v in product.variants} | {
            "TEE-S-WHITE",
            "TEE-M-BLACK",
            "TEE-M-WHITE",
        }
        assert after.properties == (("Material", "Linen"), ("Fit", "Regular"))
        assert provider.limits["product.classic-tee"] == note.removeprefix("product.classic-tee: ")


async def test_deactivate(sandbox: Sandbox, provider: XPageProvider) -> None:
    _, live = await converge(provider, catalog(GIFT))
    change = Change("product.gift-card", Action.DEACTIVATE, live_id=live.ids["product.gift-card"])
    await provider.apply(change)
    after = await provider.read(catalog())
    assert after.catalog.products["gift-card"].status == "inactive"
    assert (await sandbox.stats())["requests"]["POST /product/{id}/update"] == 1


async def test_unmanaged_stock_follows_the_shop(provider: XPageProvider) -> None:
    _, live = await converge(provider, catalog(TEE))
    unmanaged = replace(TEE, variants=tuple(replace(v, stock=None) for v in TEE.variants))
    prepared = provider.prepare(catalog(unmanaged), live)
    assert prepared.products["classic-tee"] == live.catalog.products["classic-tee"]
    assert {v.stock for v in prepared.products["classic-tee"].variants} == {100}


async def test_a_saved_plan_finds_the_product_by_its_live_id(
    sandbox: Sandbox, provider: XPageProvider
) -> None:
    prepared, live = await converge(provider, catalog(GIFT))
    fresh = sandbox.provider()
    try:
        await fresh.read(catalog(GIFT), only=lambda addr: addr.startswith("category."))
        await sandbox.control("POST", "/stats/reset")
        repriced = replace(
            prepared.products["gift-card"], variants=(Variant(sku="GIFT-50", price=Decimal("45")),)
        )
        await fresh.apply(
            Change(
                "product.gift-card", Action.UPDATE, desired=repriced, live_id=live.ids["product.gift-card"]
            )
        )
        stats = await sandbox.stats()
        after = await fresh.read(Catalog())
    finally:
        await fresh.aclose()
    assert stats["requests"] == {"GET /product/{id}": 1, "POST /product/{id}/update": 1}
    assert after.catalog.products["gift-card"].variants[0].price == Decimal("45")
    assert after.catalog.products["gift-card"].category == "shop:Apparel"


async def test_read_only_maps_the_selected_products(provider: XPageProvider) -> None:
    await converge(provider, catalog(TEE, GIFT))
    live = await provider.read(catalog(TEE, GIFT), only=lambda addr: addr == "product.gift-card")
    assert set(live.catalog.products) == {"gift-card"}
    assert "product.classic-tee" not in live.ids


async def test_read_pages_through_the_whole_list(sandbox: Sandbox, provider: XPageProvider) -> None:
    desired = catalog(
        *(replace(GIFT, key=f"card-{i}", variants=(Variant(price=Decimal(i)),)) for i in range(205))
    )
    prepared = provider.prepare(desired, await provider.read(desired))
    await asyncio.gather(
        *(
            provider.apply(Change(f"product.{k}", Action.CREATE, desired=p))
            for k, p in prepared.products.items()
        )
    )
    await sandbox.control("POST", "/stats/reset")
    live = await provider.read(desired)
    assert len(live.catalog.products) == 205
    assert live.catalog.products["card-204"].variants[0].price == Decimal("204")
    assert (await sandbox.stats())["requests"]["GET /product"] == 2


async def test_categories_by_id_from_shelf_yaml(sandbox: Sandbox) -> None:
    renamed = {"tees": Category(key="tees", name={"*": "Shirts for everyone"})}
    provider = sandbox.provider(settings={"categories": {"tees": category_id("T-Shirts")}})
    try:
        desired = Catalog(categories=renamed, products={"classic-tee": replace(TEE, category="tees")})
        _, live = await converge(provider, desired)
    finally:
        await provider.aclose()
    assert live.ids["category.tees"] == category_id("T-Shirts")
    assert live.catalog.products["classic-tee"].category == "tees"


async def test_a_category_the_shop_lacks_is_a_plan_error_at_its_recipe_line(provider: XPageProvider) -> None:
    garden = Category(key="garden", name={"*": "Garden"}, source=Source("recipes/garden.yaml", 4, 5))
    desired = Catalog(
        categories={**CATEGORIES, "garden": garden},
        products={
            "rake": replace(GIFT, key="rake", category="garden"),
            "hoe": replace(GIFT, key="hoe", category="garden"),
        },
    )
    live = await provider.read(desired)
    with pytest.raises(PlanErrors) as caught:
        provider.prepare(desired, live)
    assert len(caught.value.errors) == 1
    text = str(caught.value)
    assert text.startswith(
        "recipes/garden.yaml:4:5: category 'garden' (\"Garden\") matches no category in the shop"
    )
    assert "xPage cannot create categories" in text
    assert "targets.sandbox.categories" in text


async def test_promotions_are_plan_errors(provider: XPageProvider) -> None:
    promo = Promotion(
        key="black-friday",
        title={"*": "BF"},
        discount=Discount("percent", Decimal("20")),
        source=Source("recipes/promos.yaml", 7, 3),
    )
    desired = catalog(GIFT, promotions={"black-friday": promo})
    with pytest.raises(PlanErrors) as caught:
        provider.prepare(desired, await provider.read(desired))
    assert "recipes/promos.yaml:7:3: promotion 'black-friday': xPage has no promotions API" in str(
        caught.value
    )


async def test_more_than_two_decimals_is_a_plan_error(provider: XPageProvider) -> None:
    desired = catalog(replace(GIFT, variants=(Variant(sku="G", price=Decimal("1.005"), source=SRC),)))
    with pytest.raises(PlanErrors) as caught:
        provider.prepare(desired, await provider.read(desired))
    assert "more than 2 decimals" in str(caught.value)


async def test_client_credentials_and_one_refresh_on_401(tmp_path: Path) -> None:
    now = [1_000_000.0]
    sandbox = make_sandbox(tmp_path, clients={"app-1": "client-secret-xyz"}, clock=lambda: now[0])
    provider = sandbox.provider(
        settings={"client_id": "app-1", "install_id": SANDBOX_INSTALL_ID},
        secrets={"client_secret": Secret("client-secret-xyz")},
        sandbox=False,
    )
    try:
        await provider.read(catalog())
        await provider.read(catalog())
        assert (await sandbox.stats())["requests"]["POST /auth/get-token"] == 1
        now[0] += 4000  # the token has expired in the shop's eyes
        await provider.read(catalog())
        stats = await sandbox.stats()
    finally:
        await provider.aclose()
    assert stats["requests"]["POST /auth/get-token"] == 2
    assert stats["requests"]["GET /product"] == 4  # the rejected call was replayed once


async def test_wrong_client_secret_is_an_auth_error_without_the_secret(tmp_path: Path) -> None:
    sandbox = make_sandbox(tmp_path, clients={"app-1": "client-secret-xyz"})
    provider = sandbox.provider(
        settings={"client_id": "app-1", "install_id": SANDBOX_INSTALL_ID},
        secrets={"client_secret": Secret("not-the-secret-123")},
    )
    try:
        with pytest.raises(AuthError) as caught:
            await provider.read(catalog())
    finally:
        await provider.aclose()
    text = str(caught.value) + repr(caught.value)
    assert "client credentials of client_id 'app-1' were rejected" in text
    assert "not-the-secret-123" not in text


async def test_403_names_the_missing_permission_and_hides_the_token(tmp_path: Path) -> None:
    sandbox = make_sandbox(tmp_path, tokens={"view-only-token-42": ["product:view"]})
    provider = sandbox.provider(secrets={"token": Secret("view-only-token-42")})
    try:
        desired = catalog(GIFT)
        prepared = provider.prepare(desired, await provider.read(desired))
        with pytest.raises(AuthError) as caught:
            await provider.apply(
                Change("product.gift-card", Action.CREATE, desired=prepared.products["gift-card"])
            )
    finally:
        await provider.aclose()
    text = str(caught.value)
    assert text.startswith("product.gift-card: POST /product: the token lacks the permission product:create")
    assert "view-only-token-42" not in text + repr(caught.value)
    assert caught.value.status == 403


async def test_a_revoked_token_is_reported_as_rejected(tmp_path: Path) -> None:
    sandbox = make_sandbox(tmp_path, tokens={"good": ["product:view"]})
    provider = sandbox.provider(secrets={"token": Secret("revoked-token-77")})
    try:
        with pytest.raises(AuthError) as caught:
            await provider.read(catalog())
    finally:
        await provider.aclose()
    assert "the token was rejected" in str(caught.value)
    assert "revoked-token-77" not in str(caught.value)


async def test_get_is_retried_on_503_honouring_retry_after(sandbox: Sandbox, provider: XPageProvider) -> None:
    await sandbox.control(
        "POST", "/faults", {"route": "GET /product", "status": 503, "times": 2, "retry_after": 3}
    )
    live = await provider.read(catalog())
    assert live.catalog.products == {}
    assert sandbox.sleeps == [3.0, 3.0]
    assert (await sandbox.stats())["requests"]["GET /product"] == 3


async def test_a_lost_create_answer_is_found_by_lookup_and_not_duplicated(
    sandbox: Sandbox, provider: XPageProvider
) -> None:
    desired = catalog(TEE)
    prepared = provider.prepare(desired, await provider.read(desired))
    await sandbox.control("POST", "/faults", {"route": "POST /product", "status": 503, "after_commit": True})
    await provider.apply(
        Change("product.classic-tee", Action.CREATE, desired=prepared.products["classic-tee"])
    )
    stats = await sandbox.stats()
    assert stats["requests"]["POST /product"] == 1
    live = await provider.read(desired)
    assert list(live.catalog.products) == ["classic-tee"]
    assert live.catalog.products["classic-tee"] == prepared.products["classic-tee"]


async def test_a_create_refused_before_commit_is_sent_again(
    sandbox: Sandbox, provider: XPageProvider
) -> None:
    desired = catalog(GIFT)
    prepared = provider.prepare(desired, await provider.read(desired))
    await sandbox.control("POST", "/faults", {"route": "POST /product", "status": 500})
    await provider.apply(Change("product.gift-card", Action.CREATE, desired=prepared.products["gift-card"]))
    assert (await sandbox.stats())["requests"]["POST /product"] == 2
    assert list((await provider.read(desired)).catalog.products) == ["gift-card"]


async def test_a_platform_refusal_names_the_address_and_the_fields(provider: XPageProvider) -> None:
    bad = replace(GIFT, variants=(Variant(sku="GIFT-50", price=Decimal("-1")),))
    with pytest.raises(PlatformError) as caught:
        await provider.apply(
            Change(
                "product.gift-card",
                Action.CREATE,
                desired=provider.prepare(catalog(bad), await provider.read(catalog(bad))).products[
                    "gift-card"
                ],
            )
        )
    text = str(caught.value)
    assert text.startswith("product.gift-card: POST /product failed with 422")
    assert "metadata.default.price" in text


async def test_create_provider_for_a_sandbox_target(tmp_path: Path) -> None:
    config = Config(root=tmp_path, path=None, recipes=(), targets={}, default_target="sandbox")
    provider = create_provider(Target(name="sandbox", platform="xpage", sandbox=True), config)
    try:
        live = await provider.read(catalog())
    finally:
        await provider.aclose()
    assert live.ids["category.apparel"] == category_id("Apparel")
    assert (tmp_path / ".shelf" / "sandbox" / "xpage.sqlite").exists()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (Target(name="eu", platform="magento"), "platform magento is not supported yet"),
        (
            Target(name="shop", platform="xpage", secrets={"token": Secret("t")}),
            "an xPage target needs base_url",
        ),
        (Target(name="shop", platform="xpage", base_url="https://x/api/apps/v1"), "needs credentials"),
        (Target(name="shop", platform="xpage", missing_env=("XPAGE_TOKEN",)), "${XPAGE_TOKEN}"),
    ],
)
def test_create_provider_refuses_unusable_targets(tmp_path: Path, target: Target, message: str) -> None:
    config = Config(root=tmp_path, path=None, recipes=(), targets={}, default_target=target.name)
    with pytest.raises(ConfigError) as caught:
        create_provider(target, config)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{target.name}: ")
