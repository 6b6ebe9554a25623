"""Images by URL: the Partner API takes image URLs only, never bytes.

A recipe's URL image is sent as it is. A local image is published by the user at the target's
``image_base_url`` under a content-hashed name (``front.0b1c9e8f2a77.jpg``: the file's stem, the first 12
hex digits of its SHA-256, its suffix), which ``shelf assets export`` writes; a changed picture gets a new
name, so a CDN never serves a stale one under an old URL.
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


def image_url(asset: Asset, base: str | None) -> str | None:
    """Where the platform fetches ``asset``: its URL, or ``base`` + its hashed name (None without base)."""
    if asset.url:
        return asset.url
    if not base:
        return None
    return base.rstrip("/") + "/" + hashed_name(asset)
