"""Which desired images and files a live product already holds, for any platform.

Each provider says what makes two assets the same on its platform (``identity``: content hash, URL, ...);
a desired asset matched to a live one gets that asset's ``live_id``, and the planner uploads every other
one. Each live asset is matched at most once, so two recipe images with the same bytes need two uploads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from engine.model import Asset, Product

Identity = Callable[[Asset], object]


def _held(desired: Iterable[Asset], live: Iterable[Asset], identity: Identity) -> dict[str, str]:
    """Desired ref -> the id of a live asset with the same identity; each live asset once."""
    pool = [a for a in live if a.live_id is not None]
    found: dict[str, str] = {}
    for asset in desired:
        match = next((a for a in pool if identity(a) == identity(asset)), None)
        if match is not None and match.live_id is not None:
            pool.remove(match)
            found[asset.ref] = match.live_id
    return found


def with_live_ids(product: Product, live: Product | None, identity: Identity) -> Product:
    """``product`` with ``live_id`` on every image, variant image and file the live product holds."""
    if live is None:
        return product
    images = _held(product.images, live.images, identity)
    own_live = {a.live_id: a for v in live.variants if (a := v.own_image) is not None}
    own_desired = {v.own_image.ref: v.own_image for v in product.variants if v.own_image is not None}
    own = _held(own_desired.values(), own_live.values(), identity)
    files = _held(product.files, live.files, identity)

    def held(asset: Asset, table: dict[str, str]) -> Asset:
        return dataclasses.replace(asset, live_id=table.get(asset.ref))

    return dataclasses.replace(
        product,
        images=tuple(held(a, images) for a in product.images),
        files=tuple(held(a, files) for a in product.files),
        variants=tuple(
            dataclasses.replace(v, own_image=held(v.own_image, own)) if v.own_image else v
            for v in product.variants
        ),
    )
