"""Prices and price models in the Emporix sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from engine.sandbox.emporix.app import DEFAULT_PRICE_MODEL_ID, DEFAULT_TIER_ID
from engine.sandbox.emporix.exact_json import loads

from emporix_sandbox_support import MODELS, PRICES, basic, client, make_app, scoped_app


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    return make_app(tmp_path / "shop.sqlite")


def price(item: str = "mug", value: Any = 25, **extra: Any) -> dict[str, Any]:
    return {
        "itemId": {"itemType": "PRODUCT", "id": item},
        "currency": "EUR",
        "location": {"countryCode": "DE"},
        "tierValues": [{"priceValue": value}],
        **extra,
    }


async def test_create_with_the_default_model_and_read(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        created = await c.post(PRICES, json=price(value="19.990"))
        read = await c.get(f"{PRICES}/{created.json()['id']}")
        extended = await c.get(f"{PRICES}/{created.json()['id']}", params={"extendWithPriceModel": "true"})
    assert created.status_code == 201 and created.headers["Location"].endswith(created.json()["id"])
    body = loads(read.content)
    assert body["priceModelId"] == DEFAULT_PRICE_MODEL_ID
    assert body["tierValues"] == [{"id": DEFAULT_TIER_ID, "priceValue": loads("19.990")}]
    assert b'"priceValue":19.990' in read.content
    assert body["restrictions"] == {"siteCodes": ["main"]} and body["metadata"]["version"] == 1
    assert extended.json()["priceModel"]["isDefault"] is True


async def test_price_rules(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        no_product = await c.post(PRICES, json=price("ghost"))
        bad_site = await c.post(PRICES, json=price(restrictions={"siteCodes": ["abcd"]}))
        bad_currency = await c.post(PRICES, json=price(currency="euro"))
        two_values = await c.post(PRICES, json=price(tierValues=[{"priceValue": 1}, {"priceValue": 2}]))
        negative = await c.post(PRICES, json=price(value=-1))
        missing = await c.post(PRICES, json={"currency": "EUR"})
        window = await c.post(
            PRICES,
            json=price(
                restrictions={
                    "siteCodes": ["main"],
                    "validity": {"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
                }
            ),
        )
    assert no_product.status_code == 400
    assert bad_site.json()["message"].startswith("The site(s) with code(s):[abcd] do(es) not exist")
    for response in (bad_currency, two_values, negative, missing, window):
        assert response.status_code == 400, response.text
        assert set(response.json()) == {"code", "status", "message", "details"}
    assert {d.split(":")[0] for d in missing.json()["details"]} == {"itemId", "location", "tierValues"}


async def test_upsert_needs_partial_and_checks_versions(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        no_partial = await c.put(f"{PRICES}/p1", json=price())
        created = await c.put(f"{PRICES}/p1", params={"partial": "false"}, json=price())
        changed = await c.put(
            f"{PRICES}/p1",
            params={"partial": "true"},
            json={"tierValues": [{"priceValue": 30}], "metadata": {"version": 1}},
        )
        stale = await c.put(
            f"{PRICES}/p1", params={"partial": "true"}, json={"currency": "USD", "metadata": {"version": 1}}
        )
        read = (await c.get(f"{PRICES}/p1")).json()
        deleted = await c.delete(f"{PRICES}/p1")
        deleted_again = await c.delete(f"{PRICES}/p1")
    assert no_partial.status_code == 400
    assert created.status_code == 201 and created.json() == {"id": "p1"}
    assert changed.status_code == 204 and stale.status_code == 409
    assert (
        read["tierValues"][0]["priceValue"] == 30
        and read["currency"] == "EUR"
        and read["metadata"]["version"] == 2
    )
    assert deleted.status_code == 204 and deleted_again.status_code == 404


async def test_list_filters(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        await basic(c, "cup", "CUP", name={"en": "Cup"})
        await c.post(PRICES, json=price())
        await c.post(PRICES, json=price(currency="USD", location={"countryCode": "US"}))
        await c.post(PRICES, json=price("cup"))
        by_item = await c.get(PRICES, params={"itemId": "mug"}, headers={"X-Total-Count": "true"})
        by_two = await c.get(PRICES, params={"itemId": "mug,cup", "currency": "EUR"})
        by_country = await c.get(PRICES, params={"country": "US"})
        by_site = await c.get(PRICES, params={"siteCode": "main", "itemType": "PRODUCT"})
        by_name = await c.get(PRICES, params={"itemName": "cu"})
        by_q = await c.get(PRICES, params={"q": "currency:USD"})
        paged = await c.get(PRICES, params={"pageSize": "1", "pageNumber": "3"})
    assert len(by_item.json()) == 2 and by_item.headers["X-Total-Count"] == "2"
    assert len(by_two.json()) == 2
    assert [p["currency"] for p in by_country.json()] == ["USD"]
    assert len(by_site.json()) == 3
    assert [p["itemId"]["id"] for p in by_name.json()] == ["cup"]
    assert len(by_q.json()) == 1
    assert [p["itemId"]["id"] for p in paged.json()] == ["cup"]


async def test_bulk_prices(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        created = await c.post(f"{PRICES}/bulk", json=[price(id="a"), price("ghost")])
        upserted = await c.put(
            f"{PRICES}/bulk", json=[price(id="a", tierValues=[{"priceValue": 9}]), price(id="b"), price()]
        )
        too_many = await c.post(f"{PRICES}/bulk", json=[price()] * 201)
    assert created.status_code == 207
    assert created.json()[0] == {"index": 0, "id": "a", "code": 201, "status": "CREATED"}
    assert created.json()[1]["code"] == 400 and created.json()[1]["status"] == "BAD_REQUEST"
    assert [r["code"] for r in upserted.json()] == [204, 201, 400]
    assert too_many.status_code == 400 and too_many.json()["details"] == [
        "body: Maximum size of the payload array is 200."
    ]


async def test_price_models_and_explicit_tiers(app: Starlette) -> None:
    volume = {
        "includesTax": False,
        "name": {"en": "Volume"},
        "tierDefinition": {
            "tierType": "VOLUME",
            "tiers": [
                {"id": "t0", "minQuantity": {"quantity": 0, "unitCode": "pc"}},
                {"id": "t10", "minQuantity": {"quantity": 10, "unitCode": "pc"}},
            ],
        },
        "measurementUnit": {"quantity": 1, "unitCode": "pc"},
    }
    async with client(app) as c:
        await basic(c)
        created = await c.post(MODELS, json=volume, headers={"Content-Language": "*"})
        model_id = created.json()["id"]
        read = await c.get(f"{MODELS}/{model_id}")
        listed = await c.get(MODELS, params={"tierType": "VOLUME"}, headers={"X-Total-Count": "true"})
        unordered = await c.post(
            MODELS,
            json={
                **volume,
                "tierDefinition": {"tierType": "TIERED", "tiers": volume["tierDefinition"]["tiers"][::-1]},
            },
        )
        good = await c.post(
            PRICES,
            json=price(
                priceModelId=model_id,
                tierValues=[{"id": "t10", "priceValue": 2}, {"id": "t0", "priceValue": 3}],
            ),
        )
        unnamed = await c.post(
            PRICES, json=price(priceModelId=model_id, tierValues=[{"priceValue": 2}, {"priceValue": 3}])
        )
        kept_tiers = (await c.get(f"{PRICES}/{good.json()['id']}")).json()["tierValues"]
        refused = await c.delete(f"{MODELS}/{model_id}")
        forced = await c.delete(f"{MODELS}/{model_id}", params={"forceDelete": "true"})
        prices_left = await c.get(PRICES)
        gone = await c.get(f"{PRICES}/{good.json()['id']}")
    assert created.status_code == 201
    assert read.json()[0]["tierDefinition"]["tiers"][1]["id"] == "t10" and read.json()[0]["name"] == "Volume"
    assert listed.headers["X-Total-Count"] == "1"
    assert unordered.status_code == 400
    assert good.status_code == 201 and unnamed.status_code == 400
    assert kept_tiers == [{"id": "t0", "priceValue": 3}, {"id": "t10", "priceValue": 2}]
    assert gone.status_code == 404
    assert refused.status_code == 400 and forced.status_code == 204
    assert prices_left.json() == []


async def test_force_delete_needs_the_admin_scope(tmp_path: Path) -> None:
    app = scoped_app(tmp_path / "shop.sqlite", ["price.pricemodel_manage", "price.price_manage"])
    async with client(app) as c:
        await basic(c)
        await c.post(PRICES, json=price())
    async with client(app, token="limited") as c:
        forced = await c.delete(f"{MODELS}/{DEFAULT_PRICE_MODEL_ID}", params={"forceDelete": "true"})
        read_models = await c.get(MODELS)
    assert forced.status_code == 403 and "price.pricemodel_manage_admin" in forced.json()["message"]
    assert read_models.status_code == 403
