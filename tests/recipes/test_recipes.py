"""Loading recipes into a Catalog: the demo catalog, fields, variants, assets, targets, references."""

from __future__ import annotations

import hashlib
import os
import socket
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from engine.config import default_config, load_config
from engine.errors import ConfigError, RecipeErrors, Source
from engine.model import ANY_LANGUAGE, Asset, Catalog
from engine.recipes import load_catalog, recipe_files, recipes_digest, validate_all

from pictures import write_png

PROJECT = Path(__file__).resolve().parents[2]


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def catalog_of(tmp_path: Path, recipe: str, target: str | None = "sandbox") -> Catalog:
    write(tmp_path, {"recipes/r.yaml": recipe})
    return load_catalog(default_config(tmp_path), target)


def errors_of(tmp_path: Path, files: dict[str, str]) -> list[str]:
    write(tmp_path, files)
    config_file = tmp_path / "shelf.yaml"
    config = load_config(config_file, tmp_path) if config_file.exists() else default_config(tmp_path)
    with pytest.raises(RecipeErrors) as caught:
        validate_all(config)
    return caught.value.render().splitlines()


# --- the demo catalog -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Catalog:
    return load_catalog(default_config(PROJECT), "sandbox")


def test_demo_validates(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("no connection while validating")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert validate_all(default_config(PROJECT)) >= 18


def test_demo_shape(demo: Catalog) -> None:
    assert len(demo.products) >= 12
    assert len({p.category for p in demo.products.values()}) >= 3
    assert {k: c.name for k, c in demo.categories.items()} == {
        "apparel": {ANY_LANGUAGE: "Apparel"},
        "t-shirts": {ANY_LANGUAGE: "T-Shirts"},
        "hoodies": {ANY_LANGUAGE: "Hoodies"},
        "accessories": {ANY_LANGUAGE: "Accessories"},
        "home": {ANY_LANGUAGE: "Home"},
        "digital": {ANY_LANGUAGE: "Digital"},
    }
    assert demo.categories["t-shirts"].parent == "apparel"
    assert [p.key for p in demo.products.values() if p.status == "inactive"] == ["retro-windbreaker"]
    [digital] = [p for p in demo.products.values() if p.digital]
    [guide] = digital.files
    assert guide.mime_type == "application/pdf" and digital.variants[0].file == guide.ref
    assert digital.variants[0].sku
    with_images = [p for p in demo.products.values() if p.images]
    assert len(with_images) >= 10
    assert sum(1 for p in with_images for a in p.images if a.alt) >= 5
    assert all(a.mime_type == "image/png" and a.sha256 for p in with_images for a in p.images)
    assert sum(1 for p in demo.products.values() for v in p.variants if v.own_image) == 1
    demo_bytes = sum(
        f.stat().st_size for f in (PROJECT / "recipes").rglob("*") if f.is_file() and f.suffix != ".yaml"
    )
    assert demo_bytes < 300 * 1024
    assert sum(1 for p in demo.products.values() if p.options) >= 5
    assert all(p.properties for p in demo.products.values())
    assert sum(1 for p in demo.products.values() if p.seo_title) >= 4
    assert not demo.promotions and not demo.subscriptions


def test_demo_classic_tee(demo: Catalog) -> None:
    tee = demo.products["classic-tee"]
    assert tee.options == (("Size", ("S", "M", "L")), ("Color", ("Black", "White")))
    assert [v.sku for v in tee.variants] == [
        "TEE-S-BLACK",
        "TEE-M-BLACK",
        "TEE-M-WHITE",
        "TEE-L-BLACK",
        "TEE-L-WHITE",
    ]
    prices = {v.sku: v.price for v in tee.variants}
    assert prices["TEE-L-BLACK"] == Decimal("27.00") and prices["TEE-S-BLACK"] == Decimal("25.00")
    assert tee.seo_title == {ANY_LANGUAGE: "Classic Tee | Shelf Demo Shop"}
    assert ("Weight (g)", "220") in tee.properties


def test_demo_files_carry_the_schema_modeline() -> None:
    for path in sorted((PROJECT / "recipes").glob("*.yaml")):
        assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/recipe.schema.json")


def test_demo_skus_are_unique(demo: Catalog) -> None:
    skus = [v.sku for p in demo.products.values() for v in p.variants]
    assert all(skus) and len(skus) == len(set(skus))


# --- fields -----------------------------------------------------------------------------------------


def test_product_fields(tmp_path: Path) -> None:
    catalog = catalog_of(
        tmp_path,
        """
        categories:
          - {key: tees, name: {en: Tees, de: T-Shirts}}
        products:
          - key: tee
            title: {en: Tee, de: T-Shirt}
            description: Soft.
            seo: {title: Tee | Acme, description: Best}
            category: tees
            status: inactive
            properties: {Material: Cotton, Weight: 180, Organic: true, Ratio: 0.50}
            price: 25.10
            compare_price: 30
            sku: TEE-1
            stock: 4
            protect: true
        """,
    )
    tee = catalog.products["tee"]
    assert tee.title == {"en": "Tee", "de": "T-Shirt"}
    assert tee.description == {ANY_LANGUAGE: "Soft."}
    assert (tee.seo_title, tee.seo_description) == ({ANY_LANGUAGE: "Tee | Acme"}, {ANY_LANGUAGE: "Best"})
    assert (tee.category, tee.status, tee.protect, tee.digital) == ("tees", "inactive", True, False)
    assert tee.properties == (
        ("Material", "Cotton"),
        ("Weight", "180"),
        ("Organic", "true"),
        ("Ratio", "0.50"),
    )
    [variant] = tee.variants
    assert variant.options == () and variant.sku == "TEE-1" and variant.stock == 4
    assert variant.price == Decimal("25.10") and str(variant.price) == "25.10"
    assert variant.compare_price == Decimal("30")
    assert tee.source == Source("recipes/r.yaml", 5, 5)
    assert catalog.categories["tees"].name == {"en": "Tees", "de": "T-Shirts"}


def test_stock_left_out_is_none(tmp_path: Path) -> None:
    catalog = catalog_of(tmp_path, "products:\n  - {key: a, title: A, price: 1}\n")
    assert catalog.products["a"].variants[0].stock is None


def test_images_and_files_become_assets(tmp_path: Path) -> None:
    recipes = tmp_path.resolve() / "recipes"
    front = write_png(recipes / "images/front.jpg", seed=1)
    write_png(recipes / "images/back.jpg", seed=2)
    (recipes / "files").mkdir()
    (recipes / "files/card.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    catalog = catalog_of(
        tmp_path,
        """
        products:
          - key: card
            title: Card
            digital: true
            price: 10
            images:
              - images/front.jpg
              - {file: images/back.jpg, alt: Back}
              - {url: "https://cdn.example.com/side.jpg", alt: Side}
            files: [files/card.pdf]
        """,
    )
    card = catalog.products["card"]
    assert [(a.ref, a.path, a.alt) for a in card.images] == [
        ("images/front.jpg", str(recipes / "images/front.jpg"), None),
        ("images/back.jpg", str(recipes / "images/back.jpg"), "Back"),
        ("https://cdn.example.com/side.jpg", None, "Side"),
    ]
    assert card.images[0].sha256 == hashlib.sha256(front).hexdigest()
    assert card.images[0].size == len(front) and card.images[0].mime_type == "image/png"
    assert card.images[2] == Asset(
        ref="https://cdn.example.com/side.jpg", url="https://cdn.example.com/side.jpg", alt="Side"
    )
    [pdf] = card.files
    assert (pdf.ref, pdf.path, pdf.mime_type, pdf.size) == (
        "files/card.pdf",
        str(recipes / "files/card.pdf"),
        "application/pdf",
        15,
    )
    assert card.variants[0].file == "files/card.pdf"
    assert card.images[1].source == Source("recipes/r.yaml", 9, 9)


def test_asset_path_problems(tmp_path: Path) -> None:
    write_png(tmp_path / "recipes" / "ftp.jpg")
    lines = errors_of(
        tmp_path,
        {
            "recipes/r.yaml": """
            products:
              - key: a
                title: A
                price: 1
                images: [/abs/a.jpg, ftp.jpg, {url: ftp://x/y.jpg}, ftp.jpg]
            """
        },
    )
    assert lines == [
        "recipes/r.yaml:6:14: image '/abs/a.jpg' must be a path relative to the recipe file, "
        "written with '/'",
        "recipes/r.yaml:6:41: image url 'ftp://x/y.jpg' must start with http:// or https://",
        "recipes/r.yaml:6:57: image 'ftp.jpg' is listed twice (also at recipes/r.yaml:6:26)",
    ]


# --- variants ---------------------------------------------------------------------------------------


def test_variant_expansion(tmp_path: Path) -> None:
    for seed, name in enumerate(("tee.jpg", "tee-white.jpg")):
        write_png(tmp_path / "recipes" / "images" / name, seed=seed)
    catalog = catalog_of(
        tmp_path,
        """
        products:
          - key: tee
            title: Tee
            images: [images/tee.jpg]
            options:
              Size: [S, M]
              Color: [Black, White]
            variant_defaults:
              sku: "{{ key | upper }}-{{ Size }}-{{ options.Color[:1] }}"
              price: 25.00
              stock: 10
              image: images/tee.jpg
            variants:
              - {Size: M, Color: White, price: 27.50, image: "images/tee-{{ Color | lower }}.jpg"}
              - {Color: Black, Size: S, enabled: false}
        """,
    )
    tee = catalog.products["tee"]
    assert [(v.options, v.sku, str(v.price)) for v in tee.variants] == [
        ((("Size", "S"), ("Color", "White")), "TEE-S-W", "25.00"),
        ((("Size", "M"), ("Color", "Black")), "TEE-M-B", "25.00"),
        ((("Size", "M"), ("Color", "White")), "TEE-M-W", "27.50"),
    ]
    assert tee.variants[0].image == "images/tee.jpg" and tee.variants[0].own_image is None
    last = tee.variants[2]
    assert last.image == "images/tee-white.jpg"
    assert last.own_image is not None and last.own_image.ref == "images/tee-white.jpg"
    assert last.source == Source("recipes/r.yaml", 15, 9)
    assert tee.variants[0].source == Source("recipes/r.yaml", 10, 7)


def test_numeric_option_values_are_text(tmp_path: Path) -> None:
    catalog = catalog_of(
        tmp_path,
        """
        products:
          - key: shoe
            title: Shoe
            options: {Size: [38, 39, 7.5]}
            variant_defaults: {price: 80, sku: "SHOE-{{ Size }}"}
            variants: [{Size: 39, price: 85}]
        """,
    )
    shoe = catalog.products["shoe"]
    assert shoe.options == (("Size", ("38", "39", "7.5")),)
    assert [v.sku for v in shoe.variants] == ["SHOE-38", "SHOE-39", "SHOE-7.5"]
    assert shoe.variants[1].price == Decimal("85")


def test_duplicate_variant_entry(tmp_path: Path) -> None:
    lines = errors_of(
        tmp_path,
        {
            "recipes/r.yaml": """
            products:
              - key: tee
                title: Tee
                options: {Size: [S, M]}
                variant_defaults: {price: 1}
                variants:
                  - {Size: S, price: 2}
                  - {Size: S, price: 3}
                variant_defaults_extra: 1
            """
        },
    )
    assert lines == [
        "recipes/r.yaml:10:5: unknown field 'variant_defaults_extra' in product 'tee' "
        "(did you mean 'variant_defaults'?)"
    ]
    (tmp_path / "recipes/r.yaml").write_text(
        (tmp_path / "recipes/r.yaml").read_text().replace("    variant_defaults_extra: 1\n", "")
    )
    with pytest.raises(RecipeErrors) as caught:
        validate_all(default_config(tmp_path))
    assert caught.value.render() == (
        "recipes/r.yaml:9:9: variants entry 2 repeats Size=S (first at recipes/r.yaml:8:9)"
    )


def test_template_in_option_value_is_refused(tmp_path: Path) -> None:
    lines = errors_of(
        tmp_path,
        {
            "recipes/r.yaml": """
            products:
              - {key: a, title: A, options: {Size: ["{{ vars.size }}", S]}, variant_defaults: {price: 1}}
            """
        },
    )
    assert lines == [
        "recipes/r.yaml:3:41: a value of option 'Size' cannot be a template, got '{{ vars.size }}'"
    ]


# --- templates --------------------------------------------------------------------------------------


SHELF_TWO_TARGETS = """
default_target: sandbox
targets:
  sandbox:
    platform: xpage
    sandbox: true
    vars: {brand: Sandbox, base: 10.00}
  shop:
    platform: xpage
    base_url: https://shop.example.com/api/apps/v1
    vars: {brand: Acme, base: 12.50}
"""


def test_templates_use_the_target_vars(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shelf.yaml": SHELF_TWO_TARGETS,
            "recipes/r.yaml": """
            products:
              - key: tee
                title: "{{ vars.brand }} Tee"
                description: "The {{ title }} ({{ key }})"
                price: "{{ vars.base }}"
                sku: "{{ key | upper }}"
            """,
        },
    )
    config = load_config(tmp_path / "shelf.yaml", tmp_path)
    sandbox = load_catalog(config, "sandbox").products["tee"]
    shop = load_catalog(config, "shop").products["tee"]
    assert sandbox.title == {ANY_LANGUAGE: "Sandbox Tee"} and shop.title == {ANY_LANGUAGE: "Acme Tee"}
    assert shop.description == {ANY_LANGUAGE: "The Acme Tee (tee)"}
    assert sandbox.variants[0].price == Decimal("10.00") and shop.variants[0].price == Decimal("12.50")
    assert shop.variants[0].sku == "TEE"
    assert validate_all(config) == 1


def test_rendered_money_is_checked(tmp_path: Path) -> None:
    write(tmp_path, {"shelf.yaml": SHELF_TWO_TARGETS.replace("base: 12.50", "base: 12.505")})
    lines = errors_of(
        tmp_path, {"recipes/r.yaml": "products:\n  - {key: a, title: A, price: '{{ vars.base }}'}\n"}
    )
    assert lines == [
        "recipes/r.yaml:2:31: 'price' must be a number of at least 0 with at most 2 decimals, got '12.505'"
    ]


def test_one_error_per_place_across_targets(tmp_path: Path) -> None:
    write(tmp_path, {"shelf.yaml": SHELF_TWO_TARGETS})
    lines = errors_of(
        tmp_path,
        {"recipes/r.yaml": "products:\n  - {key: a, title: '{{ nope }}', price: 1, sku: '{{ vars.sku }}'}\n"},
    )
    assert lines == [
        "recipes/r.yaml:2:21: template uses an undefined name: 'nope' is undefined",
        "recipes/r.yaml:2:50: template uses an undefined name: 'vars.sku' is undefined for target 'sandbox'",
        "recipes/r.yaml:2:50: template uses an undefined name: 'vars.sku' is undefined for target 'shop'",
    ]


def test_templates_cannot_reach_the_environment_or_files(tmp_path: Path) -> None:
    os.environ["SHELF_TEST_SECRET"] = "hunter2"
    try:
        lines = errors_of(
            tmp_path,
            {
                "recipes/r.yaml": """
                products:
                  - key: a
                    title: "{{ environ }}"
                    description: "{% include '/etc/passwd' %}"
                    price: 1
                  - key: b
                    title: "{{ vars.__class__ }}"
                    description: "{{ 'x' * 1000000 }}"
                    price: 1
                  - key: c
                    title: "{{ range(10) | list }}"
                    price: 1
                """
            },
        )
    finally:
        del os.environ["SHELF_TEST_SECRET"]
    assert not any("hunter2" in line for line in lines)
    assert lines[0] == "recipes/r.yaml:4:12: template uses an undefined name: 'environ' is undefined"
    assert lines[1] == "recipes/r.yaml:5:18: templates cannot include, import or extend other files"
    assert lines[2].startswith("recipes/r.yaml:8:12: template is not allowed to do this")
    assert lines[3] == (
        "recipes/r.yaml:9:18: template is not allowed to do this: results longer than 100000 are not allowed"
    )
    assert lines[4] == "recipes/r.yaml:12:12: template uses an undefined name: 'range' is undefined"
    assert len(lines) == 5


# --- references and targets -------------------------------------------------------------------------


def test_promotion_skus_resolve_to_product_keys(tmp_path: Path) -> None:
    catalog = catalog_of(
        tmp_path,
        """
        categories: [{key: tees, name: Tees}]
        products:
          - {key: tee, title: Tee, options: {Size: [S, M]}, variant_defaults: {sku: "T-{{ Size }}", price: 1}}
          - {key: mug, title: Mug, price: 5, sku: MUG}
        promotions:
          - key: sale
            title: Sale
            discount: {amount: 2.50}
            products: [T-M, mug, T-S, MUG]
            categories: [tees]
            starts_at: 2026-11-27T00:00:00Z
            ends_at: 2026-11-30T23:59:59+01:00
            code: SALE
        subscriptions:
          - key: m365
            organization: 4F7C0D2E-1111-4A3B-9C55-0A1B2C3D4E5F
            offer: 3d800b57-0958-4d86-a6a6-144243908f4f
            form_data: {quantityBox1: 25, ChargePeriod: {pricingFrequency: Monthly}, Note: "for {{ key }}"}
        """,
    )
    sale = catalog.promotions["sale"]
    assert sale.products == ("tee", "mug")
    assert sale.discount.kind == "amount" and sale.discount.value == Decimal("2.50")
    assert (sale.categories, sale.starts_at, sale.ends_at, sale.code) == (
        ("tees",),
        "2026-11-27T00:00:00Z",
        "2026-11-30T23:59:59+01:00",
        "SALE",
    )
    sub = catalog.subscriptions["m365"]
    assert sub.organization == "4f7c0d2e-1111-4a3b-9c55-0a1b2c3d4e5f"
    assert sub.form_data == {
        "quantityBox1": 25,
        "ChargePeriod": {"pricingFrequency": "Monthly"},
        "Note": "for m365",
    }
    assert type(sub.form_data) is dict


def test_promotions_apply_to_what_goes_to_each_target(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shelf.yaml": SHELF_TWO_TARGETS,
            "recipes/r.yaml": """
            categories:
              - {key: tees, name: Tees, targets: [shop]}
            products:
              - {key: tee, title: Tee, price: 1, sku: TEE, targets: [shop]}
              - {key: mug, title: Mug, price: 1, sku: MUG}
            promotions:
              - {key: tees-only, title: T, discount: {percent: 10}, products: [TEE], categories: [tees]}
              - {key: both, title: B, discount: {percent: 10}, products: [tee, mug]}
              - {key: everything, title: E, discount: {percent: 5}}
            """,
        },
    )
    config = load_config(tmp_path / "shelf.yaml", tmp_path)
    shop = load_catalog(config, "shop").promotions
    sandbox = load_catalog(config, "sandbox").promotions
    assert shop["tees-only"].products == ("tee",) and shop["tees-only"].categories == ("tees",)
    assert shop["both"].products == ("tee", "mug")
    assert "tees-only" not in sandbox
    assert sandbox["both"].products == ("mug",)
    assert sandbox["everything"].products == () and sandbox["everything"].categories == ()


def test_catalog_for_a_target_and_for_all(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shelf.yaml": SHELF_TWO_TARGETS,
            "recipes/r.yaml": """
            products:
              - {key: both, title: "{{ vars.brand }}", price: 1}
              - {key: shop-only, title: "{{ vars.brand }}", price: 1, targets: [shop]}
              - {key: sandbox-only, title: Sandbox, price: 1, targets: [sandbox], protect: true}
            """,
        },
    )
    config = load_config(tmp_path / "shelf.yaml", tmp_path)
    assert list(load_catalog(config, "shop").products) == ["both", "shop-only"]
    assert list(load_catalog(config, "sandbox").products) == ["both", "sandbox-only"]
    everything = load_catalog(config)
    assert list(everything.products) == ["both", "shop-only", "sandbox-only"]
    assert everything.products["both"].title == {ANY_LANGUAGE: "Sandbox"}
    assert everything.products["shop-only"].title == {ANY_LANGUAGE: "Acme"}
    assert everything.products["shop-only"].targets == ("shop",)
    assert everything.for_target("shop").products.keys() == load_catalog(config, "shop").products.keys()


def test_unknown_target_for_load_catalog(tmp_path: Path) -> None:
    write(tmp_path, {"recipes/r.yaml": "products: []\n"})
    with pytest.raises(ConfigError) as caught:
        load_catalog(default_config(tmp_path), "sandbx")
    assert "unknown target 'sandbx'" in caught.value.render()
    assert "did you mean 'sandbox'?" in caught.value.render()


def test_categories_come_parents_first(tmp_path: Path) -> None:
    catalog = catalog_of(
        tmp_path,
        """
        categories:
          - {key: tees, name: Tees, parent: apparel}
          - {key: vnecks, name: V-Necks, parent: tees}
          - {key: apparel, name: Apparel}
          - {key: home, name: Home}
        """,
    )
    assert list(catalog.categories) == ["apparel", "tees", "vnecks", "home"]


def test_self_parent_is_a_cycle(tmp_path: Path) -> None:
    lines = errors_of(tmp_path, {"recipes/r.yaml": "categories:\n  - {key: a, name: A, parent: a}\n"})
    assert lines == [
        "recipes/r.yaml:2:31: categories form a cycle: a -> a (a category cannot be its own ancestor)"
    ]


def test_errors_do_not_cascade(tmp_path: Path) -> None:
    """A category with a schema error still exists for the products that refer to it."""
    lines = errors_of(
        tmp_path,
        {
            "recipes/a.yaml": "categories:\n  - {key: tees, name: Tees, colour: red}\n",
            "recipes/b.yaml": "products:\n  - {key: tee, title: Tee, category: tees, price: 1}\n",
        },
    )
    assert lines == ["recipes/a.yaml:2:29: unknown field 'colour' in category 'tees'"]


# --- files ------------------------------------------------------------------------------------------


def test_recipe_files_are_sorted_and_hidden_ones_skipped(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "recipes/b.yaml": "products: []\n",
            "recipes/a/z.yml": "products: []\n",
            "recipes/a.yaml": "products: []\n",
            "recipes/.draft.yaml": "products: [oops]\n",
            "recipes/.git/x.yaml": "oops: 1\n",
            "recipes/notes.txt": "not yaml\n",
        },
    )
    names = [p.relative_to(tmp_path.resolve()).as_posix() for p in recipe_files(default_config(tmp_path))]
    assert names == ["recipes/a.yaml", "recipes/a/z.yml", "recipes/b.yaml"]


def test_missing_recipes_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_all(default_config(tmp_path))
    assert "no shelf.yaml" in caught.value.render() and "shelf init" in caught.value.render()
    (tmp_path / "recipes").mkdir()
    with pytest.raises(ConfigError) as caught:
        validate_all(default_config(tmp_path))
    assert "no recipe files" in caught.value.render()


def test_digest_follows_names_and_bytes(tmp_path: Path) -> None:
    write(tmp_path, {"recipes/a.yaml": "products: []\n"})
    config = default_config(tmp_path)
    first = recipes_digest(config)
    assert first.startswith("sha256:") and len(first) == 7 + 64
    assert recipes_digest(config) == first
    (tmp_path / "recipes/a.yaml").write_text("products: [] \n")
    second = recipes_digest(config)
    assert second != first
    (tmp_path / "recipes/a.yaml").rename(tmp_path / "recipes/b.yaml")
    assert recipes_digest(config) not in (first, second)


def test_unreadable_recipe(tmp_path: Path) -> None:
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes/bad.yaml").write_bytes(b"products: [\xff\xfe]\n")
    with pytest.raises(RecipeErrors) as caught:
        validate_all(default_config(tmp_path))
    assert caught.value.render() == (
        "recipes/bad.yaml:1:12: cannot read the recipe file: it is not UTF-8 text (byte 0xff)"
        " (save it as UTF-8)"
    )


def test_recipes_outside_the_repository_are_refused_unread(tmp_path: Path) -> None:
    """A shelf.yaml may come from a pull request too: ``recipes: [../elsewhere]`` (or ``/``, or
    ``/proc/self/environ``) would search or print what lies outside the repository."""
    write(
        tmp_path,
        {
            "elsewhere/r.yaml": "products:\n  - {key: a, title: A}\n",
            "repo/shelf.yaml": "recipes: [../elsewhere]\n",
        },
    )
    config = load_config(tmp_path / "repo/shelf.yaml", tmp_path)
    with pytest.raises(ConfigError) as caught:
        validate_all(config)
    assert caught.value.render().startswith("shelf.yaml:1:11: recipes path ")
    assert "is outside the catalog repository" in caught.value.render()
