"""Local pictures embedded in the html plan, so the page needs no network and no files beside it.

A picture is embedded from the repository as a ``data:`` URI, and only when the file still holds the
bytes the plan was made with (its SHA-256 starts with the plan's hash): a picture edited after the plan
would show something nobody planned. Pictures larger than :data:`MAX_EMBED_BYTES` are not embedded (the
page would grow by their size, a third more in base64); the page says so instead. The browser scales
embedded pictures down to thumbnails: shelf has no image library to shrink them itself.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from engine.model import Asset

MAX_EMBED_BYTES = 1024 * 1024


def embedded(asset: Asset) -> str | None:
    """The asset's bytes as a ``data:`` URI, or None when it is not a local picture that can be shown."""
    if asset.path is None or not (asset.mime_type or "").startswith("image/"):
        return None
    path = Path(asset.path)
    try:
        if path.stat().st_size > MAX_EMBED_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if asset.sha256 and not hashlib.sha256(data).hexdigest().startswith(asset.sha256):
        return None
    return f"data:{asset.mime_type};base64,{base64.b64encode(data).decode('ascii')}"
