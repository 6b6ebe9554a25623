"""multipart/form-data bodies: text fields and file parts, checked by name, read into memory.

Platforms that take uploads as multipart parts name them PHP-style (``images[]``); a body may only carry
the parts an endpoint declares, so a misspelt part is a 422 rather than silently ignored. The bytes of every
file part count towards the ``upload_bytes`` statistic.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from engine.sandbox.responses import FieldErrors, invalid
from engine.sandbox.stats import Stats

MAX_TEXT_PART = 4 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """One file part. ``filename`` is exactly as the client sent it."""

    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class Form:
    text: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[Upload]] = field(default_factory=dict)


def _base_name(name: str) -> str:
    """``images[]`` and ``images[3]`` are both the ``images[]`` list."""
    return re.sub(r"\[\d*\]$", "[]", name)


async def read_form(
    request: Request,
    *,
    text: Collection[str] = (),
    files: Collection[str] = (),
    stats: Stats | None = None,
) -> Form:
    """The multipart body of ``request``. ``text`` names the allowed text fields and ``files`` the allowed
    file parts (a name ending in ``[]`` takes many); anything else is a 422 naming it."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise invalid({"body": ["must be multipart/form-data"]})
    try:
        raw = await request.form(max_files=1000, max_fields=1000, max_part_size=MAX_TEXT_PART)
    except MultiPartException as exc:
        raise invalid({"body": [f"malformed multipart body: {exc.message}"]}) from None
    form = Form()
    errors: FieldErrors = {}
    try:
        for name, value in raw.multi_items():
            key = _base_name(name)
            if isinstance(value, UploadFile):
                if key not in files:
                    errors.setdefault(name, []).append(
                        "unknown file part" if key not in text else "must be text"
                    )
                    continue
                data = await value.read()
                if stats is not None:
                    stats.add_upload_bytes(len(data))
                upload = Upload(key, value.filename or "", value.content_type, data)
                form.files.setdefault(key, []).append(upload)
            elif key in text:
                if key in form.text:
                    errors.setdefault(name, []).append("given more than once")
                form.text[key] = value
            else:
                errors.setdefault(name, []).append("must be a file" if key in files else "unknown field")
    finally:
        await raw.close()
    if errors:
        raise invalid(errors)
    return form
