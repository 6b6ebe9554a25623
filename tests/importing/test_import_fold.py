"""Folding variants into `variant_defaults` plus exceptions, and writing text as YAML, checked against the
real recipe reader: whatever the importer writes, shelf reads back as exactly what the shop held."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.config import Config, Target
from engine.importing.importer import import_catalog
from engine.importing.recipe_writer import recipe_yaml
from engine.importing.variant_fold import FoldError, expand, find_sku_template, fold, variant_values
from engine.model import ANY_LANGUAGE, Catalog, Product, Variant
from engine.plan import normalise
from engine.recipes import load_catalog
from engine.recipes.templates import Namespace, Templates
from engine.recipes.variants import Combo, Options, combinations

OPTION_NAMES = ["Size", "Color", "Shoe size", "Width", "Fit"]
VALUES = ["S", "M", "L", "XL", "38", "7.5", "Black", "white", "Navy Blue", "no"]
PRICES = [Decimal("9.50"), Decimal("25.00"), Decimal("27"), Decimal("0.99")]


def _load(text: str) -> Catalog:
    """The catalog shelf reads from one recipe file holding ``text``."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "recipes").mkdir()
        (root / "recipes" / "imported.yaml").write_text(text, encoding="utf-8")
        config = Config(
            root=root,
            path=None,
            recipes=(root / "recipes",),
            targets={"sandbox": Target(name="sandbox", platform="xpage", sandbox=True)},
            default_target="sandbox",
        )
        return load_catalog(config, "sandbox")


def _round_trip(catalog: Catalog) -> Catalog:
    imported = import_catalog(catalog)
    assert imported.warnings == []
    return _load(recipe_yaml(imported.document, schema_ref="../schemas/recipe.schema.json"))


def _fields(variants: tuple[Variant, ...]) -> dict[Combo, dict[str, object]]:
    return {v.options: {**variant_values(v), "price": normalise.money(v.price)} for v in variants}


@st.composite
def _options(draw: st.DrawFn) -> Options:
    names = draw(st.lists(st.sampled_from(OPTION_NAMES), min_size=1, max_size=3, unique=True))
    return tuple(
        (name, tuple(draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=4, unique=True))))
        for name in names
    )


@st.composite
def _products(draw: st.DrawFn) -> Product:
    options = draw(_options())
    combos = draw(st.lists(st.sampled_from(combinations(options)), min_size=1, unique=True))
    sku_kind = draw(st.sampled_from(["pattern", "own", "none"]))
    cases: list[Callable[[str], str]] = [str, str.upper, str.lower]
    transforms = [draw(st.sampled_from(cases)) for _ in options]
    prefix = draw(st.sampled_from(["TEE", "x", "A-B", "SKU_"]))
    variants = []
    for index, combo in enumerate(combos):
        if sku_kind == "pattern":
            sku: str | None = "-".join([prefix, *(t(v) for t, (_, v) in zip(transforms, combo, strict=True))])
        elif sku_kind == "own":
            sku = f"{draw(st.sampled_from(['Q', 'Z9', 'K-']))}{index}"
        else:
            sku = None
        variants.append(
            Variant(
                options=combo,
                sku=sku,
                price=draw(st.sampled_from(PRICES)),
                compare_price=draw(st.sampled_from([None, Decimal("30.00"), Decimal("35.50")])),
                stock=draw(st.sampled_from([None, 0, 5, 100])),
            )
        )
    return Product(key="p", title={ANY_LANGUAGE: "P"}, options=options, variants=tuple(variants))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_products())
def test_reading_the_folded_recipe_gives_back_the_same_variants(product: Product) -> None:
    folded = fold(product.options, product.variants)
    assert expand(product.options, folded) == {v.options: variant_values(v) for v in product.variants}

    loaded = _round_trip(Catalog(products={"p": product})).products["p"]
    assert loaded.options == product.options
    assert _fields(loaded.variants) == _fields(product.variants)


@settings(max_examples=60, deadline=None)
@given(_products())
def test_a_sku_template_renders_the_same_in_the_recipes_jinja(product: Product) -> None:
    pairs = [(v.options, v.sku) for v in product.variants if v.sku]
    if len(pairs) != len(product.variants) or len(pairs) < 2:
        return
    template = find_sku_template([(c, str(s)) for c, s in pairs])
    if template is None:
        return
    templates = Templates()
    for combo, sku in pairs:
        context = {**dict(combo), "options": Namespace("options", dict(combo))}
        assert templates.render(template.text, context) == sku


def test_the_folded_form_of_a_typical_product() -> None:
    options: Options = (("Size", ("S", "M", "L")), ("Color", ("Black", "White")))
    variants = tuple(
        Variant(
            options=combo,
            sku=f"TEE-{combo[0][1]}-{combo[1][1].upper()}",
            price=Decimal("27.00") if combo == (("Size", "L"), ("Color", "Black")) else Decimal("25.00"),
            compare_price=Decimal("30.00"),
            stock=100,
        )
        for combo in combinations(options)
        if combo != (("Size", "S"), ("Color", "White"))
    )
    folded = fold(options, variants)
    assert folded.defaults == {
        "sku": "TEE-{{ Size }}-{{ Color | upper }}",
        "price": Decimal("25.00"),
        "compare_price": Decimal("30.00"),
        "stock": 100,
    }
    assert folded.entries == [
        {"Size": "S", "Color": "White", "enabled": False},
        {"Size": "L", "Color": "Black", "price": Decimal("27.00")},
    ]


def test_skus_without_one_pattern_stay_per_variant() -> None:
    options: Options = (("Color", ("Red", "Blue")),)
    variants = (
        Variant(options=(("Color", "Red"),), sku="BAG-001", price=Decimal("15")),
        Variant(options=(("Color", "Blue"),), sku="BAG-XYZ", price=Decimal("15")),
    )
    folded = fold(options, variants)
    assert folded.sku_template is None and "sku" not in folded.defaults
    assert [e["sku"] for e in folded.entries] == ["BAG-001", "BAG-XYZ"]


def test_an_option_value_inside_a_word_is_not_a_template_place() -> None:
    skus = [((("Size", "S"),), "SOCKS-S"), ((("Size", "M"),), "SOCKM-M")]
    assert find_sku_template(skus) is None
    template = find_sku_template([((("Size", "S"),), "SOCKS-S"), ((("Size", "M"),), "SOCKS-M")])
    assert template is not None and template.text == "SOCKS-{{ Size }}"


def test_variants_that_are_not_combinations_cannot_be_folded() -> None:
    options: Options = (("Size", ("S", "M")),)
    stray = Variant(options=(("Size", "XL"),), price=Decimal("1"))
    try:
        fold(options, (stray,))
    except FoldError as exc:
        assert "XL" in str(exc)
    else:
        raise AssertionError("a stray variant was folded")


_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=150, deadline=None)
@given(title=_TEXT, description=_TEXT, material=_TEXT, sku=_TEXT)
def test_any_text_reads_back_as_itself(title: str, description: str, material: str, sku: str) -> None:
    product = Product(
        key="p",
        title={ANY_LANGUAGE: title or "t"},
        description={ANY_LANGUAGE: description} if description else None,
        properties=(("Material", material),),
        variants=(Variant(sku=sku or None, price=Decimal("1.50")),),
    )
    loaded = _round_trip(Catalog(products={"p": product})).products["p"]
    assert normalise.text(loaded.title) == normalise.text(product.title)
    assert normalise.text(loaded.description) == normalise.text(product.description)
    assert normalise.properties(loaded.properties) == normalise.properties(product.properties)
    assert normalise.scalar(loaded.variants[0].sku) == normalise.scalar(sku or None)
    assert loaded.variants[0].price == Decimal("1.50")


def test_money_is_written_as_exact_decimals() -> None:
    product = Product(
        key="p",
        title={ANY_LANGUAGE: "P"},
        variants=(Variant(price=Decimal("25"), compare_price=Decimal("0.1"), stock=3),),
    )
    text = recipe_yaml(import_catalog(Catalog(products={"p": product})).document, schema_ref="s.json")
    assert "    price: 25.00\n" in text and "    compare_price: 0.10\n" in text
