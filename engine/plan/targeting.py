"""What ``--only``/``--exclude`` globs can name, and which changes they select.

A glob is matched against every address the recipes and the shop know, not only against the changes of
this plan: ``--only product.tee`` for a product that already matches is a selection of nothing to do,
while ``--only product.tea`` is a typo, and a typo must not read as "no changes". Such a glob is an error
that names the closest addresses.

A product's variants are written with it, so ``variant.<sku>`` selects the change of the product that
holds that variant: the whole product change, since that is what apply writes; an excluded variant
likewise leaves its product's change out. A removed variant is a change of its own (``- variant.<sku>``,
see :mod:`engine.plan.variants`), but written by its product's write, so it and its product's update
are kept or left out together. Images and files are uploads
of their own, but on a platform where an upload also places the file on its product (xPage), an upload
kept without its product's update would change the product's image list behind the plan's back; the
planner therefore pulls the product's update in with any upload of an existing product (see
:func:`engine.plan.planner.make_plan`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from fnmatch import fnmatchcase

from engine.errors import PlanError, PlanErrors
from engine.model import KIND_OF_COLLECTION, Catalog, Product, address
from engine.plan.globs import is_glob
from engine.plan.model import Action, Change
from engine.plan.platform import LiveState
from engine.plan.uploads import asset_addresses


def matches_any(addr: str, globs: Sequence[str]) -> bool:
    return any(fnmatchcase(addr, g) for g in globs)


def known_addresses(desired: Catalog, live: LiveState, managed: Iterable[str]) -> set[str]:
    """Every address a glob may name: the objects of the managed collections on either side, the
    variants of their products by SKU, and the images and files of the desired products."""
    known: set[str] = set()
    for name in managed:
        kind = KIND_OF_COLLECTION[name]
        for side in (desired.collection(name), live.catalog.collection(name)):
            known.update(address(kind, key) for key in side)
    for products in (desired.products, live.catalog.products):
        for product in products.values():
            known.update(f"variant.{v.sku}" for v in product.variants if v.sku)
    for product in desired.products.values():
        known.update(asset_addresses(product))
    return known


def variant_addresses(change: Change, live: Product | None) -> list[str]:
    """``variant.<sku>`` for every variant a product change writes: all of a created product's, all of a
    deleted or deactivated one's, and, for an update, those whose fields change."""
    if change.kind != "product":
        return []
    want = change.desired if isinstance(change.desired, Product) else None
    if change.action is Action.CREATE:
        skus = [v.sku for v in want.variants] if want else []
    elif change.action in (Action.DELETE, Action.DEACTIVATE):
        skus = [v.sku for v in live.variants] if live else []
    else:
        every = {v.sku for p in (want, live) if p is not None for v in p.variants}
        paths = [f.path for f in change.fields]
        skus = [
            sku
            for sku in sorted(s for s in every if s)
            if any(p == f"variants.{sku}" or p.startswith(f"variants.{sku}.") for p in paths)
        ]
    return [f"variant.{sku}" for sku in skus if sku]


def closest(glob: str, known: Iterable[str], count: int = 3) -> list[str]:
    """The known addresses most like ``glob`` (wildcards left out, case ignored), best first."""
    bare = glob.replace("*", "").replace("?", "").lower()
    scored = sorted(known, key=lambda a: (-SequenceMatcher(None, bare, a.lower()).ratio(), a))
    return scored[:count]


def check_globs(only: Sequence[str], exclude: Sequence[str], known: set[str], target: str) -> None:
    """Raise one error per glob that matches no known address, each naming the closest addresses."""
    errors = []
    for flag, globs in (("only", only), ("exclude", exclude)):
        for glob in globs:
            if glob in known or (is_glob(glob) and any(fnmatchcase(a, glob) for a in known)):
                continue
            near = closest(glob, known)
            hint = "the closest: " + ", ".join(near) if near else "neither the recipes nor the shop hold any"
            errors.append(PlanError(f"--{flag} {glob!r} matches no address", where=target, hint=hint))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise PlanErrors(errors)

