"""The Order API calls shelf makes, as plain requests returning the platform's JSON.

Every call carries the subscription key, ``api-version: 3.1``, ``X-On-Behalf-Of`` (the organization) and
``Referer`` (the portal URL). Readings where ``order-api.md`` is silent, kept loose on the reading side:
bodies are sent PascalCase (``OfferId``, ``OrderItemId``, ``OrderId``, ``FormData``, ``Operations``);
answers are read camelCase or PascalCase alike; ``GET /orders/`` lists the organization's orders as
``{"orders": [...]}`` (a bare list, or ``items``/``value``, is read as well) with their items.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from engine.errors import AuthError
from engine.http import HttpClient, decode_json
from engine.secrets import Secret

API_VERSION = "3.1"
KEY_HEADER = "Ocp-Apim-Subscription-Key"

RawItem = dict[str, Any]
"""An order item as answered, plus ``orderId`` (from its order) when it came from a list."""


def field(raw: Any, name: str) -> Any:
    """``raw[name]``, whether the platform wrote it camelCase or PascalCase."""
    if not isinstance(raw, dict):
        return None
    if name in raw:
        return raw[name]
    return raw.get(name[:1].upper() + name[1:])


def encode(body: Any) -> bytes:
    """JSON with exact decimals written as numbers (form data may hold them)."""

    def number(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        raise TypeError(f"not JSON: {value!r}")

    return json.dumps(body, default=number).encode()


def items_of(order: Any) -> list[RawItem]:
    """The items of one order answer, each knowing its order id."""
    order_id = field(order, "orderId")
    items = field(order, "items") or field(order, "orderItems") or []
    if not items and field(order, "orderItemId"):
        items = [order]
    result = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            result.append({**item, "orderId": field(item, "orderId") or order_id})
    return result


class AppXiteApi:
    def __init__(self, http: HttpClient, key: Secret, referer: str):
        self.http = http
        self._key = key
        self.referer = referer

    async def _send(self, method: str, path: str, organization: str, **options: Any) -> httpx.Response:
        """One Order API call; a 401 names every credential the gateway checks, not just the token."""
        try:
            return await self.http.request(method, path, headers=self._headers(organization), **options)
        except AuthError as exc:
            if exc.status != 401:
                raise
            raise AuthError(
                exc.message,
                where=exc.where,
                hint="check subscription_key, client_id and client_secret of this target",
                status=401,
            ) from None

    def _headers(self, organization: str) -> dict[str, str]:
        return {
            KEY_HEADER: self._key.reveal(),
            "api-version": API_VERSION,
            "X-On-Behalf-Of": organization,
            "Referer": self.referer,
            "Content-Type": "application/json",
        }

    async def items(self, organization: str) -> list[RawItem]:
        """Every order item of the organization, in-cart ones included, oldest first."""
        response = await self._send("GET", "/orders/", organization)
        body = decode_json(response)
        orders = (
            body
            if isinstance(body, list)
            else (field(body, "orders") or field(body, "items") or field(body, "value") or [])
        )
        return [item for order in orders for item in items_of(order)]

    async def find(self, organization: str, item_id: str) -> RawItem | None:
        """One order item by its id, from the organization's list."""
        for item in await self.items(organization):
            if str(field(item, "orderItemId") or "").lower() == item_id:
                return item
        return None

    async def order_item(self, organization: str, order_id: str, item_id: str) -> RawItem | None:
        response = await self._send("GET", f"/orders/{order_id}", organization)
        for item in items_of(decode_json(response)):
            if str(field(item, "orderItemId") or "").lower() == item_id:
                return {**item, "orderId": field(item, "orderId") or order_id}
        return None

    async def add_to_cart(self, organization: str, offer: str, item_id: str, form_data: Any) -> RawItem:
        body = {"OfferId": offer, "OrderItemId": item_id, "FormData": form_data}
        response = await self._send("POST", "/orders/", organization, content=encode(body))
        answer = decode_json(response)
        found = items_of(answer)
        return found[0] if found else {**answer, "orderItemId": item_id}

    async def operate(
        self, organization: str, operation: str, item: RawItem, offer: str, form_data: Any
    ) -> None:
        body = {
            "OrderId": field(item, "orderId"),
            "OfferId": offer,
            "OrderItemId": field(item, "orderItemId"),
            "FormData": form_data,
            "Operations": [operation],
        }
        await self._send("POST", "/orders/operation", organization, content=encode(body))

    async def cancel(self, organization: str, item_id: str) -> None:
        await self._send("POST", "/orders/cancel", organization, params={"orderitemid": item_id})
