"""The xPage files endpoints of the sandbox, and the download route behind every file's ``url``.

Readings where the API page is silent:

* ``POST /file`` answers 201. Without ``role``, a file linked to a product is ``product_images`` when it
  is an image and ``digital_product`` otherwise; linked to a variant, ``variant_image`` or
  ``digital_product`` likewise. A role must fit its ``fileable_type`` (``product_images``,
  ``digital_product`` and ``ugc_video`` for products, ``variant_image`` and ``digital_product`` for
  variants, ``landing_page_images`` and ``review_images`` for those). The sandbox has no landing pages
  or reviews, so linking to one is a 422 like any unknown id.
* ``order`` None appends after the owner's files in that role.
* Whether the link also shows the file on its owner (a product's ``images``, a variant's ``image`` or
  ``file``) is the ``file_links`` reading of :mod:`engine.sandbox.xpage.readings`; by default it does not.
* Unlinking a file that is not linked to that owner succeeds and changes nothing.
* ``from``/``to`` take an ISO date (``2026-01-31``: the whole day), an ISO date-time, or a Unix timestamp.
* Downloads at ``/_sandbox/files/{id}/{name}`` need no token, as public file URLs of a shop do not.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.forms import read_form
from engine.sandbox.query import Page, paginated, read_query, typed_text
from engine.sandbox.responses import ApiError, FieldErrors, data, invalid, not_found
from engine.sandbox.xpage import file_store as files
from engine.sandbox.xpage.context import Shop, origin, timestamp
from engine.sandbox.xpage.schemas import FILE_QUERY, FILE_TYPES, UPLOAD_FIELDS

ROLES_FOR = {
    "product": ("product_images", "digital_product", "ugc_video"),
    "variant": ("variant_image", "digital_product"),
    "landing_page": ("landing_page_images",),
    "review": ("review_images",),
}
OWNER_TABLES = {"product": "xpage_products", "variant": "xpage_variants"}


def _default_role(fileable_type: str, is_image: bool) -> str:
    if fileable_type == "product":
        return "product_images" if is_image else "digital_product"
    if fileable_type == "variant":
        return "variant_image" if is_image else "digital_product"
    return ROLES_FOR[fileable_type][0]


def _bound(text: str, *, upper: bool) -> str | None:
    """A ``from``/``to`` value as a comparable timestamp, or None when it reads as no date."""
    if re.fullmatch(r"\d{1,12}", text):
        return timestamp(int(text))
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = datetime.combine(date.fromisoformat(text), time(), UTC)
            return timestamp((day + timedelta(days=1, seconds=-1) if upper else day).timestamp())
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return timestamp((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def _list_where(params: dict[str, Any]) -> tuple[list[str], list[Any], FieldErrors]:
    where: list[str] = []
    args: list[Any] = []
    errors: FieldErrors = {}
    link = "EXISTS (SELECT 1 FROM xpage_file_links l WHERE l.file_id = f.id"
    if "fileable_type" in params and "fileable_id" in params:
        where.append(f"{link} AND l.fileable_type = ? AND l.fileable_id = ?)")
        args += [params["fileable_type"], params["fileable_id"]]
    elif "fileable_type" in params or "fileable_id" in params:
        column = "fileable_type" if "fileable_type" in params else "fileable_id"
        where.append(f"{link} AND l.{column} = ?)")
        args.append(params[column])
    if "mime_type" in params:
        patterns = [p.strip() for p in params["mime_type"].split(",") if p.strip()]
        clauses = []
        for pattern in patterns:
            if pattern.endswith("/*"):
                clauses.append("f.mime_type LIKE ?")
                args.append(pattern[:-1] + "%")
            else:
                clauses.append("f.mime_type = ?")
                args.append(pattern)
        where.append("(" + " OR ".join(clauses or ["0"]) + ")")
    for name, op in (("from", ">="), ("to", "<=")):
        if name in params:
            bound = _bound(params[name], upper=name == "to")
            if bound is None:
                errors[name] = ["must be an ISO date, an ISO date-time or a Unix timestamp"]
            where.append(f"f.created_at {op} ?")
            args.append(bound)
    return where, args, errors


def _owner_exists(db: sqlite3.Connection, fileable_type: str, fileable_id: str) -> bool:
    table = OWNER_TABLES.get(fileable_type)
    return (
        table is not None
        and db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (fileable_id,)).fetchone() is not None
    )


def file_endpoints(shop: Shop) -> list[Endpoint]:
    def existing(db: sqlite3.Connection, file_id: str) -> sqlite3.Row:
        row = files.file_row(db, file_id)
        if row is None:
            raise not_found(f"file {file_id}")
        return row

    async def upload(request: Request, principal: Principal | None) -> Response:
        form = await read_form(
            request,
            text=("fileable_type", "fileable_id", "role", "order", "alt"),
            files=("file",),
            stats=shop.sandbox.stats,
        )
        fields = typed_text(form.text, UPLOAD_FIELDS, ignore_unknown=False)
        parts = form.files.get("file", [])
        if len(parts) != 1:
            raise invalid({"file": ["required" if not parts else "send exactly one file"]})
        part = parts[0]
        owner_type, owner_id = fields.get("fileable_type"), fields.get("fileable_id")
        role = fields.get("role")
        if role is None and owner_type is not None:
            role = _default_role(owner_type, files.image_type(part.data) is not None)
        errors: FieldErrors = {}
        problems = files.upload_problems(part, image=role in files.IMAGE_ROLES)
        if problems:
            errors["file"] = problems
        if owner_type is None and role is not None:
            errors["role"] = ["needs fileable_type and fileable_id: a role is what the file is to its owner"]
        if owner_type is not None and role not in ROLES_FOR[owner_type]:
            errors["role"] = [f"a {owner_type} takes the roles {', '.join(ROLES_FOR[owner_type])}"]
        with shop.store.write() as db:
            if (
                owner_type is not None
                and owner_id is not None
                and not _owner_exists(db, owner_type, owner_id)
            ):
                errors["fileable_id"] = [f"no {owner_type} with this id"]
            if errors:
                raise invalid(errors)
            file_id = files.insert_file(db, part, alt=fields.get("alt"), now=shop.now())
            if owner_type is not None and owner_id is not None and role is not None:
                placed = shop.readings(db).links_place
                files.link(db, file_id, owner_type, owner_id, role, fields.get("order"), placed=placed)
            body = files.file_json(existing(db, file_id), origin(request))
        return data({"file": body}, status=201)

    async def list_all(request: Request, principal: Principal | None) -> Response:
        params = read_query(request, FILE_QUERY)
        where, args, errors = _list_where(params)
        if errors:
            raise invalid(errors)
        page = Page.of(params)
        sql_where = f" WHERE {' AND '.join(where)}" if where else ""
        direction = "DESC" if page.descending else "ASC"
        with shop.store.read() as db:
            total = db.execute(f"SELECT COUNT(*) FROM xpage_files f{sql_where}", args).fetchone()[0]
            rows = db.execute(
                "SELECT f.id, f.name, f.size, f.alt, f.mime_type, f.created_at FROM xpage_files f"
                f"{sql_where} ORDER BY f.created_at {direction}, f.seq {direction} LIMIT ? OFFSET ?",
                [*args, page.size, page.offset],
            ).fetchall()
        base = origin(request)
        return data(paginated("files", [files.file_json(r, base) for r in rows], total, page))

    async def get_one(request: Request, principal: Principal | None) -> Response:
        with shop.store.read() as db:
            return data({"file": files.file_json(existing(db, request.path_params["id"]), origin(request))})

    async def delete(request: Request, principal: Principal | None) -> Response:
        with shop.store.write() as db:
            existing(db, request.path_params["id"])
            db.execute("DELETE FROM xpage_files WHERE id = ?", (request.path_params["id"],))
        return data({})

    async def unlink(request: Request, principal: Principal | None) -> Response:
        owner_type = request.path_params["fileable_type"]
        if owner_type not in FILE_TYPES:
            raise invalid({"fileable_type": [f"must be one of: {', '.join(FILE_TYPES)}"]})
        with shop.store.write() as db:
            row = existing(db, request.path_params["id"])
            db.execute(
                "DELETE FROM xpage_file_links WHERE file_id = ? AND fileable_type = ? AND fileable_id = ?",
                (row["id"], owner_type, request.path_params["fileable_id"]),
            )
        return data({"file": files.file_json(row, origin(request))})

    return [
        Endpoint("POST", "/file", upload, permission="file:upload"),
        Endpoint("GET", "/file", list_all, permission="file:browse"),
        Endpoint("GET", "/file/{id}", get_one, permission="file:browse"),
        Endpoint("POST", "/file/{id}", delete, permission="file:delete"),
        Endpoint("DELETE", "/file/{id}/link/{fileable_type}/{fileable_id}", unlink, permission="file:delete"),
    ]


def download_route(shop: Shop) -> Route:
    async def download(request: Request) -> Response:
        rows = shop.store.query(
            "SELECT name, mime_type, data FROM xpage_files WHERE id = ?", (request.path_params["id"],)
        )
        if not rows or rows[0]["name"] != request.path_params["name"]:
            raise ApiError(404, "no such file")
        return Response(bytes(rows[0]["data"]), media_type=rows[0]["mime_type"])

    return Route(f"/{files.FILES_PATH}/{{id}}/{{name:path}}", download, methods=["GET"])
