"""Coupons in the Emporix sandbox: codes, discounts, restrictions, status, soft delete, lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from emporix_sandbox_support import CATEGORIES, COUPONS, client, make_app

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    return make_app(tmp_path / "shop.sqlite", clock=lambda: NOW)


def coupon(**extra: Any) -> dict[str, Any]:
    return {
        "code": "bf20",
        "name": "Black Friday",
        "discountType": "PERCENT",
        "discountPercentage": 20,
        **extra,
    }


async def test_create_read_and_defaults(app: Starlette) -> None:
    async with client(app) as c:
        created = await c.post(COUPONS, json=coupon())
        read = await c.get(f"{COUPONS}/bf20")
        generated = await c.post(
            COUPONS, json={"name": "Five off", "discountAbsolute": {"amount": 5, "currency": "EUR"}}
        )
        duplicate = await c.post(COUPONS, json=coupon(code="BF20"))
    assert created.status_code == 201 and created.json()["id"] == "BF20"
    body = read.json()
    assert body["code"] == "BF20" and body["status"] == "VALID" and body["metadata"] == {"version": 0}
    assert body["discountCalculationType"] == "SUBTOTAL" and body["maxRedemptions"] == -1
    assert body["deleted"] is False and body["redemptionCount"] == 0
    code = generated.json()["id"]
    assert len(code) == 8 and code == code.upper() and code.isalnum()
    assert duplicate.status_code == 409
    assert duplicate.json() == {
        "status": 409,
        "type": "conflict_resource",
        "message": "A coupon with code BF20 already exists.",
        "details": [],
    }


async def test_status_follows_the_validity_window(app: Starlette) -> None:
    async with client(app) as c:
        await c.post(COUPONS, json=coupon(code="PAST", restrictions={"validUntil": "2026-01-01T00:00:00Z"}))
        await c.post(COUPONS, json=coupon(code="SOON", restrictions={"validFrom": "2027-06-01T00:00:00Z"}))
        await c.post(COUPONS, json=coupon(code="NOW", restrictions={"validFrom": "2027-01-01T00:00:00Z"}))
        listed = await c.get(COUPONS)
        await c.post("/_sandbox/clock", json={"advance": 200 * 86400})
        later = {x["code"]: x["status"] for x in (await c.get(COUPONS)).json()}
    assert {x["code"]: x["status"] for x in listed.json()} == {
        "PAST": "EXPIRED",
        "SOON": "INACTIVE",
        "NOW": "VALID",
    }
    assert later["SOON"] == "VALID"


async def test_discount_and_restriction_rules(app: Starlette) -> None:
    async with client(app) as c:
        category = (
            await c.post(CATEGORIES, json={"localizedName": {"en": "Shoes"}, "published": True})
        ).json()["id"]
        cases = {
            "percent": coupon(discountPercentage=None),
            "over": coupon(discountPercentage=150),
            "absolute": coupon(discountType="ABSOLUTE", discountPercentage=None),
            "free": coupon(
                discountType="FREE_SHIPPING",
                categoryRestricted=True,
                restrictions={"includedCategories": [category]},
            ),
            "unflagged": coupon(restrictions={"includedCategories": [category]}),
            "unknown category": coupon(
                categoryRestricted=True, restrictions={"includedCategories": ["ghost"]}
            ),
            "overlap": coupon(
                categoryRestricted=True,
                restrictions={"includedCategories": [category], "excludedCategories": [category]},
            ),
            "segments": coupon(segmentRestricted=True),
            "anonymous": coupon(allowAnonymous=True, maxRedemptionsPerCustomer=1),
            "window": coupon(
                restrictions={"validFrom": "2027-02-01T00:00:00Z", "validUntil": "2027-01-01T00:00:00Z"}
            ),
            "unknown field": coupon(colour="red"),
            "bad currency": coupon(
                discountType="ABSOLUTE", discountAbsolute={"amount": 1, "currency": "euro"}
            ),
        }
        answers = {}
        for name, body in cases.items():
            answers[name] = await c.post(COUPONS, json={k: v for k, v in body.items() if v is not None})
        good = await c.post(
            COUPONS,
            json=coupon(
                code="SHOES", categoryRestricted=True, restrictions={"includedCategories": [category]}
            ),
        )
    for name, response in answers.items():
        assert response.status_code == 400, name
        body = response.json()
        assert body["status"] == 400 and body["type"] == "validation_failure" and body["details"], name
    assert answers["unknown field"].json()["details"] == [
        {"field": "colour", "type": "unknown_field", "message": "unknown field"}
    ]
    assert good.status_code == 201


async def test_updates_versions_and_soft_delete(app: Starlette) -> None:
    async with client(app) as c:
        await c.post(COUPONS, json=coupon())
        no_partial = await c.put(f"{COUPONS}/BF20", json=coupon())
        replaced = await c.put(
            f"{COUPONS}/bf20",
            params={"partial": "false"},
            json={**coupon(discountPercentage=25), "metadata": {"version": 0}},
        )
        stale = await c.patch(f"{COUPONS}/BF20", json={"name": "X", "metadata": {"version": 0}})
        patched = await c.patch(
            f"{COUPONS}/BF20", json={"description": "Once a year", "status": "VALID", "deleted": False}
        )
        read = (await c.get(f"{COUPONS}/BF20")).json()
        other_code = await c.patch(f"{COUPONS}/BF20", json={"code": "OTHER"})
        deleted = await c.delete(f"{COUPONS}/BF20")
        gone = await c.get(f"{COUPONS}/BF20")
        deleted_again = await c.delete(f"{COUPONS}/BF20")
        listed = await c.get(COUPONS)
        with_deleted = await c.get(COUPONS, params={"showDeleted": "true"})
        reused = await c.post(COUPONS, json=coupon())
        patch_unknown = await c.patch(f"{COUPONS}/NOPE", json={"name": "X"})
    assert no_partial.status_code == 400
    assert replaced.status_code == 200 and replaced.content == b""
    assert stale.status_code == 409 and patched.status_code == 200
    assert (
        read["discountPercentage"] == 25
        and read["description"] == "Once a year"
        and read["metadata"]["version"] == 2
    )
    assert other_code.status_code == 400
    assert deleted.status_code == 204 and gone.status_code == 404 and deleted_again.status_code == 404
    assert listed.json() == [] and with_deleted.json()[0]["deleted"] is True
    assert reused.status_code == 409 and patch_unknown.status_code == 404


async def test_list_paging_and_total(app: Starlette) -> None:
    async with client(app) as c:
        for i in range(20):
            await c.post(COUPONS, json=coupon(code=f"C{i:02d}"))
        first = await c.get(COUPONS, params={"totalCount": "true"})
        second = await c.get(COUPONS, params={"pageNumber": "2"})
        by_q = await c.get(COUPONS, params={"q": "code:C07"})
        on_behalf = await c.get(f"{COUPONS}/C01", params={"customerNumber": "C123"})
    assert len(first.json()) == 16 and first.headers["Items-Count"] == "20"
    assert [x["code"] for x in second.json()] == ["C16", "C17", "C18", "C19"]
    assert [x["code"] for x in by_q.json()] == ["C07"]
    assert on_behalf.status_code == 200


async def test_coupon_scopes(tmp_path: Path) -> None:
    app = make_app(tmp_path / "shop.sqlite", tokens={"reader": ["coupon.coupon_read"]})
    async with client(app, token="reader") as c:
        listed = await c.get(COUPONS)
        created = await c.post(COUPONS, json=coupon())
        on_behalf = await c.get(f"{COUPONS}/BF20", params={"customerNumber": "C123"})
    assert listed.status_code == 200
    assert created.status_code == 403 and created.json()["type"] == "insufficient_permissions"
    assert on_behalf.status_code == 403
