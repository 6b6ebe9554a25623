"""The desired product's files against the live one: which the shop already holds, and what xPage cannot
hold at all.

A desired asset that the shop holds (same ref after :mod:`engine.platforms.xpage.assets` matched it, same
content hash or URL) gets the live file's id as ``live_id``; the planner uploads every other one. xPage keeps
a digital file only as a variant's ``file`` (the default variant's for a product without options), so a
file that no variant delivers could never be read back: that is a plan error rather than a plan that never
converges.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from engine.errors import PlanError
from engine.model import Asset, Product
from engine.plan import normalise


def _identity(asset: Asset) -> dict[str, str]:
    found = normalise.image(asset)
    found.pop("alt", None)
    return found


def _held(desired: Iterable[Asset], live: Iterable[Asset]) -> dict[str, str]:
    """desired ref -> live file id, each live file used once."""
    pool = [a for a in live if a.live_id is not None]
    found: dict[str, str] = {}
    for asset in desired:
        match = next((a for a in pool if _identity(a) == _identity(asset)), None)
        if match is not None and match.live_id is not None:
            pool.remove(match)
            found[asset.ref] = match.live_id
    return found


def with_live_ids(product: Product, live: Product | None) -> Product:
    """``product`` with ``live_id`` on every asset the live product already holds."""
    if live is None:
        return product
    images = _held(product.images, live.images)
    own_live = {a.live_id: a for v in live.variants if (a := v.own_image) is not None}
    own = _held(
        {v.own_image.ref: v.own_image for v in product.variants if v.own_image}.values(), own_live.values()
    )
    files = _held(product.files, live.files)

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


def file_errors(product: Product) -> list[PlanError]:
    """Digital files xPage could not keep: more than one on a product without options, or one that no
    variant delivers."""
    where = product.source or f"product.{product.key}"
    if not product.options and len(product.files) > 1:
        return [
            PlanError(
                f"product '{product.key}' lists {len(product.files)} files; an xPage product without options"
                " delivers one file (its default variant's)",
                where=product.files[1].source or where,
                hint="keep one file, or give the product options whose variants each name their 'file'",
            )
        ]
    delivered = {v.file for v in product.variants}
    return [
        PlanError(
            f"file '{asset.ref}' of product '{product.key}' is delivered by none of its variants; xPage keeps"
            " a digital file only as a variant's file",
            where=asset.source or where,
            hint="name it as the 'file' of the variants that deliver it, or remove it",
        )
        for asset in product.files
        if asset.ref not in delivered
    ]
