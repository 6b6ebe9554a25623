"""Stored files and their links to products and variants, as the xPage files API describes them.

Readings where the API page is silent:

* An image (role ``product_images`` or ``variant_image``, or an ``images[]`` part) must be JPEG, PNG, WebP
  or GIF as told by its first bytes, whatever its name or declared type, and at most 5 MB (5 * 1024 * 1024
  bytes), as the document says. It states no limit for other files: the emulator keeps one of its own,
  64 MB (:data:`MAX_FILE_BYTES`), because it holds every file in its SQLite database, and names it as its
  own in the 422.
* ``mime_type`` is the sniffed type for the formats above and PDF/ZIP/MP3/MP4, else guessed from the file
  name, else the part's declared type, else ``application/octet-stream``.
* A variant holds one image and one digital file: linking another in the same role replaces the link.
* A link is ``placed`` when its owner shows the file (a product's ``images``, a variant's ``image`` or
  ``file``), else it only associates the file with the owner (``POST /file`` under the ``reference``
  reading of :mod:`engine.sandbox.xpage.readings`); placing an associated file places its link.
* ``url`` and ``permanent_url`` are the same download address under ``/_sandbox/files/``; ``thumbnail`` is
  that address for images and null otherwise.
"""

from __future__ import annotations

import mimetypes
import sqlite3
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from engine.filetypes import image_type, sniff
from engine.sandbox.forms import Upload

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_FILE_BYTES = 64 * 1024 * 1024
"""The emulator's own limit for files other than images (it keeps them in SQLite); not xPage's."""
IMAGE_ROLES = frozenset({"product_images", "variant_image"})
SINGLE_ROLES = {"variant": frozenset({"variant_image", "digital_product"})}
FILES_PATH = "_sandbox/files"

def mime_type(upload: Upload) -> str:
    guessed, _ = mimetypes.guess_type(upload.filename, strict=False)
    return sniff(upload.data) or guessed or upload.content_type or "application/octet-stream"


def upload_problems(upload: Upload, *, image: bool) -> list[str]:
    """Why ``upload`` cannot be stored (as an image when ``image``), or nothing."""
    problems = []
    if not upload.filename:
        problems.append("has no file name")
    if image and image_type(upload.data) is None:
        problems.append("must be a JPEG, PNG, WebP or GIF image (judged by its content)")
    limit = MAX_IMAGE_BYTES if image else MAX_FILE_BYTES
    if len(upload.data) > limit:
        whose = "" if image else " (the sandbox's own limit; the API document states none)"
        problems.append(
            f"must be at most {limit // (1024 * 1024)} MB ({limit} bytes){whose}; it is {len(upload.data)}"
        )
    return problems


def insert_file(db: sqlite3.Connection, upload: Upload, *, alt: str | None, now: str) -> str:
    file_id = str(uuid.uuid4())
    db.execute(
        "INSERT INTO xpage_files (id, name, size, alt, mime_type, created_at, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (file_id, upload.filename, len(upload.data), alt, mime_type(upload), now, upload.data),
    )
    return file_id


def file_row(db: sqlite3.Connection, file_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT id, name, size, alt, mime_type, created_at FROM xpage_files WHERE id = ?", (file_id,)
    ).fetchone()
    return row


def file_json(row: sqlite3.Row, base: str) -> dict[str, Any]:
    """The documented file object; ``base`` is the app's root URL."""
    url = f"{base}{FILES_PATH}/{row['id']}/{quote(row['name'], safe='')}"
    return {
        "id": row["id"],
        "name": row["name"],
        "size": row["size"],
        "alt": row["alt"],
        "mime_type": row["mime_type"],
        "created_at": row["created_at"],
        "url": url,
        "permanent_url": url,
        "thumbnail": url if row["mime_type"].startswith("image/") else None,
    }


def linked(db: sqlite3.Connection, fileable_type: str, fileable_id: str, role: str) -> list[sqlite3.Row]:
    """Files an owner shows in one role, in link order."""
    return db.execute(
        "SELECT f.id, f.name, f.size, f.alt, f.mime_type, f.created_at, l.ord FROM xpage_file_links l"
        " JOIN xpage_files f ON f.id = l.file_id"
        " WHERE l.fileable_type = ? AND l.fileable_id = ? AND l.role = ? AND l.placed = 1"
        " ORDER BY l.ord, l.seq",
        (fileable_type, fileable_id, role),
    ).fetchall()


def link(
    db: sqlite3.Connection,
    file_id: str,
    fileable_type: str,
    fileable_id: str,
    role: str,
    order: int | None = None,
    *,
    placed: bool = True,
) -> None:
    """Link a file to an owner; ``order`` None appends. Placing a file in a single-file role replaces the
    previous one; a link that is not ``placed`` only associates, and never displaces a placed one."""
    if placed and role in SINGLE_ROLES.get(fileable_type, ()):
        unlink_role(db, fileable_type, fileable_id, role)
    if order is None:
        last = db.execute(
            "SELECT MAX(ord) FROM xpage_file_links WHERE fileable_type = ? AND fileable_id = ? AND role = ?",
            (fileable_type, fileable_id, role),
        ).fetchone()[0]
        order = 0 if last is None else last + 1
    db.execute(
        "INSERT INTO xpage_file_links (file_id, fileable_type, fileable_id, role, ord, placed)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (file_id, fileable_type, fileable_id, role) DO UPDATE SET"
        " ord = CASE WHEN excluded.placed >= placed THEN excluded.ord ELSE ord END,"
        " placed = MAX(placed, excluded.placed)",
        (file_id, fileable_type, fileable_id, role, order, int(placed)),
    )


def replace_links(
    db: sqlite3.Connection, fileable_type: str, fileable_id: str, role: str, files: Sequence[tuple[str, int]]
) -> None:
    """Make ``files`` ((file id, order) pairs) the whole set linked to an owner in ``role``."""
    unlink_role(db, fileable_type, fileable_id, role)
    for file_id, order in files:
        link(db, file_id, fileable_type, fileable_id, role, order)


def unlink_role(db: sqlite3.Connection, fileable_type: str, fileable_id: str, role: str) -> None:
    db.execute(
        "DELETE FROM xpage_file_links WHERE fileable_type = ? AND fileable_id = ? AND role = ?",
        (fileable_type, fileable_id, role),
    )


def unlink_owner(db: sqlite3.Connection, fileable_type: str, fileable_ids: Sequence[str]) -> None:
    """Drop every link to owners that are going away (deleted variants)."""
    db.executemany(
        "DELETE FROM xpage_file_links WHERE fileable_type = ? AND fileable_id = ?",
        [(fileable_type, owner) for owner in fileable_ids],
    )
