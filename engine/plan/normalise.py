"""One normaliser per kind of field, so that equal meanings compare equal and a second plan is empty.

Recipes and shops spell the same value differently: ``25``, ``25.0`` and ``"25.00"`` are one price; a
text written once for every language is ``{"*": ...}``; properties come back from an API in any order.
Every normaliser returns a JSON-able value (``None``, ``bool``, ``int``, ``float``, ``str``, ``list``,
``dict``), and the diff decides "changed" by plain equality of normalised values. The same values are what
plans show and save, so a plan file reads back into equal field changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.model import ANY_LANGUAGE, Asset, Discount

_CENTS = Decimal("0.01")


def money(value: Decimal | int | float | str | None) -> str | None:
    """A price as its exact decimal text with at least two places: ``"25.00"``.

    Values with more than two significant decimal places (platforms that allow them) keep every place
    rather than being rounded, so no difference is hidden: ``"0.125"`` stays ``"0.125"`` and trailing zeros
    beyond the second place are dropped (``"0.1250"`` is ``"0.125"``). Floats are read through their
    shortest repr, so ``0.1`` is ``"0.10"`` and not a binary expansion.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"not an amount of money: {value!r}")
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"not an amount of money: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount of money: {value!r}")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return format(amount.normalize(), "f")
    return format(amount.quantize(_CENTS), "f")


def string(value: str | None) -> str | None:
    """A free text compared exactly, except that Windows line ends equal Unix ones and empty is absent."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n")
    return value or None


def text(value: Mapping[str, str] | str | None) -> str | dict[str, str] | None:
    """A possibly translated text.

    Only the any-language key ``"*"`` -> the plain string; several languages -> a dict sorted by language.
    Languages whose text is empty are dropped (an empty translation is no translation), and a text with
    nothing left is ``None``.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return string(value)
    languages = {lang: s for lang, raw in value.items() if (s := string(raw)) is not None}
    if not languages:
        return None
    if set(languages) == {ANY_LANGUAGE}:
        return languages[ANY_LANGUAGE]
    return {lang: languages[lang] for lang in sorted(languages)}


def scalar(value: str | int | bool | None) -> str | int | bool | None:
    """A plain value (a key, a SKU, a flag, a count). An empty string means the value is absent."""
    if isinstance(value, str):
        return string(value)
    return value


def ordered(values: Iterable[Any] | None) -> list[Any]:
    """A list whose order carries meaning (for example option values); items are normalised as scalars."""
    return [scalar(v) for v in values or ()]


def unordered(values: Iterable[str] | None) -> list[str]:
    """A set of references written as a list (the products a promotion applies to): sorted, no repeats."""
    return sorted({v for v in values or () if v})


def properties(pairs: Iterable[tuple[str, str]] | Mapping[str, str] | None) -> dict[str, str | None]:
    """A map whose order carries no meaning: a dict sorted by key."""
    items = pairs.items() if isinstance(pairs, Mapping) else (pairs or ())
    result = {name: string(value) for name, value in items}
    return {name: result[name] for name in sorted(result)}


def options(value: Iterable[tuple[str, Iterable[str]]] | None) -> list[dict[str, list[str]]]:
    """Product options in their order, each with its values in their order: ``[{"Size": ["S", "M"]}]``."""
    return [{name: [str(v) for v in values]} for name, values in value or ()]


def timestamp(value: str | None) -> str | None:
    """An ISO 8601 instant, as UTC with a ``Z`` so ``+00:00`` and ``Z`` (or ``+01:00``) compare equal.

    Text that is not an ISO 8601 date-time is kept as written (after :func:`string`), and a date-time
    without an offset stays without one, since shelf cannot know which zone the writer meant. Dates
    without a time are kept as dates.
    """
    text_value = string(value)
    if text_value is None:
        return None
    if "T" not in text_value and " " not in text_value:
        return text_value
    try:
        moment = datetime.fromisoformat(text_value)
    except ValueError:
        return text_value
    if moment.tzinfo is None:
        return moment.isoformat()
    moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def discount(value: Discount | None) -> dict[str, str] | None:
    """A discount as ``{kind: amount}``, the way recipes write it: ``{"percent": "20.00"}``."""
    if value is None:
        return None
    return {value.kind: money(value.value) or "0.00"}


HASH_DIGITS = 12


def image(asset: Asset) -> dict[str, str]:
    """An image as what identifies its content: its ref and alt text, and its bytes' hash or else its URL.

    The hash is the first :data:`HASH_DIGITS` hex digits of the SHA-256: what a shop records of it (xPage
    keeps them in the stored file's name), and plenty to tell one product's images apart.
    """
    result: dict[str, str] = {"ref": asset.ref}
    alt = string(asset.alt)
    if alt is not None:
        result["alt"] = alt
    if asset.sha256:
        result["sha256"] = asset.sha256[:HASH_DIGITS]
    elif asset.url:
        result["url"] = asset.url
    return result


def images(assets: Iterable[Asset] | None) -> list[dict[str, str]]:
    """Images in their order: the first one is the main image on most platforms."""
    return [image(a) for a in assets or ()]


def files(assets: Iterable[Asset] | None) -> list[dict[str, str]]:
    """A digital product's files as a set (sorted by ref): which variant delivers which is said by the
    variants' ``file``, and shops list files in no particular order."""
    return sorted((image(a) for a in assets or ()), key=lambda f: f["ref"])


def data(value: Any) -> Any:
    """Free-form JSON data (subscription form data): maps sorted by key at every depth, tuples as lists.

    Numbers compare by value whatever their type: an integral ``Decimal`` or float becomes an ``int``,
    other decimals become floats, as the JSON the platform receives would carry them.
    """
    if isinstance(value, Mapping):
        return {str(k): data(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [data(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value
