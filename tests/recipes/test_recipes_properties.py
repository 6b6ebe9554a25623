"""Properties of recipe loading that hold for any input of a kind, checked with hypothesis."""

from __future__ import annotations

import itertools
import json
import math
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.config import default_config
from engine.documents.strict_yaml import load_yaml
from engine.recipes import load_catalog
from engine.recipes.variants import combinations, expand_fields

OPTION_NAMES = ["Size", "Color", "Fit"]
OPTION_VALUES = ["S", "M", "L", "XL", "Black", "White", "no", "on", "0123", "38", "7.5", "Sea Salt"]

options_strategy = st.lists(
    st.lists(st.sampled_from(OPTION_VALUES), min_size=1, max_size=4, unique=True), min_size=1, max_size=3
).map(lambda lists: tuple(zip(OPTION_NAMES, (tuple(v) for v in lists), strict=False)))


@st.composite
def options_and_disabled(draw: st.DrawFn) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], list[int]]:
    options = draw(options_strategy)
    total = math.prod(len(values) for _, values in options)
    disabled = draw(st.lists(st.integers(0, total - 1), unique=True, max_size=total))
    return options, disabled


@given(options_and_disabled())
def test_expand_fields_counts_and_order(
    case: tuple[tuple[tuple[str, tuple[str, ...]], ...], list[int]],
) -> None:
    options, disabled_at = case
    every = combinations(options)
    assert every == list(itertools.product(*[[(n, v) for v in values] for n, values in options]))
    disabled = {every[i] for i in disabled_at}
    expanded = expand_fields(options, {"price": 1}, {every[0]: {"price": 2}}, disabled)
    assert len(expanded) == math.prod(len(v) for _, v in options) - len(disabled)
    assert [combo for combo, _ in expanded] == [c for c in every if c not in disabled]
    assert all(fields["price"] == (2 if combo == every[0] else 1) for combo, fields in expanded)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options_and_disabled())
def test_loaded_variants_are_every_enabled_combination(
    case: tuple[tuple[tuple[str, tuple[str, ...]], ...], list[int]],
) -> None:
    options, disabled_at = case
    every = combinations(options)
    disabled = [every[i] for i in disabled_at]
    sku = "-".join(["P", *(f"{{{{ options['{name}'] }}}}" for name, _ in options)])
    product = {
        "key": "p",
        "title": "P",
        "options": {name: list(values) for name, values in options},
        "variant_defaults": {"sku": sku, "price": 10},
        "variants": [{**dict(combo), "enabled": False} for combo in disabled],
    }
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "recipes").mkdir()
        (root / "recipes" / "p.yaml").write_text(json.dumps({"products": [product]}))
        loaded = load_catalog(default_config(root), "sandbox").products["p"]
    expected = [c for c in every if c not in disabled]
    assert [v.options for v in loaded.variants] == expected
    assert len(loaded.variants) == math.prod(len(v) for _, v in options) - len(disabled)
    assert [v.sku for v in loaded.variants] == ["-".join(["P", *(value for _, value in c)]) for c in expected]
    assert loaded.options == options


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False))
def test_money_is_read_exactly(amount: Decimal) -> None:
    text = f"{amount:.2f}"
    value, problems = load_yaml(f"price: {text}\n", "r.yaml")
    assert problems == []
    assert value["price"] == amount and str(value["price"]) == text


@given(st.from_regex(r"0[0-9]{1,12}", fullmatch=True))
def test_leading_zeros_never_make_numbers(text: str) -> None:
    value, _ = load_yaml(f"sku: {text}\n", "r.yaml")
    assert value["sku"] == text


@given(st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.integers(-1000, 1000), max_size=8))
def test_every_key_has_a_place(mapping: dict[str, int]) -> None:
    text = "".join(f"{key}: {number}\n" for key, number in mapping.items())
    value, problems = load_yaml(text, "r.yaml")
    assert problems == []
    assert dict(value or {}) == mapping
    for line, key in enumerate(mapping, start=1):
        assert value.key_sources[key].line == line and value.key_sources[key].col == 1
        assert value.value_sources[key].col == len(key) + 3
