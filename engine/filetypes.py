"""What a file is, judged by its first bytes, never by its name.

A ``.jpg`` that holds text, or a PNG saved as ``.jpg``, is common in image folders; platforms judge uploads
by content, so shelf does too and finds the mistake before anything is sent.
"""

from __future__ import annotations

import codecs

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
IMAGE_TYPE_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF"}
SNIFF_BYTES = 16

_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"ID3", "audio/mpeg"),
    (4, b"ftyp", "video/mp4"),
)


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes prove (see :data:`SNIFF_BYTES`), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for offset, magic, mime in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return mime
    return None


def image_type(head: bytes) -> str | None:
    """The image type the first bytes prove (JPEG, PNG, WebP or GIF), or None."""
    mime = sniff(head)
    return mime if mime in IMAGE_TYPES else None


def describe(head: bytes) -> str:
    """What the bytes look like, for a message about a file that is not what it should be."""
    mime = sniff(head)
    if mime is not None:
        return f"its bytes are {IMAGE_TYPE_NAMES.get(mime, mime)}"
    if not head:
        return "it is empty"
    try:
        decoded = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        decoded = None
    if decoded is not None and all(ch.isprintable() or ch.isspace() for ch in decoded):
        return "its bytes are text"
    return f"its first bytes are {head[:4].hex(' ')}"


def type_names(types: frozenset[str] | set[str]) -> str:
    """``JPEG, PNG, WebP or GIF`` for a set of image types, in that order."""
    names = [IMAGE_TYPE_NAMES[t] for t in IMAGE_TYPE_NAMES if t in types]
    names += sorted(t for t in types if t not in IMAGE_TYPE_NAMES)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
