"""Options -> variants: every combination, from ``variant_defaults``, overridden by its ``variants`` entry.

Combinations come in option order with the first option varying slowest (Size S: Black, White; Size M:
...), the order shoppers expect in a size/colour grid. An entry under ``variants`` names every option's
value and overrides fields of that one combination; ``enabled: false`` removes it. A simple product (no
options) is one variant with ``options == ()`` built from the product's own price, compare_price, sku and
stock.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from engine.documents.problems import did_you_mean, show
from engine.documents.strict_yaml import MDict, MList
from engine.errors import Source
from engine.model import Asset, Variant
from engine.recipes.assets import is_url, local_asset, url_asset
from engine.recipes.scope import ItemScope
from engine.recipes.templates import Namespace, is_template

VARIANT_FIELDS = ("sku", "price", "compare_price", "stock", "image", "file")
SIMPLE_FIELDS = ("price", "compare_price", "sku", "stock")
Combo = tuple[tuple[str, str], ...]
Options = tuple[tuple[str, tuple[str, ...]], ...]
V = TypeVar("V")


def combinations(options: Options) -> list[Combo]:
    """Every combination of option values, first option slowest."""
    names = [name for name, _ in options]
    return [tuple(zip(names, values, strict=True)) for values in itertools.product(*(v for _, v in options))]


def expand_fields(
    options: Options,
    defaults: Mapping[str, V],
    overrides: Mapping[Combo, Mapping[str, V]],
    disabled: Collection[Combo] = (),
) -> list[tuple[Combo, dict[str, V]]]:
    """Each combination not ``disabled``, in order, with its fields: the defaults, then its override."""
    out: list[tuple[Combo, dict[str, V]]] = []
    for combo in combinations(options):
        if combo in disabled:
            continue
        fields = dict(defaults)
        fields.update(overrides.get(combo, {}))
        out.append((combo, fields))
    return out


def option_text(value: Any) -> str:
    """An option value as text: numbers as written (``38``, ``7.5``)."""
    return str(value)


def read_options(scope: ItemScope) -> Options | None:
    """The product's options, or None when it has none (or they are invalid)."""
    options = scope.data.get("options")
    if not isinstance(options, MDict) or not options:
        return None
    result: list[tuple[str, tuple[str, ...]]] = []
    for name, values in options.items():
        if is_template(name):
            scope.fail(options.key_sources[name], f"option name '{name}' cannot be a template")
        if not isinstance(values, MList):
            return None
        texts: list[str] = []
        for value, where in zip(values, values.item_sources, strict=True):
            text = option_text(value)
            if is_template(text):
                scope.fail(where, f"a value of option '{name}' cannot be a template, got {show(text)}")
            elif text in texts:
                scope.fail(where, f"option '{name}' lists {show(text)} more than once")
            else:
                texts.append(text)
        result.append((name, tuple(texts)))
    return tuple(result)


def variants(
    scope: ItemScope, image_refs: Sequence[str], file_refs: Sequence[str] = ()
) -> tuple[Options, tuple[Variant, ...]]:
    """The product's options and variants; problems go to the scope.

    A digital product's variant delivers the file its ``file`` names (one of the product's ``files``),
    else the product's first file.
    """
    options = read_options(scope)
    if options is None:
        return (), _simple(scope, file_refs)
    for name in SIMPLE_FIELDS:
        if name in scope.data:
            scope.fail(
                scope.data.key_sources[name],
                f"'{name}' is for simple products, and {scope.raw.name} has options",
                "set it under variant_defaults, or per combination under variants",
            )
    overrides = _match_entries(scope, options)
    defaults_map = scope.data.get("variant_defaults")
    defaults: dict[str, tuple[Any, Source]] = {}
    if isinstance(defaults_map, MDict):
        defaults = {k: (v, defaults_map.value_sources[k]) for k, v in defaults_map.items()}
    fallback = defaults_map.source if isinstance(defaults_map, MDict) else scope.data.value_sources["options"]
    entry_sources = {combo: entry.source for combo, entry in overrides.items()}
    override_fields = {
        combo: {k: (v, entry.value_sources[k]) for k, v in entry.items() if k in VARIANT_FIELDS}
        for combo, entry in overrides.items()
    }
    disabled = {combo for combo, entry in overrides.items() if entry.get("enabled") is False}
    result: list[Variant] = []
    unpriced: list[Combo] = []
    for combo, fields in expand_fields(options, defaults, override_fields, disabled):
        source = entry_sources.get(combo, fallback)
        variant = _variant(scope, combo, fields, source, image_refs, file_refs)
        if variant is None:
            continue
        if "price" not in fields:
            unpriced.append(combo)
        result.append(variant)
    if unpriced:
        first = ", ".join(f"{k}={v}" for k, v in unpriced[0])
        scope.fail(
            fallback,
            f"{len(unpriced)} variant(s) of {scope.raw.name} have no price (first: {first})",
            "set 'price' under variant_defaults, or in each variants entry",
        )
    return options, tuple(result)


def _simple(scope: ItemScope, file_refs: Sequence[str]) -> tuple[Variant, ...]:
    data = scope.data
    for name in ("variant_defaults", "variants"):
        if name in data:
            scope.fail(
                data.key_sources[name],
                f"'{name}' needs 'options', and {scope.raw.name} has none",
                "list the options, or give the product a top-level price",
            )
    price = scope.field_money("price")
    if "price" not in data:
        scope.fail(
            data.source, f"{scope.raw.name} has no price", "give it a 'price', or options with variants"
        )
    stock = data.get("stock")
    return (
        Variant(
            options=(),
            sku=scope.string("sku"),
            price=price if price is not None else Decimal("0"),
            compare_price=scope.field_money("compare_price"),
            stock=stock if isinstance(stock, int) and not isinstance(stock, bool) else None,
            file=file_refs[0] if file_refs else None,
            source=data.source,
        ),
    )


def _match_entries(scope: ItemScope, options: Options) -> dict[Combo, MDict]:
    """Each valid ``variants`` entry by the combination it names."""
    entries = scope.data.get("variants")
    if not isinstance(entries, MList):
        return {}
    values_of = dict(options)
    matched: dict[Combo, MDict] = {}
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, MDict):
            continue
        named: dict[str, str] = {}
        ok = True
        for key, value in entry.items():
            if key in VARIANT_FIELDS or key == "enabled":
                continue
            if key not in values_of:
                scope.fail(
                    entry.key_sources[key],
                    f"variants entry {position} names '{key}', which is not an option of {scope.raw.name}",
                    did_you_mean(key, [*values_of, *VARIANT_FIELDS, "enabled"]),
                )
                ok = False
                continue
            text = option_text(value)
            if text not in values_of[key]:
                scope.fail(
                    entry.value_sources[key],
                    f"'{text}' is not a value of option '{key}' (values: {', '.join(values_of[key])})",
                    did_you_mean(text, values_of[key]),
                )
                ok = False
                continue
            named[key] = text
        missing = [name for name in values_of if name not in entry]
        if ok and missing:
            scope.fail(
                entry.source,
                f"variants entry {position} does not say which {', '.join(repr(m) for m in missing)} it is",
                f"name every option: {', '.join(values_of)}",
            )
            ok = False
        if not ok:
            continue
        combo = tuple((name, named[name]) for name in values_of)
        if combo in matched:
            scope.fail(
                entry.source,
                f"variants entry {position} repeats {', '.join(f'{k}={v}' for k, v in combo)}"
                f" (first at {matched[combo].source})",
            )
            continue
        matched[combo] = entry
    return matched


def _variant(
    scope: ItemScope,
    combo: Combo,
    fields: Mapping[str, tuple[Any, Source]],
    source: Source,
    image_refs: Sequence[str],
    file_refs: Sequence[str],
) -> Variant | None:
    context = dict(scope.context)
    context.update(dict(combo))
    context["options"] = Namespace("options", dict(combo))
    context["vars"] = scope.context["vars"]

    def money(name: str) -> Decimal | None:
        if name not in fields:
            return None
        value, where = fields[name]
        return scope.money(value, where, name, context)

    sku = None
    if "sku" in fields:
        value, where = fields["sku"]
        sku = scope.render(str(value), where, context)
    stock_value = fields.get("stock", (None, source))[0]
    image, own = _image(scope, fields.get("image"), context, image_refs)
    file = _file(scope, fields.get("file"), context, file_refs)
    price = money("price")
    return Variant(
        options=combo,
        sku=sku,
        price=price if price is not None else Decimal("0"),
        compare_price=money("compare_price"),
        stock=stock_value if isinstance(stock_value, int) and not isinstance(stock_value, bool) else None,
        image=image,
        own_image=own,
        file=file,
        source=source,
    )


def _image(
    scope: ItemScope,
    field: tuple[Any, Source] | None,
    context: Mapping[str, Any],
    image_refs: Sequence[str],
) -> tuple[str | None, Asset | None]:
    if field is None:
        return None, None
    value, where = field
    ref = scope.render(str(value), where, context)
    if ref is None:
        return None, None
    if ref in image_refs:
        return ref, None
    own = url_asset(scope, ref, where) if is_url(ref) else local_asset(scope, ref, where, "variant image")
    return ref, own


def _file(
    scope: ItemScope,
    field: tuple[Any, Source] | None,
    context: Mapping[str, Any],
    file_refs: Sequence[str],
) -> str | None:
    if field is None:
        return file_refs[0] if file_refs else None
    value, where = field
    ref = scope.render(str(value), where, context)
    if ref is None:
        return None
    if ref not in file_refs:
        listed = ", ".join(file_refs)
        scope.fail(
            where,
            f"variant file '{ref}' is not one of the files of {scope.raw.name}",
            f"its files: {listed}" if listed else "list it under 'files' of a digital product",
        )
        return None
    return ref
