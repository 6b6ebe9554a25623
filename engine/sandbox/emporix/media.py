"""The media service's assets: uploaded files (``BLOB``) and links (``LINK``) that point at products and
categories through ``refIds``.

Readings where the reference and tutorial are silent:

* A ``BLOB`` is created with ``multipart/form-data`` holding exactly one ``file`` part and one ``body``
  part (the JSON asset, sent as a text field or as a part with ``Content-Type: application/json``); a
  ``LINK`` with an ``application/json`` body. Any other content type or part is a 400. Files may be up
  to 10 MB (10 * 1024 * 1024 bytes; 413 beyond).
* ``PRIVATE`` assets cannot point at the predefined types ``BRAND``, ``CATEGORY``, ``LABEL``, ``PRODUCT``
  or ``MODULE`` (400, as the tutorial says); ``PRODUCT`` and ``CATEGORY`` references must exist (400).
* ``details.filename`` defaults to the uploaded file's name and ``details.mimeType`` to the part's
  declared type, else a guess from the name. The service adds ``details.bytes`` and ``details.etag``,
  the hex MD5 digest of the bytes, which a client can compare with a local file's digest.
* Custom data lives in ``mixins`` (an object per mixin), each with its schema URL in
  ``metadata.mixins``; a schema URL without the mixin's values is a 400 ("must be provided together").
  A client can keep its own content hash there, for example ``mixins.shelf.sha256``.
* A public blob is served at ``url`` = ``<app root>/_sandbox/media/{id}/{filename}``, without a token;
  a private one only through ``GET .../download``, which answers its bytes as ``text/plain`` (the type
  the reference declares) with the ``ETag``, and redirects (301) for public assets and links.
* ``PUT`` replaces ``refIds``, ``mixins``, ``metadata.mixins`` and ``details``; ``type`` and ``access``
  cannot change (400). A blob's ``PUT`` is multipart with both parts, as ``AssetUpdateMultipart``
  requires them: one without the ``file`` part is a 400 in the media service's error shape (``details``
  ``["file: one file part is required"]``), so any change to a blob, even of its references or mixins
  alone, sends its bytes again; they replace the stored ones. ``metadata.version`` is required when
  ``metadata`` is sent and must be the current one (409). New assets are version 1.
* Deleting an asset that does not exist is a 204, as the operation documents no 404.
"""

from __future__ import annotations

import copy
import hashlib
import mimetypes
import sqlite3
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.control import CONTROL_PREFIX
from engine.sandbox.emporix.auth import scoped
from engine.sandbox.emporix.context import Shop, new_id
from engine.sandbox.emporix.db import ASSETS, CATEGORIES, PRODUCTS, Doc, asset_url
from engine.sandbox.emporix.errors import (
    EmporixError,
    bad_request,
    conflict,
    invalid_field,
    not_found,
)
from engine.sandbox.emporix.exact_json import JsonResponse, loads
from engine.sandbox.emporix.requests import (
    PAGING,
    TEXT,
    check,
    created,
    dotted,
    filter_q,
    list_response,
    no_content,
    params_schema,
    read_json,
    read_params,
    sort_items,
)
from engine.sandbox.emporix.schemas_media import (
    BLOB_CREATE,
    BLOB_UPDATE,
    LINK_CREATE,
    LINK_UPDATE,
    PREDEFINED_REFS,
)

BASE = "/media/{tenant}/assets"
READ = "media.asset_read"
MANAGE = "media.asset_manage"
MAX_BYTES = 10 * 1024 * 1024
MAX_BODY_PART = 1024 * 1024
LIST_PARAMS = params_schema(**PAGING, q=TEXT)


def _kind(request: Request) -> str:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        return "BLOB"
    if content_type == "application/json":
        return "LINK"
    raise bad_request("The request must be multipart/form-data (BLOB) or application/json (LINK).")


async def _multipart(request: Request, shop: Shop) -> tuple[Any, UploadedFile]:
    """The ``body`` JSON and the ``file`` part of a multipart request; both are required, on creates and
    on updates alike."""
    try:
        form = await request.form(max_files=2, max_fields=2, max_part_size=MAX_BODY_PART)
    except MultiPartException as exc:
        raise bad_request(f"Malformed multipart body: {exc.message}") from None
    try:
        errors: dict[str, list[str]] = {}
        bodies = form.getlist("body")
        files = [f for f in form.getlist("file") if isinstance(f, UploadFile)]
        for name in form:
            if name not in ("body", "file"):
                errors.setdefault(name, []).append("unknown part")
        if len(bodies) != 1:
            errors.setdefault("body", []).append("required once")
        if len(files) != 1 or len(files) != len(form.getlist("file")):
            errors.setdefault("file", []).append("one file part is required")
        if errors:
            raise EmporixError(400, "Validation problem with request body.", errors=errors)
        raw = bodies[0]
        text = await raw.read() if isinstance(raw, UploadFile) else raw
        try:
            body = loads(text)
        except ValueError as exc:
            raise invalid_field("body", str(exc)) from None
        data = await files[0].read()
        shop.sandbox.stats.add_upload_bytes(len(data))
        upload = UploadedFile(files[0].filename or "file", files[0].content_type, data)
    finally:
        await form.close()
    if len(upload.data) > MAX_BYTES:
        raise EmporixError(413, f"The file is larger than {MAX_BYTES} bytes.")
    return body, upload


class UploadedFile:
    def __init__(self, filename: str, content_type: str | None, data: bytes):
        self.filename = filename
        self.content_type = content_type
        self.data = data


def _check_refs(db: sqlite3.Connection, body: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for i, ref in enumerate(body.get("refIds", [])):
        if ref["type"] in PREDEFINED_REFS and body["access"] == "PRIVATE":
            errors.setdefault(f"refIds.{i}.type", []).append(
                f"a PRIVATE asset cannot point at a {ref['type']}"
            )
        table = {"PRODUCT": PRODUCTS, "CATEGORY": CATEGORIES}.get(ref["type"])
        if table is not None and table.get(db, ref["id"]) is None:
            errors.setdefault(f"refIds.{i}.id", []).append(
                f"{ref['type'].lower()} {ref['id']} does not exist"
            )
    mixins = body.get("mixins", {})
    for name in (body.get("metadata") or {}).get("mixins", {}):
        if name not in mixins:
            errors.setdefault(f"mixins.{name}", []).append("required with metadata.mixins." + name)
    if errors:
        raise EmporixError(400, "Validation problem with request body.", errors=errors)


def _details(body: Mapping[str, Any], upload: UploadedFile, old: Doc | None = None) -> Doc:
    given = dict(body.get("details") or {})
    filename = given.get("filename") or (old or {}).get("details", {}).get("filename") or upload.filename
    mime = given.get("mimeType") or upload.content_type or mimetypes.guess_type(upload.filename)[0]
    return {
        "filename": filename,
        "mimeType": mime or "application/octet-stream",
        "bytes": len(upload.data),
        "etag": hashlib.md5(upload.data).hexdigest(),
    }


def _stored(shop: Shop, body: Mapping[str, Any], asset_id: str, old: Doc | None) -> Doc:
    doc: Doc = {"id": asset_id, "type": body["type"], "access": body["access"]}
    for field in ("refIds", "mixins", "url"):
        if field in body and not (field == "url" and body["type"] == "BLOB"):
            doc[field] = copy.deepcopy(body[field])
    now = shop.timestamp()
    metadata: Doc = {}
    if "mixins" in (body.get("metadata") or {}):
        metadata["mixins"] = body["metadata"]["mixins"]
    metadata.update(
        version=old["metadata"]["version"] + 1 if old else 1,
        createdAt=old["metadata"]["createdAt"] if old else now,
        modifiedAt=now,
    )
    doc["metadata"] = metadata
    return doc


def _shown(doc: Doc, base_url: str) -> Doc:
    out = dict(doc)
    if doc["type"] == "BLOB" and doc["access"] == "PUBLIC":
        out["url"] = asset_url(base_url, doc)
    return out


def media_endpoints(shop: Shop) -> list[Endpoint]:
    async def create(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        kind = _kind(request)
        upload = None
        if kind == "BLOB":
            body, upload = await _multipart(request, shop)
            check(BLOB_CREATE, body)
        else:
            body = await read_json(request, LINK_CREATE)
        asset_id = body.get("id") or new_id()
        with shop.store.write() as db:
            if ASSETS.get(db, asset_id) is not None:
                raise conflict(f"An asset with id {asset_id} already exists.")
            _check_refs(db, body)
            doc = _stored(shop, body, asset_id, None)
            data = None
            if upload is not None:
                doc["details"] = _details(body, upload)
                data = upload.data
            ASSETS.save(db, doc)
            db.execute("UPDATE emporix_assets SET data = ? WHERE id = ?", (data, asset_id))
        return created({"id": asset_id})

    async def update(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        asset_id = request.path_params["assetId"]
        kind = _kind(request)
        upload = None
        if kind == "BLOB":
            body, upload = await _multipart(request, shop)
            check(BLOB_UPDATE, body)
        else:
            body = await read_json(request, LINK_UPDATE)
        if body.get("id", asset_id) != asset_id:
            raise invalid_field("id", "must match the id in the path")
        with shop.store.write() as db:
            old = ASSETS.get(db, asset_id)
            if old is None:
                raise not_found(f"Asset with id {asset_id} not found.", resourceId=asset_id)
            for field in ("type", "access"):
                if body[field] != old[field]:
                    raise invalid_field(field, f"is immutable ({old[field]})")
            version = (body.get("metadata") or {}).get("version")
            if version is not None and version != old["metadata"]["version"]:
                raise conflict("The asset was changed in the meantime; retry with its current version.")
            _check_refs(db, body)
            doc = _stored(shop, body, asset_id, old)
            if upload is not None:
                doc["details"] = _details(body, upload, old)
                ASSETS.save(db, doc)
                db.execute("UPDATE emporix_assets SET data = ? WHERE id = ?", (upload.data, asset_id))
            else:
                ASSETS.save(db, doc)
        return no_content()

    async def list_assets(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, LIST_PARAMS)
        base_url = str(request.base_url).rstrip("/")
        with shop.store.read() as db:
            docs = [_shown(d, base_url) for d in ASSETS.all(db)]
        docs = filter_q(docs, params)
        sort_items(docs, params.get("sort"), dotted)
        return list_response(request, docs, params)

    async def get_one(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        asset_id = request.path_params["assetId"]
        with shop.store.read() as db:
            doc = ASSETS.get(db, asset_id)
        if doc is None:
            raise not_found(f"Asset with id {asset_id} not found.", resourceId=asset_id)
        return JsonResponse(_shown(doc, str(request.base_url).rstrip("/")))

    async def download(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        asset_id = request.path_params["assetId"]
        with shop.store.read() as db:
            doc = ASSETS.get(db, asset_id)
            row = db.execute("SELECT data FROM emporix_assets WHERE id = ?", (asset_id,)).fetchone()
        if doc is None:
            raise not_found(f"Asset with id {asset_id} not found.", resourceId=asset_id)
        if doc["type"] == "LINK" or doc["access"] == "PUBLIC":
            return RedirectResponse(_shown(doc, str(request.base_url).rstrip("/"))["url"], status_code=301)
        headers = {"ETag": doc["details"]["etag"]}
        return Response(bytes(row["data"]), media_type="text/plain", headers=headers)

    async def delete(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        with shop.store.write() as db:
            ASSETS.delete(db, request.path_params["assetId"])
        return no_content()

    one = BASE + "/{assetId}"
    return [
        Endpoint("GET", BASE, scoped(list_assets, READ, MANAGE)),
        Endpoint("POST", BASE, scoped(create, MANAGE)),
        Endpoint("GET", one, scoped(get_one, READ)),
        Endpoint("PUT", one, scoped(update, MANAGE)),
        Endpoint("DELETE", one, scoped(delete, MANAGE)),
        Endpoint("GET", one + "/download", scoped(download, READ)),
    ]


def public_media_route(shop: Shop) -> BaseRoute:
    """``GET /_sandbox/media/{id}/{filename}``: a public blob's bytes, as its ``url`` promises."""

    async def serve(request: Request) -> Response:
        asset_id = request.path_params["assetId"]
        with shop.store.read() as db:
            doc = ASSETS.get(db, asset_id)
            row = db.execute("SELECT data FROM emporix_assets WHERE id = ?", (asset_id,)).fetchone()
        if doc is None or doc["type"] != "BLOB" or doc["access"] != "PUBLIC":
            return JsonResponse({"message": f"no public asset {asset_id}"}, status_code=404)
        headers = {"ETag": doc["details"]["etag"]}
        return Response(bytes(row["data"]), media_type=doc["details"]["mimeType"], headers=headers)

    return Route(f"{CONTROL_PREFIX}/media/{{assetId}}/{{filename}}", serve, methods=["GET"])
