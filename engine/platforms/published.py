"""Names of local images published by the user, for platforms that take images by URL only.

Such a platform fetches each image from the target's ``image_base_url``; ``shelf assets export`` writes
the files under the names built here. The name holds a hash of the bytes (``front.0b1c9e8f2a77.jpg``: the
file's stem, the first 12 hex digits of its SHA-256, its suffix), so a changed picture gets a new URL and a
CDN never serves a stale one.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from engine.model import Asset

HASH_DIGITS = 12


def hashed_name(asset: Asset) -> str:
    """The file name a local image has at ``image_base_url``."""
    name = PurePosixPath(asset.ref.replace("\\", "/")).name
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    digest = (asset.sha256 or "")[:HASH_DIGITS]
    return f"{stem}.{digest}.{suffix}" if suffix else f"{stem}.{digest}"
