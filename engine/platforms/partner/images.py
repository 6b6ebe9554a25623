"""Images by URL: the Partner API takes image URLs only, never bytes.

A recipe's URL image is sent as it is. A local image is published by the user at the target's
``image_base_url`` under its content-hashed name (:mod:`engine.platforms.published`), which
``shelf assets export`` writes.
"""

from __future__ import annotations

from engine.model import Asset
from engine.platforms.published import hashed_name


def image_url(asset: Asset, base: str | None) -> str | None:
    """Where the platform fetches ``asset``: its URL, or ``base`` + its hashed name (None without base)."""
    if asset.url:
        return asset.url
    if not base:
        return None
    return base.rstrip("/") + "/" + hashed_name(asset)
