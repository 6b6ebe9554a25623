"""Which live products a read takes as renamed, by the recipes' ``renamed_from``.

A live product held under a recipe's ``renamed_from`` key is read under the recipe's key, so the planner
updates it (its key, and whatever else differs) instead of creating a second product beside it. That
holds only while the shop has nothing under the new key: once it has, the rename is done (or the new key
is taken by another product) and ``renamed_from`` no longer matters.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.model import Catalog


def renames(desired: Catalog, live_keys: Iterable[str]) -> dict[str, str]:
    """Live key -> recipe key, for each product the shop holds only under its ``renamed_from``."""
    present = set(live_keys)
    found: dict[str, str] = {}
    for key, product in desired.products.items():
        old = product.renamed_from
        if old and old != key and old in present and key not in present and old not in desired.products:
            found.setdefault(old, key)
    return found
