"""The AppXite emulator against the vendor's pages: gateway headers and their status codes, the token
call, cart and place, provisioning that finishes, fails or waits for approval, update and cancel rules."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.sandbox.appxite.db import GLOBEX, LEGACY, M365_BUSINESS, MANUAL

from appxite_support import Clock, client, headers

FORM = {"quantityBox1": 5, "ChargePeriod": {"pricingFrequency": "Monthly"}}


async def _cart(api: httpx.AsyncClient, offer: str = M365_BUSINESS, form: Any = FORM) -> dict[str, Any]:
    item_id = str(uuid.uuid4())
    body = {"OfferId": offer, "OrderItemId": item_id, "FormData": form}
    response = await api.post("/orders/", json=body, headers=headers())
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _operate(api: httpx.AsyncClient, item: dict[str, Any], op: str, form: Any = None) -> httpx.Response:
    body = {
        "OrderId": item["orderId"],
        "OfferId": item["offerId"],
        "OrderItemId": item["orderItemId"],
        "FormData": item["formData"] if form is None else form,
        "Operations": [op],
    }
    return await api.post("/orders/operation", json=body, headers=headers())


async def _status(api: httpx.AsyncClient, item: dict[str, Any]) -> dict[str, Any]:
    response = await api.get(f"/orders/{item['orderId']}", headers=headers())
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["items"][0]
    return found


async def test_token_call_needs_the_subscription_key_and_the_client(tmp_path: Path) -> None:
    async with client(tmp_path / "a.sqlite") as api:
        body = {"client_id": "sandbox", "client_secret": "sandbox"}
        no_key = await api.post("/oauth/token", json=body)
        wrong = await api.post(
            "/oauth/token",
            json={**body, "client_secret": "nope"},
            headers={"Ocp-Apim-Subscription-Key": "sandbox"},
        )
        ok = await api.post("/oauth/token", json=body, headers={"Ocp-Apim-Subscription-Key": "sandbox"})
        token = ok.json()["access_token"]
        listed = await api.get("/orders/", headers=headers(Authorization=f"Bearer {token}"))
    assert no_key.status_code == 401 and "subscription key" in no_key.json()["message"]
    assert wrong.status_code == 401
    assert ok.json()["expires_in"] == 86400 and ok.json()["token_type"] == "Bearer"
    assert listed.status_code == 200 and listed.json() == {"orders": []}


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"Ocp-Apim-Subscription-Key": "wrong"}, 401, None),
        ({"Authorization": "Bearer wrong"}, 401, None),
        ({"api-version": "2.0"}, 400, "api-version"),
        ({"Referer": "portal"}, 400, "Referer"),
        ({"X-On-Behalf-Of": "acme"}, 400, "X-On-Behalf-Of"),
        ({"X-On-Behalf-Of": str(uuid.UUID(int=7))}, 403, None),
    ],
)
async def test_order_api_headers(
    tmp_path: Path, change: dict[str, str], status: int, field: str | None
) -> None:
    async with client(tmp_path / "a.sqlite") as api:
        response = await api.get("/orders/", headers={**headers(), **change})
    assert response.status_code == status, response.text
    if field:
        assert field in response.json()["errors"]


async def test_missing_headers_are_refused(tmp_path: Path) -> None:
    async with client(tmp_path / "a.sqlite") as api:
        for name in ("api-version", "Referer", "X-On-Behalf-Of", "Ocp-Apim-Subscription-Key"):
            sent = {k: v for k, v in headers().items() if k != name}
            response = await api.get("/orders/", headers=sent)
            assert response.status_code == (401 if name.startswith("Ocp") else 400), name


async def test_read_only_token_is_403_on_writes(tmp_path: Path) -> None:
    async with client(tmp_path / "a.sqlite", tokens={"sandbox": {"orders:read"}}) as api:
        body = {"OfferId": M365_BUSINESS, "OrderItemId": str(uuid.uuid4()), "FormData": FORM}
        response = await api.post("/orders/", json=body, headers=headers())
    assert response.status_code == 403


async def test_cart_place_and_provision_after_the_delay(tmp_path: Path) -> None:
    clock = Clock()
    async with client(tmp_path / "a.sqlite", clock, provision_delay=30) as api:
        item = await _cart(api)
        assert item["status"] == "in_cart" and "place_order" in item["availableOperations"]
        assert (await _operate(api, item, "place_order", {"quantityBox1": 6})).status_code == 400
        placed = await _operate(api, item, "place_order")
        assert placed.json()["status"] == "provision_started"
        clock.now += 29
        assert (await _status(api, item))["status"] == "provision_started"
        clock.now += 1
        assert (await _status(api, item))["status"] == "provision_finished"
        again = await _operate(api, item, "place_order")
        assert again.status_code == 400 and "provision_finished" in again.json()["message"]
        listed = (await api.get("/orders/", headers=headers())).json()["orders"]
        other = (await api.get("/orders/", headers=headers(GLOBEX))).json()["orders"]
    assert [o["orderId"] for o in listed] == [item["orderId"]] and other == []


async def test_form_data_follows_the_offer_schema(tmp_path: Path) -> None:
    async with client(tmp_path / "a.sqlite") as api:
        body = {
            "OfferId": M365_BUSINESS,
            "OrderItemId": str(uuid.uuid4()),
            "FormData": {"quantityBox1": 0, "Colour": "red"},
        }
        bad = await api.post("/orders/", json=body, headers=headers())
        unknown = await api.post(
            "/orders/", json={**body, "OfferId": str(uuid.UUID(int=1))}, headers=headers()
        )
        item = await _cart(api)
        reused = await api.post(
            "/orders/",
            json={"OfferId": M365_BUSINESS, "OrderItemId": item["orderItemId"], "FormData": FORM},
            headers=headers(),
        )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"FormData.quantityBox1", "FormData.Colour"}
    assert unknown.status_code == 400 and "OfferId" in unknown.json()["errors"]
    assert reused.status_code == 400 and "OrderItemId" in reused.json()["errors"]


async def test_failed_provisioning_carries_the_reason(tmp_path: Path) -> None:
    clock = Clock()
    async with client(tmp_path / "a.sqlite", clock, provision_delay=1) as api:
        item = await _cart(api, LEGACY)
        await _operate(api, item, "place_order")
        clock.now += 1
        found = await _status(api, item)
        cancel = await api.post(
            "/orders/cancel", params={"orderitemid": item["orderItemId"]}, headers=headers()
        )
    assert found["status"] == "provision_failed" and "offer retired" in found["statusReason"]
    assert cancel.status_code == 400 and "provision_failed" in cancel.json()["message"]


async def test_manual_offer_waits_for_approval(tmp_path: Path) -> None:
    clock = Clock()
    async with client(tmp_path / "a.sqlite", clock, provision_delay=1) as api:
        item = await _cart(api, MANUAL)
        await _operate(api, item, "place_order")
        clock.now += 100
        assert (await _status(api, item))["status"] == "pending_approval"
        approved = await api.post("/_sandbox/approve", json={"orderItemId": item["orderItemId"]})
        assert approved.json()["status"] == "provision_started"
        clock.now += 1
        assert (await _status(api, item))["status"] == "provision_finished"


async def test_update_provisions_again_and_cancel_rules(tmp_path: Path) -> None:
    clock = Clock()
    async with client(tmp_path / "a.sqlite", clock, provision_delay=2) as api:
        item = await _cart(api)
        cancel_in_cart = await api.post(
            "/orders/cancel", params={"orderitemid": item["orderItemId"]}, headers=headers()
        )
        await _operate(api, item, "place_order")
        cancel_started = await api.post(
            "/orders/cancel", params={"orderitemid": item["orderItemId"]}, headers=headers()
        )
        clock.now += 2
        updated = await _operate(api, item, "update", {"quantityBox1": 9})
        assert updated.json()["items"][0]["status"] == "provision_started"
        clock.now += 2
        found = await _status(api, item)
        assert found["status"] == "provision_finished" and found["formData"] == {"quantityBox1": 9}
        params = {"orderitemid": item["orderItemId"]}
        cancelled = await api.post("/orders/cancel", params=params, headers=headers())
        twice = await api.post("/orders/cancel", params=params, headers=headers())
        elsewhere = await api.post("/orders/cancel", params=params, headers=headers(GLOBEX))
    assert cancel_in_cart.status_code == 400 and "in_cart" in cancel_in_cart.json()["message"]
    assert cancel_started.status_code == 400 and "provision_started" in cancel_started.json()["message"]
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert twice.status_code == 400 and "cancelled" in twice.json()["message"]
    assert elsewhere.status_code == 404


async def test_delete_takes_an_item_out_of_the_cart(tmp_path: Path) -> None:
    async with client(tmp_path / "a.sqlite") as api:
        item = await _cart(api)
        deleted = await _operate(api, item, "delete")
        gone = await api.get(f"/orders/{item['orderId']}", headers=headers())
        quote = await _operate(api, await _cart(api), "create_quote")
    assert deleted.status_code == 200 and gone.status_code == 404
    assert quote.status_code == 400


async def test_control_api_counts_and_injects_faults(tmp_path: Path) -> None:
    async with client(tmp_path / "a.sqlite") as api:
        await api.post(
            "/_sandbox/faults", json={"route": "POST /orders/", "status": 503, "after_commit": True}
        )
        body = {"OfferId": M365_BUSINESS, "OrderItemId": str(uuid.uuid4()), "FormData": FORM}
        lost = await api.post("/orders/", json=body, headers=headers())
        listed = (await api.get("/orders/", headers=headers())).json()["orders"]
        stats = (await api.get("/_sandbox/stats")).json()
        await api.post("/_sandbox/reset")
        after = (await api.get("/orders/", headers=headers())).json()["orders"]
        offers = (await api.get("/_sandbox/offers")).json()
    assert lost.status_code == 503 and len(listed) == 1
    assert stats["requests"] == {"GET /orders/": 1, "POST /orders/": 1} and stats["writes"] == 1
    assert after == [] and {o["outcome"] for o in offers} == {"finish", "fail", "approval"}
