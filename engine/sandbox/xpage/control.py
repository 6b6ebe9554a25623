"""The xPage-only part of the sandbox control API: the shop's categories.

The apps API can neither list nor create categories, yet products point at them by id. A real shop's
owner knows them from the admin; a sandbox's users ask ``GET /_sandbox/categories`` and add more with
``POST /_sandbox/categories {"name"}``. Adding a name that exists answers the existing one (200), a new
one is created (201); ids are :func:`~engine.sandbox.xpage.db.category_id` of the name.

``GET /_sandbox/readings`` shows which reading of the API document the shop follows where the document
allows several (:mod:`engine.sandbox.xpage.readings`); ``POST /_sandbox/readings {"updates": "replace"}``
switches the switches it names (422 for an unknown switch or reading) and answers all of them.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from engine.sandbox.control import CONTROL_PREFIX
from engine.sandbox.responses import invalid
from engine.sandbox.validation import json_body
from engine.sandbox.xpage.context import Shop
from engine.sandbox.xpage.db import category_id
from engine.sandbox.xpage.readings import problems, save
from engine.sandbox.xpage.schemas import NEW_CATEGORY


def category_routes(shop: Shop) -> list[BaseRoute]:
    async def list_all(request: Request) -> Response:
        rows = shop.store.query("SELECT id, name FROM xpage_categories ORDER BY name")
        return JSONResponse([{"id": r["id"], "name": r["name"]} for r in rows])

    async def add(request: Request) -> Response:
        name = (await json_body(request, NEW_CATEGORY))["name"]
        with shop.store.write() as db:
            row = db.execute("SELECT id, name FROM xpage_categories WHERE name = ?", (name,)).fetchone()
            if row is not None:
                return JSONResponse({"id": row["id"], "name": row["name"]})
            db.execute("INSERT INTO xpage_categories (id, name) VALUES (?, ?)", (category_id(name), name))
        return JSONResponse({"id": category_id(name), "name": name}, status_code=201)

    return [
        Route(f"{CONTROL_PREFIX}/categories", list_all, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/categories", add, methods=["POST"]),
    ]


def reading_routes(shop: Shop) -> list[BaseRoute]:
    async def show(request: Request) -> Response:
        with shop.store.read() as db:
            return JSONResponse(shop.readings(db).as_dict())

    async def switch(request: Request) -> Response:
        wanted = await json_body(request)
        if not isinstance(wanted, dict):
            raise invalid({"body": ["must be an object of switch: reading"]})
        wrong = problems(wanted)
        if wrong:
            raise invalid(wrong)
        with shop.store.write() as db:
            save(db, wanted)
            return JSONResponse(shop.readings(db).as_dict())

    return [
        Route(f"{CONTROL_PREFIX}/readings", show, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/readings", switch, methods=["POST"]),
    ]
