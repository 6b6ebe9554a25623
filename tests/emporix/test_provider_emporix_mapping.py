"""The pieces of the Emporix mapping on their own: ids, languages, money on the wire, prices, categories,
coupons, settings and how refusals read."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from engine.config import Target
from engine.errors import ConfigError, PlanErrors, Source
from engine.http import HttpClient
from engine.model import Asset, Catalog, Discount, Product, Promotion, Variant
from engine.platforms.base import LiveState
from engine.platforms.emporix import ids
from engine.platforms.emporix.api import EmporixApi, refusal
from engine.platforms.emporix.auth import missing_scope
from engine.platforms.emporix.categories import category_keys
from engine.platforms.emporix.coupons import coupon_doc, promotion_from_live
from engine.platforms.emporix.live_products import price_of
from engine.platforms.emporix.mixins import PRODUCT_SCHEMA
from engine.platforms.emporix.prepare import prepare_catalog
from engine.platforms.emporix.product_docs import price_doc, price_values
from engine.platforms.emporix.settings import Settings, settings_of
from engine.platforms.emporix.texts import expanded, managed, written
from engine.platforms.emporix.wire import dumps
from engine.secrets import Secret

SETTINGS = Settings("acme", "ci", Secret("x"), "main", "EUR", "DE", ("en", "de"))


def test_a_key_that_fits_is_the_product_id_and_a_long_one_is_hashed_to_32_characters() -> None:
    assert ids.product_id("classic-tee") == "classic-tee"
    long_key = "the-extraordinarily-long-product-key-of-a-tee"
    hashed = ids.product_id(long_key)
    assert len(hashed) == 32
    assert hashed.startswith("the-extraordinarily")
    assert hashed == ids.product_id(long_key)
    assert hashed != ids.product_id(long_key + "s")


def test_variant_ids_fit_emporix_and_follow_the_options() -> None:
    black = ids.variant_id("classic-tee", (("Size", "S"), ("Color", "Black")))
    white = ids.variant_id("classic-tee", (("Size", "S"), ("Color", "White")))
    assert black != white and len(black) <= 32 and black.startswith("classic-tee-")
    assert black == ids.variant_id("classic-tee", (("Size", "S"), ("Color", "Black")))
    assert len(ids.variant_id("x" * 80, (("Size", "S"),))) == 32


def test_attribute_keys_are_alphanumeric_and_unique() -> None:
    assert ids.attribute_keys(["Size", "Shoe size", "Shoe-size", "!!"]) == [
        "Size",
        "Shoesize",
        "Shoesize2",
        "option4",
    ]


def test_price_ids_name_their_item_and_context() -> None:
    assert ids.price_id("mug", "EUR", "DE", "main") == "mug-eur-de-main"
    odd = ids.price_id("mug", "EUR", "DE", "site/with spaces")
    assert "/" not in odd and odd.startswith("mug-")


def test_any_language_text_expands_to_the_target_languages() -> None:
    assert expanded({"*": "Tee"}, ["en", "de"]) == {"en": "Tee", "de": "Tee"}
    assert expanded({"*": "Tee", "de": "Hemd"}, ["en", "de"]) == {"en": "Tee", "de": "Hemd"}
    assert expanded({"fr": "Tee"}, ["en", "de"]) is None


def test_live_texts_are_read_in_the_managed_languages_and_others_are_kept_on_write() -> None:
    live = {"en": "Tee", "de": "Hemd", "fr": "T-shirt"}
    assert managed(live, ["en", "de"]) == {"en": "Tee", "de": "Hemd"}
    assert managed("Tee", ["en", "de"]) == {"en": "Tee"}
    assert written({"en": "Shirt"}, live, ["en", "de"]) == {"fr": "T-shirt", "en": "Shirt"}


def test_money_goes_on_the_wire_with_its_exact_digits() -> None:
    body = {"tierValues": [{"priceValue": Decimal("19.990")}], "n": 2, "s": "x", "b": True, "z": None}
    text = dumps(body)
    assert '"priceValue":19.990' in text
    assert json.loads(text)["n"] == 2


@given(
    price=st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    extra=st.one_of(
        st.none(), st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False, allow_infinity=False)
    ),
)
def test_a_price_and_compare_price_survive_the_price_document(price: Decimal, extra: Decimal | None) -> None:
    compare = None if extra is None else price + extra
    variant = Variant(price=price, compare_price=compare)
    document = json.loads(dumps(price_doc("mug", variant, None, SETTINGS)), parse_float=Decimal)
    assert price_of(document) == (price, compare)


def test_compare_price_is_the_tier_value_and_the_discount_the_difference() -> None:
    assert price_values(Variant(price=Decimal("25"), compare_price=Decimal("30"))) == (
        Decimal("30"),
        Decimal("5"),
    )
    assert price_values(Variant(price=Decimal("25"))) == (Decimal("25"), None)
    rate = {"tierValues": [{"priceValue": 40}], "salePrice": {"discountRate": 25}}
    assert price_of(rate) == (Decimal("30"), Decimal("40"))


def test_an_existing_price_keeps_its_model_tier_and_version() -> None:
    live = {
        "id": "p1",
        "itemId": {"itemType": "PRODUCT", "id": "mug"},
        "currency": "EUR",
        "location": {"countryCode": "DE"},
        "priceModelId": "model",
        "restrictions": {"siteCodes": ["main"]},
        "tierValues": [{"id": "tier", "priceValue": 10}],
        "salePrice": {"discountAmount": 1},
        "vendorId": "v",
        "metadata": {"version": 3, "createdAt": "2026-01-01T00:00:00.000Z"},
    }
    document = price_doc("mug", Variant(price=Decimal("12")), live, SETTINGS)
    assert document["tierValues"] == [{"id": "tier", "priceValue": Decimal("12")}]
    assert document["priceModelId"] == "model"
    assert document["metadata"] == {"version": 3}
    assert "salePrice" not in document and "vendorId" not in document


def test_categories_are_taken_over_by_id_then_by_code_and_others_keep_their_code() -> None:
    live = [
        {"id": "t-shirts"},
        {"id": "5f1e", "code": "HOODIES"},
        {"id": "77aa", "code": "Outlet"},
        {"id": "88bb"},
    ]
    keys = category_keys(live, ["t-shirts", "hoodies"])
    assert keys == {"t-shirts": "t-shirts", "5f1e": "hoodies", "77aa": "outlet", "88bb": "88bb"}


def test_a_coupon_keeps_the_shops_fields_and_switches_discount_kind() -> None:
    live = {
        "code": "BF",
        "name": "Old",
        "description": "Once a year",
        "discountType": "PERCENT",
        "discountPercentage": 20,
        "maxRedemptions": 100,
        "restrictions": {"validFor": ["c1"], "includedCategories": ["old"]},
        "categoryRestricted": True,
        "status": "VALID",
        "deleted": False,
        "metadata": {"version": 4, "mixins": {}},
    }
    promotion = Promotion("bf", {"*": "Black Friday"}, Discount("amount", Decimal("5.00")), code="BF")
    document = coupon_doc(promotion, live, [], SETTINGS)
    assert document["discountType"] == "ABSOLUTE"
    assert document["discountAbsolute"] == {"amount": Decimal("5.00"), "currency": "EUR"}
    assert "discountPercentage" not in document
    assert document["description"] == "Once a year" and document["maxRedemptions"] == 100
    assert document["restrictions"] == {"validFor": ["c1"]}
    assert document["categoryRestricted"] is False
    assert "status" not in document and "code" not in document
    assert document["metadata"]["version"] == 4
    assert document["mixins"]["shelf"] == {"key": "bf"}
    read = promotion_from_live({**live, "code": "BF"}, "bf", {"old": "sale"})
    assert read.categories == ("sale",) and read.discount == Discount("percent", Decimal("20"))


def test_a_real_target_needs_currency_country_and_credentials() -> None:
    bare = Target(name="shop", platform="emporix", settings={"tenant": "acme", "client_id": "ci"})
    with pytest.raises(ConfigError, match="needs Emporix client credentials"):
        settings_of(bare)
    with_secret = Target(
        name="shop",
        platform="emporix",
        settings={"tenant": "acme", "client_id": "ci"},
        secrets={"client_secret": Secret("s")},
    )
    with pytest.raises(ConfigError, match="needs a currency") as caught:
        settings_of(with_secret)
    assert caught.value.hint == "set currency: EUR (three capital letters)"


def test_a_sandbox_target_has_defaults() -> None:
    settings = settings_of(Target(name="sb", platform="emporix", sandbox=True))
    assert (settings.tenant, settings.client_id, settings.currency, settings.country) == (
        "sandbox",
        "sandbox",
        "EUR",
        "DE",
    )
    assert settings.languages == ("en",) and settings.site == "main" and settings.well_known_secret


def test_the_shelf_mixin_schema_travels_in_its_url() -> None:
    scheme, _, payload = PRODUCT_SCHEMA.partition(",")
    assert scheme == "data:application/schema+json"
    schema = json.loads(unquote(payload))
    assert set(schema["properties"]) == {"sku", "seoTitle", "seoDescription", "properties", "digital"}


def test_the_missing_scope_is_found_in_the_platforms_message() -> None:
    assert missing_scope("Insufficient scopes: price.price_manage is required.") == "price.price_manage"
    assert missing_scope("forbidden") is None


async def test_a_refusal_lists_every_detail_the_service_gives() -> None:
    http = HttpClient("http://x", where="shop")
    product = httpx.Response(
        400,
        json={
            "code": 400,
            "status": "Bad Request",
            "message": "Validation problem with request body.",
            "details": [{"field": "code", "type": "missing_value", "message": "required"}],
        },
    )
    category = httpx.Response(409, json={"code": 409, "message": "Taken.", "details": ["code: exists"]})
    first = refusal(product, "PUT /product/acme/products/x", http)
    assert first.render() == (
        "shop: PUT /product/acme/products/x failed with 400: Validation problem with request body."
        " [code: required] (fix the values named above in the recipe, then plan again)"
    )
    second = refusal(category, "PUT /category/acme/categories/x", http)
    assert second.status == 409 and "[code: exists]" in second.message
    await http.aclose()


def test_what_emporix_cannot_hold_is_a_plan_error_at_its_recipe_line() -> None:
    where = Source("recipes/a.yaml", 3, 5)
    below = Product(
        key="tee",
        title={"*": "Tee"},
        variants=(Variant(price=Decimal("30"), compare_price=Decimal("25"), source=where),),
        source=where,
    )
    huge = Product(
        key="guide",
        title={"*": "Guide"},
        digital=True,
        files=(Asset(ref="files/big.pdf", path="/x", size=11 * 1024 * 1024, source=where),),
        variants=(Variant(price=Decimal("1"), file="files/big.pdf"),),
    )
    with pytest.raises(PlanErrors) as caught:
        prepare_catalog(Catalog(products={"tee": below, "guide": huge}), LiveState(), SETTINGS, ())
    text = caught.value.render()
    assert "recipes/a.yaml:3:5: variant default of product 'tee': compare_price 25 is below price 30" in text
    assert "file 'files/big.pdf' of product 'guide' is 11534336 bytes" in text


def test_stock_is_replaced_by_the_live_value_and_counted() -> None:
    product = Product(key="mug", title={"*": "Mug"}, variants=(Variant(price=Decimal("5"), stock=7),))
    prepared = prepare_catalog(Catalog(products={"mug": product}), LiveState(), SETTINGS, ())
    assert prepared.unsent_stock == 1
    assert prepared.catalog.products["mug"].variants[0].stock is None
    assert prepared.catalog.products["mug"].title == {"en": "Mug", "de": "Mug"}


def _paged_service(total: int, cap: int, with_total: bool) -> Starlette:
    """A list service answering at most ``cap`` items a page, with or without ``X-Total-Count``."""

    async def listing(request: Request) -> JSONResponse:
        size = min(int(request.query_params["pageSize"]), cap)
        number = int(request.query_params["pageNumber"])
        items = [{"id": str(i)} for i in range(total)][(number - 1) * size : number * size]
        headers = {"X-Total-Count": str(total)} if with_total else {}
        return JSONResponse(items, headers=headers)

    return Starlette(routes=[Route("/product/acme/products", listing)])


@pytest.mark.parametrize("with_total", [True, False])
async def test_a_list_is_read_whole_even_when_the_service_caps_its_pages(with_total: bool) -> None:
    app = _paged_service(total=25, cap=10, with_total=with_total)
    http = HttpClient("http://shop", transport=httpx.ASGITransport(app=app))
    api = EmporixApi(http, "acme")
    items = await api.list_all(api.path("product", "products"))
    await http.aclose()
    assert [i["id"] for i in items] == [str(i) for i in range(25)]
