"""The desired product's files against the live one: which the shop already holds, and what xPage cannot
hold at all.

A desired asset that the shop holds (same ref after :mod:`engine.platforms.xpage.assets` matched it, same
content hash or URL, same alt text) gets the live file's id as ``live_id``; the planner uploads every other
one. The alt text is part of what the shop must hold because the document sets it only when a file is
uploaded (``POST /file`` ``alt``): a new alt for the same bytes is a new upload, whose file then takes the
old one's place, and the old file goes as any file taken off the product does
(docs/decisions/001-xpage-image-alt.md). xPage keeps
a digital file only as a variant's ``file`` (the default variant's for a product without options), so a
file that no variant delivers could never be read back: that is a plan error rather than a plan that never
converges.
"""

from __future__ import annotations

from engine.errors import PlanError
from engine.model import Asset, Product
from engine.plan import normalise
from engine.plan.uploads import product_assets
from engine.platforms import held_assets


def _identity(asset: Asset) -> dict[str, str]:
    return normalise.image(asset)


def _content(asset: Asset) -> dict[str, str]:
    found = normalise.image(asset)
    found.pop("alt", None)
    return found


def with_live_ids(product: Product, live: Product | None) -> Product:
    """``product`` with ``live_id`` on every asset the live product already holds (same hash or URL, and
    same alt text)."""
    return held_assets.with_live_ids(product, live, _identity)


def alt_uploads(product: Product, live: Product | None) -> list[str]:
    """A note for every image of ``product`` (prepared) that the shop holds with other alt text: why it
    is uploaded again."""
    if live is None:
        return []
    notes = []
    for image in product.images:
        if image.live_id is not None:
            continue
        same = next((a for a in live.images if _content(a) == _content(image)), None)
        if same is not None and (same.alt or None) != (image.alt or None):
            notes.append(
                f"{_upload_address(product, image)}: uploaded again to change its alt text"
                f" ({same.alt or ''!r} -> {image.alt or ''!r}); the xPage API sets alt text only when a file"
                " is uploaded"
            )
    return notes


def _upload_address(product: Product, asset: Asset) -> str:
    return next(
        (located.address for located in product_assets(product) if located.asset is asset),
        f"image.{product.key}/{asset.ref}",
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
