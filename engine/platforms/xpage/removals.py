"""Removals the xPage API may not carry out: variants, options, option values and properties.

The document says an update changes only the fields it is sent, and that options and variants carry
``id`` to update or none to create; it says nothing of list items an update leaves out, and it has no
endpoint that deletes a variant, an option, an option value or a property (``POST /file/{id}`` and the
unlink route remove files only). So shelf sends the product without the item, which removes it from a
shop that reads a sent list as the whole set, and tells the plan (and, when the item is still there after
apply, the report) that a shop that keeps left-out items needs the item removed in its admin. Images and
files are not in this list: the files API deletes and unlinks them.
"""

from __future__ import annotations

from engine.model import Product

LIMIT = (
    "the xPage API documents no way to remove variants, options, option values or properties (an update"
    " changes what it sends; whether a shop drops what it leaves out is not documented)"
)
HINT = "if the shop keeps them, remove them in the shop's admin"


def removed(product: Product, live: Product | None) -> list[str]:
    """What the live product has that ``product`` (prepared) drops, among the items the API may keep."""
    if live is None:
        return []
    gone: list[str] = []
    wanted_options = dict(product.options)
    for name, values in live.options:
        if name not in wanted_options:
            gone.append(f"option {name!r}")
            continue
        gone += [f"value {v!r} of option {name!r}" for v in values if v not in wanted_options[name]]
    if live.options:
        kept = {v.options for v in product.variants}
        gone += [f"variant {v.label}" for v in live.variants if v.options not in kept]
    names = {name for name, _ in product.properties}
    gone += [f"property {name!r}" for name, _ in live.properties if name not in names]
    return gone


def removal_limit(product: Product, live: Product | None) -> str | None:
    """Why an update towards ``product`` may leave the live product differing, or None."""
    gone = removed(product, live)
    if not gone:
        return None
    return f"removes {', '.join(gone)}; {LIMIT}; {HINT}"
