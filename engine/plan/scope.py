"""The desired catalog cut to a known set of addresses, so a plan of a few objects costs a few objects.

Verification after an apply plans again only what the apply touched. Preparing and diffing the whole
catalog for that would cost as much as the first plan, and would turn every untouched object (which the
limited read did not look for) into a would-be create that the selection then drops. Categories stay
whole: other objects refer to them, providers resolve those references against them, every provider
reads them whatever the selection says, and a catalog holds few of them. Every object a kept one refers
to (the products of a kept promotion) is kept too, so references resolve as in the full plan.
"""

from __future__ import annotations

from collections.abc import Collection

from engine.model import Catalog, address
from engine.plan.planner import references


def cut_to(desired: Catalog, addresses: Collection[str]) -> Catalog:
    """``desired`` with only the objects ``addresses`` name and what they refer to, categories whole, in
    the recipes' order."""
    named = frozenset(addresses)
    wanted = set(named)
    for addr, item in desired.items():
        if addr in named:
            wanted.update(references(item))
    return Catalog(
        categories=dict(desired.categories),
        products={k: v for k, v in desired.products.items() if address("product", k) in wanted},
        promotions={k: v for k, v in desired.promotions.items() if address("promotion", k) in wanted},
        subscriptions={
            k: v for k, v in desired.subscriptions.items() if address("subscription", k) in wanted
        },
    )
