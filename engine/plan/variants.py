"""A variant removed from a recipe is a deletion of its own: ``- variant.<SKU>``, counted under delete.

Platforms write variants with their product (xPage sends the whole product, Emporix syncs the product's
family), so the deletion is written by the product's write: by the product's update when the plan has
one, else by the first of the product's variant deletions, which sends the product as the recipes want it
(one write, as before). Every other variant deletion of that product waits for that write and sends
nothing. :func:`provider_changes` says what a provider is asked to do for each change.

A variant deletion carries the product as ``desired`` (what the write sends) and the product's live id
and version (the variant lives inside it), so a saved plan is checked against the product it rewrites.
The product's update and its variant deletions are one write (:func:`one_write`): a selection keeps
them together or leaves them out together (:func:`keep_with_variants`).
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from engine.model import Product, Variant
from engine.plan.diff import variant_value
from engine.plan.model import Action, Change, FieldChange
from engine.plan.platform import LiveState


def variant_address(product: str, variant: Variant, taken: set[str]) -> str:
    """``variant.<SKU>``; ``variant.<product>/<label>`` for a variant without a SKU or with a SKU another
    removed variant already uses (SKUs are unique in a recipe, not always in a shop)."""
    if variant.sku:
        address = f"variant.{variant.sku}"
        if address not in taken:
            return address
    return f"variant.{product}/{variant.label}"


def removed_variants(desired: Product, live: Product) -> list[Variant]:
    """Live variants whose options no desired variant has, in the shop's order."""
    wanted = {v.options for v in desired.variants}
    return [v for v in live.variants if v.options not in wanted]


def deletion_fields(variant: Variant) -> list[FieldChange]:
    """Every set field of the removed variant, after ``None``: a deletion is shown in full."""
    return [FieldChange(name, value, None) for name, value in variant_value(variant).items()]


def split_removed(
    fields: list[FieldChange], desired: Product, have: Product, live: LiveState, taken: set[str]
) -> tuple[list[FieldChange], list[Change]]:
    """The product's own field changes, and one deletion per removed variant."""
    product_address = f"product.{desired.key}"
    gone = removed_variants(desired, have)
    labels = {f"variants.{v.label}" for v in gone}
    kept = [f for f in fields if not (f.path in labels and f.after is None)]
    deletions = []
    for variant in gone:
        address = variant_address(desired.key, variant, taken)
        taken.add(address)
        deletions.append(
            Change(
                address,
                Action.DELETE,
                deletion_fields(variant),
                desired,
                live_id=live.ids.get(product_address),
                live_version=live.versions.get(product_address),
                source=variant.source or desired.source,
            )
        )
    return kept, deletions


def product_of(change: Change) -> str | None:
    """``product.<key>`` for a variant deletion, else None."""
    if change.kind == "variant" and isinstance(change.desired, Product):
        return f"product.{change.desired.key}"
    return None


def _writer(change: Change, by_address: dict[str, Change], first: dict[str, str]) -> str | None:
    home = product_of(change)
    if home is None:
        return None
    if home in by_address:
        return home
    return first[home]


def _firsts(changes: Sequence[Change]) -> dict[str, str]:
    first: dict[str, str] = {}
    for change in changes:
        home = product_of(change)
        if home is not None:
            first.setdefault(home, change.address)
    return first


def link_variants(changes: Sequence[Change]) -> None:
    """Each variant deletion waits for the write that carries it, unless it is that write."""
    by_address = {c.address: c for c in changes}
    first = _firsts(changes)
    for change in changes:
        writer = _writer(change, by_address, first)
        if writer is not None and writer != change.address and writer not in change.depends_on:
            change.depends_on.append(writer)


def provider_changes(changes: Sequence[Change]) -> dict[str, Change | None]:
    """What the provider is asked to do for each change, by address: the change itself, the product
    update a variant deletion is written by, or None when another change of the plan already writes it."""
    by_address = {c.address: c for c in changes}
    first = _firsts(changes)
    sent: dict[str, Change | None] = {}
    for change in changes:
        home = product_of(change)
        if home is None:
            sent[change.address] = change
        elif _writer(change, by_address, first) != change.address:
            sent[change.address] = None
        else:
            sent[change.address] = Change(
                home,
                Action.UPDATE,
                list(change.fields),
                change.desired,
                live_id=change.live_id,
                live_version=change.live_version,
                source=change.source,
            )
    return sent


def place_variants(ordered: Sequence[Change], deletions: Sequence[Change]) -> list[Change]:
    """``ordered`` with each variant deletion right after its product's update, or, without one, where
    the deletions of whole objects begin."""
    pending: dict[str, list[Change]] = {}
    for change in deletions:
        pending.setdefault(product_of(change) or "", []).append(change)
    present = {o.address for o in ordered}
    alone = [c for home, group in pending.items() if home not in present for c in group]
    result: list[Change] = []
    for change in ordered:
        if alone and change.action in (Action.DELETE, Action.DEACTIVATE):
            result.extend(alone)
            alone = []
        result.append(change)
        result.extend(pending.pop(change.address, []))
    result.extend(alone)
    return result


def one_write(changes: Sequence[Change]) -> dict[str, list[str]]:
    """For each product update with variant deletions, and each of those deletions: the addresses of
    that one write, the product's update (when the plan has one) first."""
    present = {c.address for c in changes}
    groups: dict[str, list[str]] = {}
    for change in changes:
        home = product_of(change)
        if home is not None:
            groups.setdefault(home, [home] if home in present else []).append(change.address)
    return {address: group for group in groups.values() for address in group}


def keep_with_variants(changes: Sequence[Change], kept: set[str], exclude: Sequence[str] = ()) -> list[str]:
    """Add to ``kept`` the product update and variant deletions that are one write with a kept one; one
    note for each, saying so (and when ``exclude`` named it)."""
    by_address = {c.address: c for c in changes}
    notes = []
    for address, group in one_write(changes).items():
        if address in kept or not any(a in kept for a in group):
            continue
        kept.add(address)
        why = " although excluded" if any(fnmatchcase(address, g) for g in exclude) else ""
        home = product_of(by_address[address])
        if home is None:
            notes.append(f"{address} pulled in{why}: it writes {', '.join(a for a in group if a != address)}")
        else:
            notes.append(f"{address} pulled in{why}: written with {home}")
    return notes
