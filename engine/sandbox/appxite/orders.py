"""The Order API: add to cart, operations (``place_order``, ``update``, ``delete``), retrieve, list
and cancel, as ``order-api.md`` describes them.

Readings where the page is silent (``docs/platforms/appxite.md`` lists them):

* Request bodies are PascalCase as the page words them: ``{"OfferId", "OrderItemId", "FormData"}`` to
  add to the cart, plus ``"OrderId"`` and ``"Operations": ["place_order"]`` (a list of operation names,
  exactly one per call) for an operation. Answers are camelCase.
* Each add to cart makes a new order (cart) holding that one item; order and order item ids are GUIDs
  and an order item id is used once: adding it again is a 400.
* ``FormData`` must satisfy the offer's form schema (400 naming each field). ``place_order`` needs the
  item in the cart and the same offer and form data it was added with. ``update`` on an item in the cart
  replaces its form data; on a ``provision_finished`` item it provisions the new form data. ``delete``
  removes an item from the cart. An operation the item's status does not allow is a 400 naming the status;
  ``schedule_order`` and ``create_quote`` are not emulated (400).
* ``GET /orders/`` lists the organization's orders (in-cart ones included) as
  ``{"orders": [{"orderId", "status", "items": [...]}]}``, oldest first; ``GET /orders/{orderId}`` is
  one such order. An order's status is its item's.
* Two other readings of the answers are switchable (``create_app(answers="pascal",
  orders_envelope=False)``), so the provider is tested against them too: PascalCase field names, and
  ``GET /orders/`` answering a bare list of orders.
* ``POST /orders/cancel?orderitemid=`` cancels a ``provision_finished`` item (status ``cancelled``);
  any other status is a 400 naming it; an item unknown in the organization is a 404.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.sandbox.api import Endpoint, Sandbox
from engine.sandbox.appxite import provisioning as p
from engine.sandbox.appxite.gateway import READ, WRITE, Gateway, body_of, is_guid
from engine.sandbox.auth import Clock, Principal
from engine.sandbox.responses import ApiError, not_found
from engine.sandbox.validation import UUID, SchemaValidator

OPERATIONS = ("place_order", "delete", "update", "schedule_order", "create_quote")
AVAILABLE = {
    p.IN_CART: ["place_order", "delete", "update", "schedule_order", "create_quote"],
    p.FINISHED: ["update"],
}

CART_REQUEST = SchemaValidator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["OfferId", "OrderItemId", "FormData"],
        "properties": {"OfferId": UUID, "OrderItemId": UUID, "FormData": {"type": "object"}},
    }
)
OPERATION_REQUEST = SchemaValidator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["OrderId", "OfferId", "OrderItemId", "FormData", "Operations"],
        "properties": {
            "OrderId": UUID,
            "OfferId": UUID,
            "OrderItemId": UUID,
            "FormData": {"type": "object"},
            "Operations": {
                "type": "array",
                "minItems": 1,
                "maxItems": 1,
                "items": {"enum": list(OPERATIONS)},
            },
        },
    }
)


def dumps(value: Any) -> str:
    """Form data as stored: JSON, exact decimals written as numbers."""

    def number(v: Any) -> Any:
        if isinstance(v, Decimal):
            return int(v) if v == v.to_integral_value() else float(v)
        raise TypeError(f"not JSON: {v!r}")

    return json.dumps(value, default=number, sort_keys=True)


def loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def item_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "orderItemId": row["id"],
        "offerId": row["offer_id"],
        "formData": json.loads(row["form_data"]),
        "status": row["status"],
        "statusReason": row["status_reason"],
        "availableOperations": AVAILABLE.get(row["status"], []),
    }


def order_json(order_id: str, items: list[sqlite3.Row]) -> dict[str, Any]:
    return {
        "orderId": order_id,
        "status": items[0]["status"] if items else None,
        "items": [item_json(r) for r in items],
    }


def _pascal(value: Any) -> Any:
    """Field names PascalCase at every depth, except inside form data, which is the offer's own."""
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        k[:1].upper() + k[1:]: v if k == "formData" else _pascal(v) for k, v in value.items()
    }


class Orders:
    """The order endpoints of one sandbox."""

    def __init__(
        self,
        sandbox: Sandbox,
        gateway: Gateway,
        clock: Clock,
        *,
        answers: str = "camel",
        orders_envelope: bool = True,
    ):
        self.sandbox = sandbox
        self.gateway = gateway
        self.clock = clock
        self.pascal = answers == "pascal"
        self.envelope = orders_envelope

    def answer(self, payload: Any) -> JSONResponse:
        """An answer in the configured reading of the field names."""
        return JSONResponse(_pascal(payload) if self.pascal else payload)

    def _organization(self, request: Request) -> str:
        known = {r["id"] for r in self.sandbox.store.query("SELECT id FROM appxite_organizations")}
        return self.gateway.organization(request, known)

    def _settle(self) -> None:
        with self.sandbox.store.write() as db:
            p.settle(db, self.clock())

    def _offer(self, db: sqlite3.Connection, offer_id: str) -> sqlite3.Row:
        row = db.execute("SELECT * FROM appxite_offers WHERE id = ?", (offer_id.lower(),)).fetchone()
        if row is None:
            raise ApiError(400, f"unknown offer {offer_id}", errors={"OfferId": ["no such offer"]})
        return row

    def _check_form(self, offer: sqlite3.Row, form_data: Any) -> None:
        errors = SchemaValidator(json.loads(offer["form_schema"]), prefix="FormData")(form_data)
        if errors:
            raise ApiError(400, f"the form data does not fit offer {offer['id']}", errors=errors)

    def _item(self, db: sqlite3.Connection, item_id: str, organization: str) -> sqlite3.Row:
        row = db.execute(
            "SELECT * FROM appxite_items WHERE id = ? AND organization_id = ?",
            (item_id.lower(), organization),
        ).fetchone()
        if row is None:
            raise not_found(f"order item {item_id}")
        return row

    async def add_to_cart(self, request: Request, principal: Principal | None) -> Response:
        organization = self._organization(request)
        body = await body_of(request, CART_REQUEST)
        item_id = body["OrderItemId"].lower()
        order_id = str(uuid.uuid4())
        with self.sandbox.store.write() as db:
            offer = self._offer(db, body["OfferId"])
            self._check_form(offer, body["FormData"])
            if db.execute("SELECT 1 FROM appxite_items WHERE id = ?", (item_id,)).fetchone():
                raise ApiError(
                    400, f"order item {item_id} already exists", errors={"OrderItemId": ["already used"]}
                )
            db.execute(
                "INSERT INTO appxite_orders (id, organization_id, created_at) VALUES (?, ?, ?)",
                (order_id, organization, self.clock()),
            )
            db.execute(
                "INSERT INTO appxite_items (id, order_id, organization_id, offer_id, form_data, status)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (item_id, order_id, organization, offer["id"], dumps(body["FormData"]), p.IN_CART),
            )
            row = self._item(db, item_id, organization)
        return self.answer({"orderId": order_id, **item_json(row)})

    async def operation(self, request: Request, principal: Principal | None) -> Response:
        organization = self._organization(request)
        body = await body_of(request, OPERATION_REQUEST)
        self._settle()
        name = body["Operations"][0]
        with self.sandbox.store.write() as db:
            item = self._item(db, body["OrderItemId"], organization)
            if item["order_id"] != body["OrderId"].lower():
                raise ApiError(400, f"order item {item['id']} is not in order {body['OrderId']}",
                               errors={"OrderId": ["does not hold this order item"]})
            if item["offer_id"] != body["OfferId"].lower():
                raise ApiError(400, f"order item {item['id']} is for another offer",
                               errors={"OfferId": ["must be the offer the item was added with"]})
            if name not in AVAILABLE.get(item["status"], []):
                raise ApiError(
                    400, f"operation {name} is not available for an item in status {item['status']}"
                )
            offer = self._offer(db, item["offer_id"])
            self._check_form(offer, body["FormData"])
            handlers: dict[str, Callable[[], None]] = {
                "place_order": lambda: self._place(db, item, offer, body["FormData"]),
                "update": lambda: self._update(db, item, offer, body["FormData"]),
                "delete": lambda: self._delete(db, item),
            }
            if name not in handlers:
                raise ApiError(400, f"operation {name} is not supported by the sandbox")
            handlers[name]()
            if name == "delete":
                return self.answer({"orderId": item["order_id"], "status": "deleted", "items": []})
            rows = db.execute(
                "SELECT * FROM appxite_items WHERE order_id = ?", (item["order_id"],)
            ).fetchall()
        return self.answer(order_json(item["order_id"], rows))

    def _place(self, db: sqlite3.Connection, item: sqlite3.Row, offer: sqlite3.Row, form_data: Any) -> None:
        if form_data != loads(item["form_data"]):
            raise ApiError(400, "place_order needs the form data the item was added to the cart with",
                           errors={"FormData": ["differs from the cart item's form data"]})
        p.start(db, item["id"], offer, self.clock())

    def _update(self, db: sqlite3.Connection, item: sqlite3.Row, offer: sqlite3.Row, form_data: Any) -> None:
        db.execute("UPDATE appxite_items SET form_data = ? WHERE id = ?", (dumps(form_data), item["id"]))
        if item["status"] == p.FINISHED:
            p.start(db, item["id"], offer, self.clock())

    def _delete(self, db: sqlite3.Connection, item: sqlite3.Row) -> None:
        db.execute("DELETE FROM appxite_orders WHERE id = ?", (item["order_id"],))

    async def get_order(self, request: Request, principal: Principal | None) -> Response:
        organization = self._organization(request)
        order_id = request.path_params["orderId"].lower()
        if not is_guid(order_id):
            raise not_found(f"order {order_id}")
        self._settle()
        rows = self.sandbox.store.query(
            "SELECT * FROM appxite_items WHERE order_id = ? AND organization_id = ? ORDER BY seq",
            (order_id, organization),
        )
        if not rows:
            raise not_found(f"order {order_id}")
        return self.answer(order_json(order_id, rows))

    async def list_orders(self, request: Request, principal: Principal | None) -> Response:
        organization = self._organization(request)
        self._settle()
        rows = self.sandbox.store.query(
            "SELECT i.* FROM appxite_items i JOIN appxite_orders o ON o.id = i.order_id"
            " WHERE o.organization_id = ? ORDER BY o.seq, i.seq",
            (organization,),
        )
        by_order: dict[str, list[sqlite3.Row]] = {}
        for row in rows:
            by_order.setdefault(row["order_id"], []).append(row)
        orders = [order_json(o, items) for o, items in by_order.items()]
        return self.answer({"orders": orders} if self.envelope else orders)

    async def cancel(self, request: Request, principal: Principal | None) -> Response:
        organization = self._organization(request)
        item_id = request.query_params.get("orderitemid", "")
        if not is_guid(item_id):
            message = "required" if not item_id else "must be an order item id (GUID)"
            raise ApiError(400, f"orderitemid {message}", errors={"orderitemid": [message]})
        self._settle()
        with self.sandbox.store.write() as db:
            item = self._item(db, item_id, organization)
            if item["status"] != p.FINISHED:
                raise ApiError(
                    400,
                    f"order item {item['id']} cannot be cancelled in status {item['status']};"
                    f" only a {p.FINISHED} item can",
                )
            db.execute("UPDATE appxite_items SET status = ? WHERE id = ?", (p.CANCELLED, item["id"]))
            row = self._item(db, item["id"], organization)
        return self.answer({"orderId": row["order_id"], **item_json(row)})

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET", "/orders/", self.list_orders, permission=READ),
            Endpoint("POST", "/orders/", self.add_to_cart, permission=WRITE),
            Endpoint("POST", "/orders/operation", self.operation, permission=WRITE),
            Endpoint("POST", "/orders/cancel", self.cancel, permission=WRITE),
            Endpoint("GET", "/orders/{orderId}", self.get_order, permission=READ),
        ]
