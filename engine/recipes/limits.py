"""A destination's limits on images, checked against the desired catalog before any request.

Recipes know nothing of platforms: the core turns a platform's capabilities into :class:`ImageLimits` and
passes them down, so a too-large image stops ``validate``, ``plan`` and ``apply`` at its recipe line
without a credential being read or a request being sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engine.errors import RecipeError
from engine.filetypes import IMAGE_TYPE_NAMES, type_names
from engine.model import Asset, Catalog


@dataclass(frozen=True)
class ImageLimits:
    """What images a target's platform takes. ``name`` is the platform as messages call it;
    ``max_bytes`` None means no documented limit; empty ``types`` means any type recipes allow."""

    name: str
    max_bytes: int | None = None
    types: frozenset[str] = frozenset()


def _images(catalog: Catalog) -> Iterator[tuple[str, Asset]]:
    for product in catalog.products.values():
        for image in product.images:
            yield "image", image
        for variant in product.variants:
            if variant.own_image is not None:
                yield "variant image", variant.own_image


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024**2:.1f}".removesuffix(".0") + " MB"


def limit_errors(
    catalog: Catalog, limits: ImageLimits | None, target: str | None = None
) -> list[RecipeError]:
    """Every local image the platform would refuse, each at its recipe line. ``target`` is named in the
    message when given (a catalog with several targets)."""
    if limits is None:
        return []
    name = limits.name
    suffix = f" (target '{target}')" if target else ""
    errors: dict[tuple[str, str], RecipeError] = {}
    limit = limits.max_bytes
    types = limits.types
    for what, image in _images(catalog):
        if image.path is None or image.size is None:
            continue
        where = image.source or image.ref
        if limit is not None and image.size > limit:
            errors.setdefault(
                (str(where), "size"),
                RecipeError(
                    f"{what} '{image.ref}' is {_size(image.size)}; {name} takes images of at most "
                    f"{_size(limit)} ({limit} bytes){suffix}",
                    where=where,
                    hint="make it smaller: fewer pixels, or stronger compression",
                ),
            )
        if types and image.mime_type is not None and image.mime_type not in types:
            shown = IMAGE_TYPE_NAMES.get(image.mime_type, image.mime_type)
            errors.setdefault(
                (str(where), "type"),
                RecipeError(
                    f"{what} '{image.ref}' is {shown}; {name} takes {type_names(types)} images{suffix}",
                    where=where,
                    hint="convert it to one of those",
                ),
            )
    return list(errors.values())
