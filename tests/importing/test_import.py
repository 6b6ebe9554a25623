"""`shelf import` through the real CLI: recipes written from the live shop plan back to no changes.

Two shops are imported: the demo catalog as shelf applied it, and a catalog built straight through the
xPage API by someone else (options, variants with exceptions, properties, a simple product, an inactive
one, texts that look like templates), which is the case import exists for.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from support import sandbox_control, sandbox_db, shelf, xpage_api

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def _plan_is_empty() -> None:
    validated = shelf("validate")
    assert validated.exit_code == 0, validated.output
    planned = shelf("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert "No changes" in planned.stderr


def test_the_demo_catalog_imports_into_a_fresh_repository(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    shutil.move(repo / "recipes", repo / "demo")  # a fresh repository on the same shop: no recipes
    result = shelf("import", "--out", "recipes/imported.yaml", "--download-images", "images")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Imported 13 products" in result.stderr
    assert "warning" not in result.stderr
    guide = repo / "images" / "style-guide" / "capsule-wardrobe-guide.pdf"
    assert guide.read_bytes() == (repo / "demo" / "files" / "capsule-wardrobe-guide.pdf").read_bytes()
    text = (repo / "recipes" / "imported.yaml").read_text()
    assert "../images/style-guide/capsule-wardrobe-guide.pdf" in text
    assert text.startswith("# yaml-language-server: $schema=../schemas/recipe.schema.json\n")
    assert 'sku: "TEE-{{ Size }}-{{ Color | upper }}"' in text
    assert "- {Size: S, Color: White, enabled: false}" in text
    assert "- {Size: L, Color: Black, price: 27.00}" in text
    assert "price: 9.50" in text and "status: inactive" in text
    assert "status: active" not in text and "digital: false" not in text
    _plan_is_empty()


def test_import_keeps_the_recipe_category_keys_when_recipes_load(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    result = shelf("import", "--out", "imported/catalog.yaml", "--download-images", "imported/files")
    assert result.exit_code == 0, result.output
    document = yaml.safe_load((repo / "imported" / "catalog.yaml").read_text())
    assert {c["key"] for c in document["categories"]} == {
        "accessories",
        "apparel",
        "digital",
        "home",
        "hoodies",
        "t-shirts",
    }
    (repo / "shelf.yaml").write_text(
        "recipes: [imported]\ntargets:\n  sandbox:\n    platform: xpage\n    sandbox: true\n"
    )
    _plan_is_empty()


def test_without_downloads_images_are_urls_and_digital_files_a_warning(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    shutil.move(repo / "recipes", repo / "demo")
    result = shelf("import", "--out", "recipes/imported.yaml")
    assert result.exit_code == 0, result.output
    assert "warning: product 'style-guide': its digital files" in result.stderr
    assert "--download-images" in result.stderr
    document = yaml.safe_load((repo / "recipes" / "imported.yaml").read_text())
    tote = next(p for p in document["products"] if p["key"] == "canvas-tote")
    assert all(set(image) <= {"url", "alt"} for image in tote["images"])
    planned = json.loads(shelf("plan", "--format", "json").stdout)
    assert [c["address"] for c in planned["changes"]] == ["product.style-guide"]  # the file only


def test_importing_among_the_recipes_warns_about_products_described_twice(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    result = shelf("import", "--out", "recipes/imported.yaml")
    assert result.exit_code == 0, result.output
    assert "13 imported product(s) are also in the other recipes (first: baseball-cap)" in result.stderr
    assert "defined twice" in shelf("validate").stderr


def test_import_writes_to_stdout_and_talks_on_stderr(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    result = shelf("import")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# yaml-language-server: $schema=")
    assert "Imported 13 products" not in result.stdout and "Imported 13 products" in result.stderr
    assert yaml.safe_load(result.stdout)["products"][0]["key"] == "baseball-cap"


def test_import_refuses_to_replace_a_file_without_force(repo: Path) -> None:
    (repo / "mine.yaml").write_text("products: []\n")
    refused = shelf("import", "--out", "mine.yaml")
    assert refused.exit_code == 1
    assert "mine.yaml" in refused.stderr and "--force" in refused.stderr
    assert (repo / "mine.yaml").read_text() == "products: []\n"
    assert shelf("import", "--out", "mine.yaml", "--force").exit_code == 0
    assert (repo / "mine.yaml").read_text().startswith("# yaml-language-server:")


def test_the_modeline_points_at_the_schema_when_the_repository_has_it(repo: Path) -> None:
    (repo / "schemas").mkdir()
    (repo / "schemas" / "recipe.schema.json").write_text(shelf("schema", "recipe").stdout)
    assert shelf("import", "--out", "recipes/deep/imported.yaml").exit_code == 0
    first, second = (repo / "recipes" / "deep" / "imported.yaml").read_text().splitlines()[:2]
    assert first == "# yaml-language-server: $schema=../../schemas/recipe.schema.json"
    assert "shelf schema recipe" not in second


# -- a shop built by someone else, straight through the API -------------------------------------------


def _create(db: Path, metadata: dict[str, Any]) -> dict[str, Any]:
    response = xpage_api(db, "POST", "/product", files={"metadata": (None, json.dumps(metadata))})
    assert response.status_code == 201, response.text
    return dict(response.json()["data"]["product"])


def _options(*options: tuple[str, list[str]]) -> list[dict[str, Any]]:
    return [{"name": name, "values": [{"value": v} for v in values]} for name, values in options]


def _variant(price: float, sku: str | None, quantity: int, *values: str, **extra: Any) -> dict[str, Any]:
    variant: dict[str, Any] = {
        "price": price,
        "quantity": quantity,
        "values": [{"order": i, "value": v} for i, v in enumerate(values)],
    }
    if sku is not None:
        variant["sku"] = sku
    return {**variant, **extra}


def _category(db: Path, name: str) -> str:
    categories = sandbox_control(db, "GET", "/_sandbox/categories")
    found = [c["id"] for c in categories if c["name"] == name]
    if found:
        return str(found[0])
    return str(sandbox_control(db, "POST", "/_sandbox/categories", {"name": name})["id"])


def _build_shop(db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    sizes, widths = ["38", "39", "40", "41"], ["Regular", "Wide"]
    runners = [
        _variant(
            125 if s == "41" else 120,
            f"TR-{s}-{w.lower()}",
            3 if w == "Wide" else 10,
            s,
            w,
            **({"compare_price": 140} if w == "Regular" else {}),
        )
        for s in sizes
        for w in widths
        if (s, w) != ("41", "Wide")
    ]
    _create(
        db,
        {
            "title": "Trail Runner",
            "slug": "trail-runner",
            "category_id": _category(db, "Outdoor Gear"),
            "description": "Grippy soles.\nA wide toe box.\n",
            "page_title": "Trail Runner | Peak",
            "meta_description": "For muddy mornings",
            "options": _options(("Size", sizes), ("Width", widths)),
            "variants": runners,
            "properties": [
                {"name": "Drop (mm)", "value": "6"},
                {"name": "Vegan", "value": "no"},
                {"name": "Upper", "value": "Recycled mesh"},
            ],
        },
    )
    _create(
        db,
        {
            "title": "Mixed Bag",
            "slug": "mixed-bag",
            "category_id": _category(db, "Accessories"),
            "options": _options(("Color", ["Red", "Blue", "Green"])),
            "variants": [
                _variant(15, "BAG-001", 4, "Red"),
                _variant(15, "BAG-XYZ", 4, "Blue"),
                _variant(16.5, "B3", 0, "Green"),
            ],
        },
    )
    _create(
        db,
        {
            "title": "Clog",
            "slug": "clog",
            "options": _options(("Shoe size", ["S", "M"]), ("Colour", ["Ink", "Sand"])),
            "variants": [
                _variant(30, f"CLOG-{s}-{c.upper()}", 2, s, c) for s in "SM" for c in ["Ink", "Sand"]
            ],
        },
    )
    _create(
        db,
        {
            "title": "Gift Voucher",
            "slug": "gift-voucher",
            "is_digital": True,
            "category_id": _category(db, "Digital"),
            "default": {"price": 50, "sku": "VOUCHER-50"},
        },
    )
    _create(
        db,
        {
            "title": "Old Lamp",
            "slug": "old-lamp",
            "status": "inactive",
            "description": "Uses {{ bulbs }} nobody sells any more; {% raw %} too.",
            "default": {"price": 12.5, "compare_price": 20, "sku": "0123", "quantity": 0},
            "properties": [{"name": "Ratio", "value": "1e5"}, {"name": "Watts", "value": "40.0"}],
        },
    )
    _create(
        db, {"title": "Café Crème Mug", "slug": "cafe-creme-mug", "default": {"price": 9.99, "quantity": 7}}
    )


@pytest.fixture
def built(repo: Path) -> Path:
    shutil.rmtree(repo / "recipes")
    _build_shop(sandbox_db(repo))
    return repo


def test_a_shop_built_through_the_api_imports_to_no_changes(built: Path) -> None:
    result = shelf("import", "--out", "recipes/shop.yaml")
    assert result.exit_code == 0, result.output
    assert "Imported 6 products and 3 categories" in result.stderr
    assert result.stderr.count("warning") == 0, result.stderr
    _plan_is_empty()


def test_what_the_imported_recipe_says(built: Path) -> None:
    assert shelf("import", "--out", "recipes/shop.yaml").exit_code == 0
    text = (built / "recipes" / "shop.yaml").read_text()
    document = yaml.safe_load(text)
    assert document["categories"] == [
        {"key": "accessories", "name": "Accessories"},
        {"key": "digital", "name": "Digital"},
        {"key": "outdoor-gear", "name": "Outdoor Gear"},
    ]
    products = {p["key"]: p for p in document["products"]}
    assert list(products) == sorted(products)

    runner = products["trail-runner"]
    assert runner["category"] == "outdoor-gear"
    assert runner["seo"] == {"title": "Trail Runner | Peak", "description": "For muddy mornings"}
    assert runner["options"] == {"Size": ["38", "39", "40", "41"], "Width": ["Regular", "Wide"]}
    assert runner["variant_defaults"]["sku"] == "TR-{{ Size }}-{{ Width | lower }}"
    assert "compare_price" not in runner["variant_defaults"]  # not every variant has one
    assert {"Size": "41", "Width": "Wide", "enabled": False} in runner["variants"]
    assert 'sku: "TR-{{ Size }}-{{ Width | lower }}"' in text
    assert "description: |\n      Grippy soles.\n      A wide toe box.\n" in text
    assert "Vegan: 'no'" in text and "Drop (mm): '6'" in text

    bag = products["mixed-bag"]
    assert "sku" not in bag["variant_defaults"]
    assert {e["Color"]: e["sku"] for e in bag["variants"]} == {
        "Red": "BAG-001",
        "Blue": "BAG-XYZ",
        "Green": "B3",
    }
    assert "price: 16.50" in text

    clog = products["clog"]
    assert clog["variant_defaults"]["sku"] == "CLOG-{{ options['Shoe size'] }}-{{ Colour | upper }}"
    assert "category" not in clog

    voucher = products["gift-voucher"]
    assert voucher["digital"] is True and voucher["sku"] == "VOUCHER-50" and "options" not in voucher

    lamp = products["old-lamp"]
    assert lamp["status"] == "inactive" and lamp["sku"] == "0123"
    assert "{% raw %}" in lamp["description"]
    assert "price: 12.50" in text and "compare_price: 20.00" in text
    assert "Ratio: '1e5'" in text and "Watts: '40.0'" in text
    assert products["cafe-creme-mug"]["title"] == "Café Crème Mug"


def test_import_with_recipes_that_do_not_load_still_imports(built: Path) -> None:
    (built / "recipes").mkdir()
    (built / "recipes" / "broken.yaml").write_text("products:\n  - key: Bad Key\n")
    result = shelf("import", "--out", "imported.yaml")
    assert result.exit_code == 0, result.output
    assert "the recipes do not load" in result.stderr
    assert "outdoor-gear" in (built / "imported.yaml").read_text()


def _attach_image(db: Path, product_id: str, name: str, alt: str | None) -> str:
    fields = {"fileable_type": "product", "fileable_id": product_id, "role": "product_images"}
    if alt is not None:
        fields["alt"] = alt
    response = xpage_api(
        db, "POST", "/file", files={"file": (name, PNG, "application/octet-stream")}, data=fields
    )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["file"]["id"])


def _show_images(db: Path, product_id: str, *file_ids: str) -> None:
    """Put uploaded files among the product's images, by id, as the API document has it."""
    images = [{"id": file_id, "order": n} for n, file_id in enumerate(file_ids)]
    metadata = (None, json.dumps({"images": images}), "application/json")
    response = xpage_api(db, "POST", f"/product/{product_id}/update", files={"metadata": metadata})
    assert response.status_code == 200, response.text


@pytest.fixture
def pictured(repo: Path) -> Path:
    shutil.rmtree(repo / "recipes")
    db = sandbox_db(repo)
    db.parent.mkdir(parents=True, exist_ok=True)
    mug = _create(db, {"title": "Mug", "slug": "mug", "default": {"price": 8, "quantity": 1}})
    front = _attach_image(db, mug["id"], "front view.png", "The front")
    side = _attach_image(db, mug["id"], "side.png", None)
    _show_images(db, mug["id"], front, side)
    return repo


def test_images_are_written_as_urls_with_their_alt_text(pictured: Path) -> None:
    result = shelf("import", "--out", "recipes/shop.yaml")
    assert result.exit_code == 0, result.output
    [mug] = yaml.safe_load((pictured / "recipes" / "shop.yaml").read_text())["products"]
    front, side = mug["images"]
    assert front["alt"] == "The front" and front["url"].startswith("http")
    assert set(side) == {"url"}
    _plan_is_empty()


def test_images_can_be_downloaded_beside_the_recipes(pictured: Path) -> None:
    result = shelf("import", "--out", "recipes/shop.yaml", "--download-images", "images")
    assert result.exit_code == 0, result.output
    assert (pictured / "images" / "mug" / "front-view.png").read_bytes() == PNG
    assert (pictured / "images" / "mug" / "side.png").read_bytes() == PNG
    [mug] = yaml.safe_load((pictured / "recipes" / "shop.yaml").read_text())["products"]
    assert mug["images"] == [
        {"file": "../images/mug/front-view.png", "alt": "The front"},
        "../images/mug/side.png",
    ]
    assert shelf("validate").exit_code == 0


def test_import_of_an_unknown_target_is_an_error(repo: Path) -> None:
    result = shelf("import", "--target", "shpo")
    assert result.exit_code == 1
    assert "unknown target 'shpo'" in result.stderr
    assert not sandbox_db(repo).exists()
