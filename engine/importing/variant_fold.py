"""Variants -> the recipe's short form: ``variant_defaults``, a templated SKU, and the exceptions.

A recipe lists options and says what every combination has in common; only the combinations that differ,
and those the shop does not sell, are written out. This module finds that form for a product read from a
shop, so that an imported recipe reads like one a person wrote, and expands back to exactly the same
variants (:mod:`engine.recipes.variants` is the expansion).

Readings:

* ``variant_defaults`` holds, per field, the value most variants share (the first one met wins a tie).
  A field that some variant lacks (no ``compare_price``, say) gets no default, since a recipe entry cannot
  remove a default; the variants that have it say so themselves.
* The SKU is a template when every variant's SKU is the same text with each option's value put in at
  word boundaries, as written, upper-cased or lower-cased (``TEE-{{ Size }}-{{ Color | upper }}``);
  otherwise each variant carries its own SKU.
* A combination the shop does not sell becomes ``enabled: false``.
"""

from __future__ import annotations

import itertools
import keyword
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.model import Variant
from engine.recipes.variants import Combo, Options, combinations

FOLDED_FIELDS = ("sku", "price", "compare_price", "stock", "image", "file")
MAX_CANDIDATES = 20_000

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TEMPLATE_WORDS = frozenset(
    {"true", "false", "none", "and", "or", "not", "in", "is", "if", "else", "loop", "self", "options", "vars"}
)
_TRANSFORMS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("", lambda s: s),
    ("upper", str.upper),
    ("lower", str.lower),
)


class FoldError(ValueError):
    """The live variants cannot be written as options plus exceptions (named in the message)."""


@dataclass(frozen=True)
class Ref:
    """An option's value inside a SKU template, possibly upper- or lower-cased."""

    option: str
    transform: str = ""

    def render(self, combo: Mapping[str, str]) -> str:
        value = combo[self.option]
        return dict(_TRANSFORMS)[self.transform](value)


Part = str | Ref


@dataclass(frozen=True)
class SkuTemplate:
    """A SKU pattern as literal text and option references, rendered the way the recipe's Jinja does."""

    parts: tuple[Part, ...]

    def render(self, combo: Combo) -> str:
        values = dict(combo)
        return "".join(p if isinstance(p, str) else p.render(values) for p in self.parts)

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else _jinja_ref(p) for p in self.parts)


@dataclass
class Folded:
    """What a recipe writes for a product's variants: defaults, then per-combination exceptions.

    ``entries`` are in combination order; each maps option names to values, then the fields that differ
    from the defaults, or ``enabled: False``.
    """

    defaults: dict[str, Any] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)
    sku_template: SkuTemplate | None = None


def variant_values(variant: Variant) -> dict[str, Any]:
    """The folded fields of a variant that it has (absent ones left out)."""
    values = {
        "sku": variant.sku,
        "price": variant.price,
        "compare_price": variant.compare_price,
        "stock": variant.stock,
        "image": variant.image,
        "file": variant.file,
    }
    return {k: v for k, v in values.items() if v is not None}


def fold(options: Options, variants: Sequence[Variant]) -> Folded:
    """The short form of ``variants`` under ``options``; raises :class:`FoldError` when a variant is not
    a combination of the options or a combination appears twice."""
    valid = set(combinations(options))
    by_combo: dict[Combo, dict[str, Any]] = {}
    for variant in variants:
        if variant.options not in valid:
            raise FoldError(f"variant {variant.label} is not a combination of the product's options")
        if variant.options in by_combo:
            raise FoldError(f"two variants share the options {_combo_text(variant.options)}")
        by_combo[variant.options] = variant_values(variant)
    if not by_combo:
        raise FoldError("the product has options but no variants")
    folded = Folded()
    skus = [(combo, values.get("sku")) for combo, values in by_combo.items()]
    if len(skus) > 1 and all(sku for _, sku in skus):
        folded.sku_template = find_sku_template([(c, str(s)) for c, s in skus])
    for name in FOLDED_FIELDS:
        if name == "sku" and folded.sku_template is not None:
            folded.defaults["sku"] = folded.sku_template.text
            continue
        default = _default([values.get(name) for values in by_combo.values()], distinct_ok=name != "sku")
        if default is not None:
            folded.defaults[name] = default
    for combo in combinations(options):
        values = by_combo.get(combo)
        if values is None:
            folded.entries.append({**dict(combo), "enabled": False})
            continue
        differing = {
            k: v
            for k, v in values.items()
            if not (k == "sku" and folded.sku_template is not None) and v != folded.defaults.get(k)
        }
        if differing:
            folded.entries.append({**dict(combo), **differing})
    return folded


def expand(options: Options, folded: Folded) -> dict[Combo, dict[str, Any]]:
    """The variants' fields by combination, as a recipe with ``folded`` expands (SKU templates rendered)."""
    names = [name for name, _ in options]
    result: dict[Combo, dict[str, Any]] = {}
    entries = {tuple((n, e[n]) for n in names): e for e in folded.entries}
    for combo in combinations(options):
        entry = entries.get(combo, {})
        if entry.get("enabled") is False:
            continue
        values = dict(folded.defaults)
        if folded.sku_template is not None:
            values["sku"] = folded.sku_template.render(combo)
        values.update({k: v for k, v in entry.items() if k in FOLDED_FIELDS})
        result[combo] = values
    return result


def _default(values: list[Any], *, distinct_ok: bool) -> Any:
    """The most common value (first met wins a tie), or None when some variant lacks the field, or when
    no two variants share a value and a shared default would read as a mistake (SKUs)."""
    if any(v is None for v in values):
        return None
    counts = Counter(values)
    best = max(counts.values())
    if best == 1 and len(values) > 1 and not distinct_ok:
        return None
    return next(v for v in values if counts[v] == best)


def find_sku_template(skus: Sequence[tuple[Combo, str]]) -> SkuTemplate | None:
    """The one SKU pattern every variant follows, or None.

    Candidates come from the first variant's SKU: each option's value (as is, upper or lower case) at a
    place where it stands as a word of its own (no letter or digit right before or after), every option
    placed if possible; the first candidate that renders every variant's SKU exactly wins.
    """
    first_combo, first_sku = skus[0]
    for template in _candidates(first_combo, first_sku):
        if all(template.render(combo) == sku for combo, sku in skus):
            return template
    return None


def _candidates(combo: Combo, sku: str) -> itertools.islice[SkuTemplate]:
    choices: list[list[tuple[int, int, Ref] | None]] = []
    for name, value in combo:
        places: list[tuple[int, int, Ref] | None] = []
        if _referable(name):
            for transform, apply in _TRANSFORMS:
                needle = apply(value)
                ref = Ref(name, transform)
                places.extend((start, start + len(needle), ref) for start in _words(sku, needle))
        places.append(None)
        choices.append(places)
    found = (t for pick in itertools.product(*choices) if (t := _template(sku, pick)) is not None)
    return itertools.islice(found, MAX_CANDIDATES)


def _words(text: str, needle: str) -> list[int]:
    """Where ``needle`` occurs in ``text`` with no letter or digit right before or after it."""
    if not needle:
        return []
    starts = []
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            starts.append(at)
        at = text.find(needle, at + 1)
    return starts


def _template(sku: str, pick: Sequence[tuple[int, int, Ref] | None]) -> SkuTemplate | None:
    placed = sorted((p for p in pick if p is not None), key=lambda p: p[0])
    if not placed:
        return None
    parts: list[Part] = []
    at = 0
    for start, end, ref in placed:
        if start < at:
            return None
        if start > at:
            parts.append(sku[at:start])
        parts.append(ref)
        at = end
    if at < len(sku):
        parts.append(sku[at:])
    if any(isinstance(p, str) and ("{" in p or "}" in p) for p in parts):
        return None
    return SkuTemplate(tuple(parts))


def _referable(name: str) -> bool:
    """Whether a template can name the option: by itself, or as ``options['...']`` in one kind of quote."""
    if _plain_name(name):
        return True
    awkward = ("'" in name and '"' in name) or any(ch in name for ch in "\\{}\n\r")
    return not awkward


def _plain_name(name: str) -> bool:
    if not _IDENTIFIER.match(name) or keyword.iskeyword(name):
        return False
    return name.lower() not in _TEMPLATE_WORDS


def _jinja_ref(ref: Ref) -> str:
    if _plain_name(ref.option):
        inner = ref.option
    else:
        quote = '"' if "'" in ref.option else "'"
        inner = f"options[{quote}{ref.option}{quote}]"
    return "{{ " + inner + (f" | {ref.transform}" if ref.transform else "") + " }}"


def _combo_text(combo: Combo) -> str:
    return ", ".join(f"{k}={v}" for k, v in combo)
