"""The AppXite-only part of the sandbox control API: what the portal does and the API cannot.

* ``POST /_sandbox/approve {"orderItemId"}`` approves an item waiting for manual approval, as a person
  would in the portal: provisioning starts (400 unless the item is ``pending_approval``; 404 if unknown).
* ``GET /_sandbox/offers`` lists the offers; ``POST /_sandbox/offers {"id", "name", "form_schema",
  "outcome", "reason", "delay"}`` adds or replaces one: ``form_schema`` is the JSON Schema its form data
  must satisfy, ``outcome`` is ``finish``, ``fail`` (with ``reason``) or ``approval``, ``delay`` the
  seconds provisioning takes. ``POST /_sandbox/delay {"seconds"}`` sets every offer's delay at once.
* ``GET /_sandbox/organizations`` lists the organizations; ``POST`` adds ``{"id", "name"}``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from engine.sandbox.api import Sandbox
from engine.sandbox.appxite import provisioning as p
from engine.sandbox.appxite.orders import item_json
from engine.sandbox.auth import Clock
from engine.sandbox.control import CONTROL_PREFIX
from engine.sandbox.responses import ApiError, not_found
from engine.sandbox.validation import UUID, SchemaValidator, json_body

OFFER = SchemaValidator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name"],
        "properties": {
            "id": UUID,
            "name": {"type": "string", "minLength": 1},
            "form_schema": {"type": "object"},
            "outcome": {"enum": list(p.OUTCOMES)},
            "reason": {"type": ["string", "null"]},
            "delay": {"type": "number", "minimum": 0},
        },
    }
)
ORGANIZATION = SchemaValidator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name"],
        "properties": {"id": UUID, "name": {"type": "string", "minLength": 1}},
    }
)
APPROVAL = SchemaValidator(
    {"type": "object", "additionalProperties": False, "required": ["orderItemId"],
     "properties": {"orderItemId": UUID}}
)
DELAY = SchemaValidator(
    {"type": "object", "additionalProperties": False, "required": ["seconds"],
     "properties": {"seconds": {"type": "number", "minimum": 0}}}
)


def _offer_json(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "form_schema": json.loads(row["form_schema"]),
        "outcome": row["outcome"],
        "reason": row["reason"],
        "delay": row["delay"],
    }


def portal_routes(sandbox: Sandbox, clock: Clock) -> list[BaseRoute]:
    store = sandbox.store

    async def approve(request: Request) -> Response:
        item_id = (await json_body(request, APPROVAL))["orderItemId"].lower()
        with store.write() as db:
            p.settle(db, clock())
            item = db.execute("SELECT * FROM appxite_items WHERE id = ?", (item_id,)).fetchone()
            if item is None:
                raise not_found(f"order item {item_id}")
            if item["status"] != p.PENDING:
                raise ApiError(400, f"order item {item_id} is {item['status']}, not {p.PENDING}")
            offer = db.execute("SELECT * FROM appxite_offers WHERE id = ?", (item["offer_id"],)).fetchone()
            p.start(db, item_id, offer, clock(), approved=True)
            row = db.execute("SELECT * FROM appxite_items WHERE id = ?", (item_id,)).fetchone()
        return JSONResponse(item_json(row))

    async def offers(request: Request) -> Response:
        rows = store.query("SELECT * FROM appxite_offers ORDER BY name")
        return JSONResponse([_offer_json(r) for r in rows])

    async def put_offer(request: Request) -> Response:
        body = await json_body(request, OFFER)
        offer_id = body["id"].lower()
        with store.write() as db:
            old = db.execute("SELECT * FROM appxite_offers WHERE id = ?", (offer_id,)).fetchone()
            merged = {**(_offer_json(old) if old else {"form_schema": {"type": "object"},
                                                         "outcome": "finish", "reason": None, "delay": 0.5}),
                      **body, "id": offer_id}
            db.execute(
                "INSERT OR REPLACE INTO appxite_offers (id, name, form_schema, outcome, reason, delay)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (offer_id, merged["name"], json.dumps(merged["form_schema"], default=float),
                 merged["outcome"], merged["reason"], float(merged["delay"])),
            )
            row = db.execute("SELECT * FROM appxite_offers WHERE id = ?", (offer_id,)).fetchone()
        return JSONResponse(_offer_json(row), status_code=200 if old else 201)

    async def delay(request: Request) -> Response:
        seconds = float((await json_body(request, DELAY))["seconds"])
        with store.write() as db:
            db.execute("UPDATE appxite_offers SET delay = ?", (seconds,))
        return Response(status_code=204)

    async def organizations(request: Request) -> Response:
        rows = store.query("SELECT id, name FROM appxite_organizations ORDER BY name")
        return JSONResponse([dict(r) for r in rows])

    async def add_organization(request: Request) -> Response:
        body = await json_body(request, ORGANIZATION)
        with store.write() as db:
            db.execute("INSERT OR REPLACE INTO appxite_organizations (id, name) VALUES (?, ?)",
                       (body["id"].lower(), body["name"]))
        return JSONResponse({"id": body["id"].lower(), "name": body["name"]}, status_code=201)

    return [
        Route(f"{CONTROL_PREFIX}/approve", approve, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/offers", offers, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/offers", put_offer, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/delay", delay, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/organizations", organizations, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/organizations", add_organization, methods=["POST"]),
    ]
