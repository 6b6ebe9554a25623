"""The compiled schema check and jsonschema agree, and recipes' schema messages are jsonschema's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.documents import fast_schema
from engine.documents.checking import schema_problems
from engine.documents.schema import validator
from engine.documents.strict_yaml import load_yaml
from engine.errors import Source
from engine.recipes.parse import _owner, parse_text

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=10**6),
    st.decimals(min_value=-5, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "tee", "Tee-1", "{{ Size }}", "{{ vars.price }}", "UPPER", "a b", "12345678"]),
    st.sampled_from([Decimal("5.0"), Decimal("25.10"), Decimal("0.001"), Decimal("1E+1"), 0, -1]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["S", "M", "file", "alt", "url", "percent"]), inner, max_size=3),
    ),
    max_leaves=6,
)
PRODUCT_FIELDS = [
    "key", "title", "description", "price", "compare_price", "sku", "stock", "status", "digital", "images",
    "options", "variant_defaults", "variants", "properties", "category", "barcode", "seo", "targets",
    "titel",
]  # fmt: skip


def _product() -> st.SearchStrategy[dict[str, Any]]:
    base = st.fixed_dictionaries({"key": st.sampled_from(["tee", "Tee", "t-1"]), "title": st.just("Tee")})
    extra = st.dictionaries(st.sampled_from(PRODUCT_FIELDS), VALUES, max_size=4)
    return st.builds(lambda b, e: {**b, **e}, base, extra)


DOCUMENTS = st.fixed_dictionaries(
    {"products": st.lists(_product(), min_size=1, max_size=3)},
    optional={
        "categories": st.lists(
            st.dictionaries(st.sampled_from(["key", "name", "parent", "x"]), VALUES, max_size=3), max_size=2
        ),
        "promotions": st.lists(
            st.dictionaries(st.sampled_from(["key", "title", "discount", "products"]), VALUES, max_size=4),
            max_size=2,
        ),
        "x-shared": VALUES,
        "product": VALUES,
    },
)


def _jsonschema_valid(document: Any) -> bool:
    return not any(True for _ in validator("recipe").iter_errors(document))


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_recipes_fast_schema_agrees_with_jsonschema(document: dict[str, Any]) -> None:
    assert fast_schema.is_valid("recipe", document) == _jsonschema_valid(document)


TABLE: list[tuple[dict[str, Any], bool]] = [
    ({"key": "tee", "title": "Tee", "price": 25}, True),
    ({"key": "tee", "title": "Tee", "price": Decimal("25.10")}, True),
    ({"key": "tee", "title": "Tee", "price": Decimal("25.105")}, False),
    ({"key": "tee", "title": "Tee", "price": "{{ vars.price }}"}, True),
    ({"key": "tee", "title": "Tee", "price": "25"}, False),
    ({"key": "tee", "title": "Tee", "price": True}, False),
    ({"key": "tee", "title": "Tee", "price": 1, "stock": Decimal("5.0")}, False),
    ({"key": "tee", "title": "Tee", "price": 1, "stock": 5}, True),
    ({"key": "Tee", "title": "Tee", "price": 1}, False),
    ({"key": "tee", "title": {"en": "Tee", "de": "Tee"}, "price": 1}, True),
    ({"key": "tee", "title": {"EN": "Tee"}, "price": 1}, False),
    ({"key": "tee", "title": "Tee", "options": {"Size": ["S", "S"]}}, False),
    ({"key": "tee", "title": "Tee", "options": {"Size": ["S", 38, Decimal("7.5")]}}, True),
    ({"key": "tee", "title": "Tee", "titel": "x"}, False),
    ({"key": "tee", "title": "Tee", "barcode": "4006381333931"}, True),
    ({"key": "tee", "title": "Tee", "barcode": "40063"}, False),
]


def test_recipes_fast_schema_table() -> None:
    for product, valid in TABLE:
        document = {"products": [product]}
        assert _jsonschema_valid(document) is valid, product
        assert fast_schema.is_valid("recipe", document) is valid, product
        assert fast_schema.is_valid("recipe", product, "product") is valid, product


def test_recipes_fast_schema_keeps_jsonschema_messages() -> None:
    """Only the failing items go through jsonschema, and what it says is what checking the whole file
    says: the same problems at the same places."""
    lines = ["categories:", "  - {key: apparel, name: Apparel, colour: red}", "products:"]
    for i in range(40):
        lines += [f"  - key: item-{i}", f"    title: Item {i}", "    price: 10"]
    lines[3 + 3 * 7 + 2] = "    price: 10.005"
    lines[3 + 3 * 20 + 1] = "    titel: Item 20"
    lines += ["colour: blue"]
    text = "\n".join(lines) + "\n"
    document, _ = load_yaml(text, "many.yaml")
    root = Source("many.yaml", 1, 1)
    whole = [problem for _, problem in schema_problems(document, "recipe", root, _owner(document))]
    items, problems = parse_text(text, "many.yaml", Path("many.yaml"))
    assert problems == whole
    assert [item.ok for item in items].count(False) == 3
    assert [f"{p.source} {p.message}" for p in problems] == [
        "many.yaml:2:35 unknown field 'colour' in category 'apparel'",
        "many.yaml:27:12 'price' must be a number with at most 2 decimals, got '10.005'",
        "many.yaml:64:5 product 'item-20' is missing required field 'title'",
        "many.yaml:65:5 unknown field 'titel' in product 'item-20'",
        "many.yaml:124:1 unknown field 'colour' in the recipe file",
    ]
    assert problems[3].hint == "did you mean 'title'?"
