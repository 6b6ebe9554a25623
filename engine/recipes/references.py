"""Checks across items and files: unique keys and SKUs, references that resolve, no category cycles.

Two levels. What is written literally (keys, parents, categories, targets) is checked once over every
item. What depends on a target (SKUs may be templates over ``vars``; an item may go to some targets only)
is checked on each target's catalog: a product that goes to a target whose recipes leave out its category
is an error for that target, named so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from typing import Any

from engine.documents.problems import Problem, did_you_mean
from engine.documents.strict_yaml import MDict, MList
from engine.errors import Source
from engine.model import Catalog, Category, Promotion
from engine.recipes.parse import RawItem

RawIndex = dict[tuple[str, str], RawItem]


def index_items(items: Iterable[RawItem]) -> RawIndex:
    """The first item of each (collection, key)."""
    index: RawIndex = {}
    for item in items:
        if item.key is not None:
            index.setdefault((item.collection, item.key), item)
    return index


def check_written(items: list[RawItem], target_names: Collection[str]) -> list[Problem]:
    """Every problem visible without rendering: duplicates, unknown targets, parents, categories."""
    problems: list[Problem] = []
    index = index_items(items)
    for item in items:
        if item.key is None:
            continue
        first = index[(item.collection, item.key)]
        if first is not item:
            problems.append(
                Problem(
                    _value_at(item.data, "key"), f"{item.name} is defined twice (first at {first.source})"
                )
            )
    for item in items:
        problems.extend(_unknown_targets(item, target_names))
    categories = {key: item for (collection, key), item in index.items() if collection == "categories"}
    for item in items:
        if item.collection == "categories" and index.get(("categories", item.key or "")) is item:
            parent = item.data.get("parent")
            if isinstance(parent, str) and parent not in categories:
                problems.append(_unknown(item, "parent", parent, "category", categories))
        elif item.collection == "products":
            category = item.data.get("category")
            if isinstance(category, str) and category not in categories:
                problems.append(_unknown(item, "category", category, "category", categories))
        elif item.collection == "promotions":
            problems.extend(_unknown_list(item, "categories", categories))
    problems.extend(_cycles(categories))
    problems.extend(_renames(items, index))
    return problems


def _renames(items: list[RawItem], index: RawIndex) -> list[Problem]:
    """``renamed_from`` names a key no product of the recipes still has, and only one product claims it:
    otherwise the live product it names would be two recipes' at once."""
    problems: list[Problem] = []
    claimed: dict[str, RawItem] = {}
    for item in items:
        old = item.data.get("renamed_from") if item.collection == "products" else None
        if not isinstance(old, str) or index.get(("products", item.key or "")) is not item:
            continue
        where = _value_at(item.data, "renamed_from")
        other = index.get(("products", old))
        if other is not None:
            same = other is item
            problems.append(
                Problem(
                    where,
                    f"{item.name} is renamed from '{old}', which is "
                    + ("its own key" if same else f"the key of the product at {other.source}"),
                    "remove renamed_from" if same else f"remove renamed_from, or the product '{old}'",
                )
            )
        elif old in claimed:
            problems.append(
                Problem(
                    where,
                    f"{item.name} is renamed from '{old}', like the product at {claimed[old].source}",
                    "only one product can take over the live product; remove one renamed_from",
                )
            )
        else:
            claimed[old] = item
    return problems


def _value_at(data: MDict, name: str) -> Source:
    return data.value_sources.get(name, data.source)


def _unknown(item: RawItem, field: str, value: str, kind: str, known: Collection[str]) -> Problem:
    return Problem(
        _value_at(item.data, field),
        f"{item.name} refers to {kind} '{value}', which no recipe defines",
        did_you_mean(value, known),
    )


def _unknown_list(item: RawItem, field: str, known: Collection[str]) -> list[Problem]:
    entries = item.data.get(field)
    if not isinstance(entries, MList):
        return []
    return [
        Problem(
            where,
            f"{item.name} refers to category '{value}', which no recipe defines",
            did_you_mean(value, known),
        )
        for value, where in zip(entries, entries.item_sources, strict=True)
        if isinstance(value, str) and value not in known
    ]


def _unknown_targets(item: RawItem, target_names: Collection[str]) -> list[Problem]:
    entries = item.data.get("targets")
    if not isinstance(entries, MList):
        return []
    return [
        Problem(
            where,
            f"{item.name} names target '{value}', which shelf.yaml does not define",
            did_you_mean(str(value), target_names),
        )
        for value, where in zip(entries, entries.item_sources, strict=True)
        if str(value) not in target_names
    ]


def _cycles(categories: dict[str, RawItem]) -> list[Problem]:
    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()
    for start in categories:
        seen: list[str] = []
        key: Any = start
        while isinstance(key, str) and key in categories and key not in seen:
            seen.append(key)
            key = categories[key].data.get("parent")
        if not isinstance(key, str) or key not in seen:
            continue
        cycle = seen[seen.index(key) :]
        members = frozenset(cycle)
        if members in reported:
            continue
        reported.add(members)
        first = min(cycle, key=lambda k: categories[k].source)
        turn = cycle.index(first)
        ordered = [*cycle[turn:], *cycle[:turn], first]
        problems.append(
            Problem(
                _value_at(categories[first].data, "parent"),
                f"categories form a cycle: {' -> '.join(ordered)}",
                "a category cannot be its own ancestor",
            )
        )
    return problems


def check_catalog(
    catalog: Catalog, index: RawIndex, target: str | None, elsewhere: Collection[str] = ()
) -> tuple[Catalog, list[Problem]]:
    """Target-level checks; returns the catalog with promotion SKUs resolved to product keys and
    categories ordered parents first. ``elsewhere``: SKUs of products that go to other targets only."""
    problems: list[Problem] = []
    if target is not None:
        problems.extend(_left_out(catalog, index, target))
    skus, sku_problems = _skus(catalog)
    problems.extend(sku_problems)
    promotions = {}
    for key, promotion in catalog.promotions.items():
        resolved, found = _resolve_products(promotion, catalog, skus, index, elsewhere)
        problems.extend(found)
        if resolved is not None:
            promotions[key] = resolved
    result = Catalog(
        categories=_parents_first(catalog.categories),
        products=dict(catalog.products),
        promotions=promotions,
        subscriptions=dict(catalog.subscriptions),
    )
    return result, problems


def _left_out(catalog: Catalog, index: RawIndex, target: str) -> list[Problem]:
    """References to items that exist in the recipes but do not go to ``target``."""
    problems: list[Problem] = []

    def check(item: RawItem, field: str, value: str | None) -> None:
        other = index.get(("categories", value or ""))
        if value is None or value in catalog.categories or other is None or other.goes_to(target):
            return
        problems.append(
            Problem(
                _value_at(item.data, field),
                f"{item.name} goes to target '{target}', but its {field} '{value}' does not",
                f"add '{target}' to the targets of category '{value}', or remove them",
            )
        )

    for key, category in catalog.categories.items():
        check(index[("categories", key)], "parent", category.parent)
    for key, product in catalog.products.items():
        check(index[("products", key)], "category", product.category)
    return problems


def _skus(catalog: Catalog) -> tuple[dict[str, str], list[Problem]]:
    """SKU -> product key; a SKU used twice is a problem naming both places."""
    owners: dict[str, tuple[str, Source | None]] = {}
    problems: list[Problem] = []
    for key, product in catalog.products.items():
        for variant in product.variants:
            if not variant.sku:
                continue
            where = variant.source or product.source
            if variant.sku in owners:
                first_key, first_where = owners[variant.sku]
                if where is not None:
                    problems.append(
                        Problem(
                            where,
                            f"SKU '{variant.sku}' of product '{key}' is already used by product '{first_key}'"
                            f" (at {first_where})",
                        )
                    )
                continue
            owners[variant.sku] = (key, where)
    return {sku: owner for sku, (owner, _) in owners.items()}, problems


def _resolve_products(
    promotion: Promotion, catalog: Catalog, skus: dict[str, str], index: RawIndex, elsewhere: Collection[str]
) -> tuple[Promotion | None, list[Problem]]:
    """The promotion with SKUs resolved to product keys, for the products and categories in ``catalog``.

    A promotion that goes to a target applies there to those of its products and categories that go there
    too; when none of them does, it has nothing to apply to and is left out of that target (it is never
    widened into a promotion on everything).
    """
    raw = index[("promotions", promotion.key)]
    entries = raw.data.get("products")
    sources = entries.item_sources if isinstance(entries, MList) else []
    keys: list[str] = []
    problems: list[Problem] = []
    for value, where in zip(promotion.products, sources, strict=False):
        key = value if value in catalog.products else skus.get(value)
        if key is not None:
            if key not in keys:
                keys.append(key)
            continue
        if ("products", value) in index or value in elsewhere:
            continue
        problems.append(
            Problem(
                where,
                f"{raw.name} refers to '{value}', which is neither a product key nor a SKU",
                did_you_mean(value, [*catalog.products, *skus]),
            )
        )
    categories = tuple(c for c in promotion.categories if c in catalog.categories)
    if (promotion.products or promotion.categories) and not (keys or categories):
        return None, problems
    return dataclasses.replace(promotion, products=tuple(keys), categories=categories), problems


def _parents_first(categories: dict[str, Category]) -> dict[str, Category]:
    """Categories in recipe order, except that a parent always comes before its children."""
    ordered: dict[str, Category] = {}

    def visit(key: str, path: tuple[str, ...]) -> None:
        if key in ordered or key in path or key not in categories:
            return
        parent = categories[key].parent
        if parent is not None:
            visit(parent, (*path, key))
        ordered[key] = categories[key]

    for key in categories:
        visit(key, ())
    return ordered
