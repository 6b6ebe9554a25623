"""End to end: the real CLI against the in-process Emporix sandbox, as a user runs it."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.platforms.emporix import ids

from emporix_e2e_support import (
    TENANT,
    call,
    db_of,
    listing,
    product,
    reset_stats,
    stats,
    write_config,
)
from emporix_sandbox_support import PNG
from support import shelf


def _applied(repo: Path) -> None:
    result = shelf("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Apply complete" in result.stderr


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _demo_applied(repo: Path) -> None:
    """The demo catalog configured and applied: the starting point of most tests here."""
    write_config(repo)
    _applied(repo)


def _applied_counted(repo: Path) -> Path:
    """Apply with the sandbox's counters reset first; the sandbox database, for ``stats``."""
    db = db_of(repo)
    reset_stats(db)
    _applied(repo)
    return db


def _tees_in_xl(repo: Path) -> Path:
    """The classic tee offered in XL as well (two new variants); the apparel recipe."""
    apparel = repo / "recipes" / "apparel.yaml"
    _replace(
        apparel,
        "      Size: [S, M, L]\n      Color: [Black, White]",
        "      Size: [S, M, L, XL]\n      Color: [Black, White]",
    )
    return apparel


def test_demo_catalog_applies_and_a_second_plan_and_apply_change_nothing(repo: Path) -> None:
    write_config(repo)
    first = shelf("apply", "--auto-approve")
    assert first.exit_code == 0, first.output
    assert "Apply complete" in first.stderr
    assert "0 failed" in first.stderr
    assert "stock of" not in first.stderr, "stock is sent to the availability service"

    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes" in again.stderr

    db = db_of(repo)
    reset_stats(db)
    second = shelf("apply", "--auto-approve")
    assert second.exit_code == 0, second.output
    assert stats(db)["writes"] == 0
    assert stats(db)["upload_bytes"] == 0

    tee = product(db, "classic-tee")
    assert tee["productType"] == "PARENT_VARIANT"
    assert tee["name"] == {"en": "Classic Tee", "de": "Classic Tee"}
    assert tee["template"]["id"].startswith(ids.SHARED_TEMPLATE_PREFIX)
    assert sorted(tee["variantAttributes"]) == ["Color", "Size"]
    children = listing(db, "product/{t}/products", q="parentVariantId:classic-tee")
    codes = sorted(c["code"] for c in children)
    assert codes == ["TEE-L-BLACK", "TEE-L-WHITE", "TEE-M-BLACK", "TEE-M-WHITE", "TEE-S-BLACK"]
    tote = product(db, "canvas-tote")
    assert tote["productType"] == "BASIC"
    assert tote["mixins"]["shelf"]["sku"] == "TOTE-NATURAL"
    assert tote["categoryIds"] == ["accessories"]
    windbreaker = product(db, "retro-windbreaker")
    assert windbreaker["published"] is False
    stock = {a["productId"]: a["stockLevel"] for a in listing(db, "availability/{t}/availability/site/main")}
    assert len(stock) == 33 and stock["canvas-tote"] == 150


def test_prices_carry_the_target_context_and_compare_price_as_a_discount(repo: Path) -> None:
    _demo_applied(repo)
    db = db_of(repo)
    prices = {p["itemId"]["id"]: p for p in listing(db, "price/{t}/prices")}
    throw = prices["linen-throw"]
    assert throw["id"] == ids.price_id("linen-throw", "EUR", "DE", "main")
    assert throw["currency"] == "EUR" and throw["location"] == {"countryCode": "DE"}
    assert throw["restrictions"]["siteCodes"] == ["main"]
    assert Decimal(str(throw["tierValues"][0]["priceValue"])) == Decimal("99.00")
    assert Decimal(str(throw["salePrice"]["discountAmount"])) == Decimal("10.00")
    assert "salePrice" not in prices["canvas-tote"]


def test_one_price_change_is_one_field_and_one_write(repo: Path) -> None:
    _demo_applied(repo)
    _replace(repo / "recipes" / "accessories.yaml", "    price: 18.00", "    price: 19.50")

    planned = shelf("plan", "--detailed-exitcode", "--format", "json")
    assert planned.exit_code == 2, planned.output
    document = json.loads(planned.stdout)
    [change] = document["changes"]
    assert change["address"] == "product.canvas-tote"
    assert change["fields"] == [{"path": "variants.TOTE-NATURAL.price", "before": "18.00", "after": "19.50"}]

    db = _applied_counted(repo)
    assert stats(db)["writes"] == 1
    assert stats(db)["requests"].get("PUT /price/{tenant}/prices/{priceId}") == 1
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_variants_added_and_removed_are_written_as_variant_products(repo: Path) -> None:
    _demo_applied(repo)
    apparel = _tees_in_xl(repo)
    _replace(
        apparel,
        "      - {Size: S, Color: White, enabled: false}",
        "      - {Size: S, Color: White, enabled: false}\n      - {Size: M, Color: White, enabled: false}",
    )
    _applied(repo)
    assert shelf("plan", "--detailed-exitcode").exit_code == 0

    db = db_of(repo)
    codes = sorted(c["code"] for c in listing(db, "product/{t}/products", q="parentVariantId:classic-tee"))
    assert codes == [
        "TEE-L-BLACK",
        "TEE-L-WHITE",
        "TEE-M-BLACK",
        "TEE-S-BLACK",
        "TEE-XL-BLACK",
        "TEE-XL-WHITE",
    ]
    gone = ids.variant_id("classic-tee", (("Size", "M"), ("Color", "White")))
    assert all(p["itemId"]["id"] != gone for p in listing(db, "price/{t}/prices"))
    white = [
        a for a in listing(db, "media/{t}/assets") if a["mixins"]["shelf"]["ref"].endswith("tee/white.png")
    ]
    [asset] = white
    refs = {r["id"] for r in asset["refIds"]}
    assert gone not in refs
    assert ids.variant_id("classic-tee", (("Size", "XL"), ("Color", "White"))) in refs


def test_images_reordered_and_relabelled_send_their_bytes_again_as_planned_uploads(repo: Path) -> None:
    _demo_applied(repo)
    home = repo / "recipes" / "home.yaml"
    _replace(
        home,
        "      - images/stoneware-mug/front.png\n"
        "      - {file: images/stoneware-mug/glaze.png, alt: The hand-applied glaze up close}",
        "      - {file: images/stoneware-mug/glaze.png, alt: Glaze}\n      - images/stoneware-mug/front.png",
    )
    pictures = repo / "recipes" / "images" / "stoneware-mug"
    sizes = {name: (pictures / name).stat().st_size for name in ("front.png", "glaze.png")}
    planned = json.loads(shelf("plan", "--format", "json").stdout)
    uploads = {c["address"]: c["size"] for c in planned["changes"] if c["action"] == "upload"}
    assert uploads == {f"image.stoneware-mug/{name}": size for name, size in sizes.items()}
    assert planned["summary"]["upload"] == 2
    order = [c["address"] for c in planned["changes"]]
    assert order.index("product.stoneware-mug") < order.index("image.stoneware-mug/front.png")
    db = _applied_counted(repo)
    assert stats(db)["upload_bytes"] == sum(sizes.values())
    assert stats(db)["writes"] == 2
    assert stats(db)["requests"].get("GET /media/{tenant}/assets/{assetId}/download") is None
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    placed = {
        a["mixins"]["shelf"]["ref"]: (
            a["mixins"]["shelf"]["position"],
            a["mixins"].get("mediaCustomAttributes"),
            a["details"]["bytes"],
        )
        for a in listing(db, "media/{t}/assets")
        if a["mixins"]["shelf"]["product"] == "stoneware-mug"
    }
    assert placed == {
        "images/stoneware-mug/glaze.png": (0, {"altText": "Glaze"}, sizes["glaze.png"]),
        "images/stoneware-mug/front.png": (1, None, sizes["front.png"]),
    }


def test_an_unchanged_image_beside_a_moved_one_is_not_sent(repo: Path) -> None:
    _demo_applied(repo)
    home = repo / "recipes" / "home.yaml"
    _replace(
        home,
        "{file: images/stoneware-mug/glaze.png, alt: The hand-applied glaze up close}",
        "{file: images/stoneware-mug/glaze.png, alt: Glaze}",
    )
    planned = shelf("plan")
    assert "^ upload image.stoneware-mug/glaze.png" in planned.stderr
    assert "image.stoneware-mug/front.png" not in planned.stderr
    size = (repo / "recipes" / "images" / "stoneware-mug" / "glaze.png").stat().st_size
    db = _applied_counted(repo)
    assert stats(db)["upload_bytes"] == size and stats(db)["writes"] == 1


def test_an_image_shown_on_a_new_variant_is_sent_once_after_the_variant_exists(repo: Path) -> None:
    _demo_applied(repo)
    _tees_in_xl(repo)
    pictures = repo / "recipes" / "images" / "classic-tee"
    sizes = {name: (pictures / name).stat().st_size for name in ("black.png", "white.png")}
    planned = json.loads(shelf("plan", "--format", "json").stdout)
    uploads = {c["address"]: c for c in planned["changes"] if c["action"] == "upload"}
    assert {a: c["size"] for a, c in uploads.items()} == {
        f"image.classic-tee/{n}": s for n, s in sizes.items()
    }
    assert all(c["depends_on"] == ["product.classic-tee"] for c in uploads.values())
    db = _applied_counted(repo)
    assert stats(db)["upload_bytes"] == sum(sizes.values())
    assert stats(db)["requests"]["PUT /media/{tenant}/assets/{assetId}"] == 2
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    black = next(
        a
        for a in listing(db, "media/{t}/assets")
        if a["mixins"]["shelf"]["ref"] == "images/classic-tee/black.png"
    )
    new_variant = ids.variant_id("classic-tee", (("Size", "XL"), ("Color", "Black")))
    assert {"id": new_variant, "type": "PRODUCT"} in black["refIds"]


def _shop_image(repo: Path, refs: list[dict[str, str]]) -> dict[str, Any]:
    """A public image uploaded in the shop by someone else, pointing at ``refs``."""
    db = db_of(repo)
    body = {"type": "BLOB", "access": "PUBLIC", "refIds": refs}
    files = {"file": ("lookbook.png", PNG, "image/png"), "body": (None, json.dumps(body), "application/json")}
    made = call(db, "POST", f"/media/{TENANT}/assets", files=files)
    assert made.status_code == 201, made.text
    found: dict[str, Any] = call(db, "GET", f"/media/{TENANT}/assets/{made.json()['id']}").json()
    return found


def test_a_shop_image_given_alt_text_in_a_recipe_is_downloaded_and_sent_back(repo: Path) -> None:
    _demo_applied(repo)
    shop_made = _shop_image(repo, [{"id": "stoneware-mug", "type": "PRODUCT"}])
    _replace(
        repo / "recipes" / "home.yaml",
        "alt: The hand-applied glaze up close}\n",
        "alt: The hand-applied glaze up close}\n"
        f"      - {{url: {shop_made['url']}, alt: Mugs on a shelf}}\n",
    )
    planned = shelf("plan")
    assert f"^ upload image.stoneware-mug/lookbook.png ({len(PNG)} B)" in planned.stderr
    assert "1 to upload (80 B)" in planned.stderr
    db = _applied_counted(repo)
    assert stats(db)["requests"]["GET /media/{tenant}/assets/{assetId}/download"] == 1
    assert stats(db)["upload_bytes"] == len(PNG)
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    adopted = call(db, "GET", f"/media/{TENANT}/assets/{shop_made['id']}").json()
    assert adopted["mixins"]["mediaCustomAttributes"] == {"altText": "Mugs on a shelf"}
    assert adopted["mixins"]["shelf"]["position"] == 2
    assert adopted["details"]["bytes"] == len(PNG) and adopted["details"]["filename"] == "lookbook.png"
    assert call(db, "GET", adopted["url"].removeprefix("http://sandbox")).content == PNG


def test_a_shop_image_taken_off_a_product_keeps_its_bytes_and_other_references(repo: Path) -> None:
    _demo_applied(repo)
    shop_made = _shop_image(
        repo, [{"id": "stoneware-mug", "type": "PRODUCT"}, {"id": "home", "type": "CATEGORY"}]
    )
    planned = shelf("plan")
    assert (
        f"Note: product.stoneware-mug: {shop_made['url']} is taken off the product but stays in the shop;"
        " the media service wants a file's bytes with any change to it, so shelf downloads them and sends"
        f" them again ({len(PNG)} B)"
    ) in planned.stderr
    db = _applied_counted(repo)
    assert stats(db)["upload_bytes"] == len(PNG)
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    kept = call(db, "GET", f"/media/{TENANT}/assets/{shop_made['id']}").json()
    assert kept["refIds"] == [{"id": "home", "type": "CATEGORY"}] and kept["details"]["bytes"] == len(PNG)


def test_a_changed_image_is_uploaded_and_the_old_one_deleted(repo: Path) -> None:
    _demo_applied(repo)
    picture = repo / "recipes" / "images" / "soy-candle" / "jar.png"
    picture.write_bytes(picture.read_bytes() + b"\x00")
    planned = shelf("plan")
    assert "^ upload image.soy-candle/jar.png" in planned.stderr
    _applied(repo)
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    jars = [
        a for a in listing(db_of(repo), "media/{t}/assets") if a["mixins"]["shelf"]["product"] == "soy-candle"
    ]
    assert len(jars) == 1


def test_category_tree_with_parents_is_created_parents_first_and_moved(repo: Path) -> None:
    write_config(repo)
    (repo / "recipes" / "tree.yaml").write_text(
        "categories:\n"
        "  - key: outlet\n"
        "    name: {en: Outlet, de: Restposten}\n"
        "  - key: outlet-shoes\n"
        "    name: Shoes\n"
        "    parent: outlet\n"
        "  - key: outlet-boots\n"
        "    name: Boots\n"
        "    parent: outlet-shoes\n"
    )
    planned = shelf("plan")
    order = [m.group(1) for m in re.finditer(r"\+ category\.(\S+)", planned.stderr)]
    assert order.index("outlet") < order.index("outlet-shoes") < order.index("outlet-boots")
    _applied(repo)
    db = db_of(repo)
    boots = call(db, "GET", f"/category/{TENANT}/categories/outlet-boots").json()
    assert boots["parentId"] == "outlet-shoes" and boots["code"] == "outlet-boots"
    outlet = call(db, "GET", f"/category/{TENANT}/categories/outlet").json()
    assert outlet["localizedName"] == {"en": "Outlet", "de": "Restposten"}
    assert shelf("plan", "--detailed-exitcode").exit_code == 0

    _replace(repo / "recipes" / "tree.yaml", "    parent: outlet-shoes\n", "    parent: apparel\n")
    _applied(repo)
    assert call(db, "GET", f"/category/{TENANT}/categories/outlet-boots").json()["parentId"] == "apparel"
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_promotion_becomes_a_category_restricted_coupon(repo: Path) -> None:
    write_config(repo)
    (repo / "recipes" / "sale.yaml").write_text(
        "promotions:\n"
        "  - key: black-friday\n"
        "    title: Black Friday\n"
        "    discount: {percent: 20}\n"
        "    categories: [t-shirts]\n"
        "    starts_at: 2026-11-27T00:00:00Z\n"
        "    ends_at: 2026-11-30T23:59:59+01:00\n"
        "    code: blackfriday\n"
        "  - key: five-off\n"
        "    title: Five off\n"
        "    discount: {amount: 5.00}\n"
        "    code: FIVE\n"
    )
    _applied(repo)
    db = db_of(repo)
    coupon = call(db, "GET", f"/coupon/{TENANT}/coupons/BLACKFRIDAY").json()
    assert coupon["discountType"] == "PERCENT" and coupon["discountPercentage"] == 20
    assert coupon["categoryRestricted"] is True
    assert coupon["restrictions"]["includedCategories"] == ["t-shirts"]
    assert coupon["restrictions"]["validFrom"] == "2026-11-27T00:00:00Z"
    assert coupon["mixins"]["shelf"] == {"key": "black-friday"}
    five = call(db, "GET", f"/coupon/{TENANT}/coupons/FIVE").json()
    assert five["discountAbsolute"] == {"amount": 5, "currency": "EUR"}
    assert shelf("plan", "--detailed-exitcode").exit_code == 0

    _replace(repo / "recipes" / "sale.yaml", "discount: {percent: 20}", "discount: {percent: 25}")
    _applied(repo)
    assert call(db, "GET", f"/coupon/{TENANT}/coupons/BLACKFRIDAY").json()["discountPercentage"] == 25


def test_what_a_coupon_cannot_express_is_a_plan_error_at_the_recipe_line(repo: Path) -> None:
    write_config(repo)
    (repo / "recipes" / "sale.yaml").write_text(
        "promotions:\n"
        "  - key: tee-deal\n"
        "    title: Tee deal\n"
        "    discount: {percent: 10}\n"
        "    products: [classic-tee]\n"
        "    code: TEE10\n"
        "  - key: fixed\n"
        "    title: Fixed\n"
        "    discount: {price: 9.99}\n"
    )
    result = shelf("plan")
    assert result.exit_code == 1
    assert "recipes/sale.yaml:2:5: promotion 'tee-deal' is restricted to products" in result.stderr
    assert "categories only" in result.stderr
    assert "recipes/sale.yaml:7:5: promotion 'fixed' has no code" in result.stderr
    assert "not a fixed price" in result.stderr
    assert "Traceback" not in result.output


def test_prune_deletes_a_parent_with_its_variants_and_spares_protected_items(repo: Path) -> None:
    write_config(
        repo,
        extra=(
            "    prune: [products, categories, promotions]\n"
            "  elsewhere:\n    platform: xpage\n    sandbox: true\n"
        ),
    )
    _applied(repo)
    db = db_of(repo)
    tee_template = product(db, "classic-tee")["template"]["id"]
    apparel = repo / "recipes" / "apparel.yaml"
    text = apparel.read_text()
    tee = text[text.index("  - key: classic-tee") : text.index("  - key: v-neck-tee")]
    apparel.write_text(text.replace(tee, ""))
    _replace(apparel, "  - key: zip-hoodie\n", "  - key: zip-hoodie\n    targets: [elsewhere]\n")

    planned = shelf("plan")
    assert "- product.classic-tee (delete)" in planned.stderr
    assert "product.zip-hoodie not pruned: protected by a recipe" in planned.stderr
    _applied(repo)
    assert call(db, "GET", f"/product/{TENANT}/products/classic-tee").status_code == 404
    assert listing(db, "product/{t}/products", q="parentVariantId:classic-tee") == []
    assert not [p for p in listing(db, "price/{t}/prices") if p["itemId"]["id"].startswith("classic-tee")]
    assert not [
        a for a in listing(db, "media/{t}/assets") if a["mixins"]["shelf"]["product"] == "classic-tee"
    ]
    assert (
        call(db, "GET", f"/product/{TENANT}/product-templates/{tee_template}").status_code == 404
    )
    assert product(db, "zip-hoodie")["code"] == "zip-hoodie"
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_an_upload_whose_answer_was_lost_is_found_not_sent_twice(repo: Path) -> None:
    write_config(repo)
    db = db_of(repo)
    db.parent.mkdir(parents=True, exist_ok=True)
    fault = {"route": "POST /media/{tenant}/assets", "status": 503, "times": 1, "after_commit": True}
    assert call(db, "POST", "/_sandbox/faults", json=fault).status_code in (200, 201)
    _applied(repo)
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    names = [a["id"] for a in listing(db, "media/{t}/assets")]
    assert len(names) == len(set(names)) == 24


def test_options_added_to_a_simple_product_and_removed_again(repo: Path) -> None:
    _demo_applied(repo)
    accessories = repo / "recipes" / "accessories.yaml"
    simple = "    price: 18.00\n    sku: TOTE-NATURAL\n    stock: 150\n"
    with_options = (
        "    options: {Color: [Natural, Black]}\n"
        '    variant_defaults: {sku: "TOTE-{{ Color | upper }}", price: 18.00}\n'
    )
    _replace(accessories, simple, with_options)
    _applied(repo)
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    db = db_of(repo)
    assert product(db, "canvas-tote")["productType"] == "PARENT_VARIANT"
    tote_template = product(db, "canvas-tote")["template"]["id"]
    prices = {p["itemId"]["id"] for p in listing(db, "price/{t}/prices")}
    assert "canvas-tote" not in prices
    assert ids.variant_id("canvas-tote", (("Color", "Black"),)) in prices

    _replace(accessories, with_options, simple)
    _applied(repo)
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    assert product(db, "canvas-tote")["productType"] == "BASIC"
    assert listing(db, "product/{t}/products", q="parentVariantId:canvas-tote") == []
    template = f"/product/{TENANT}/product-templates/{tote_template}"
    assert call(db, "GET", template).status_code == 404


def test_a_saved_plan_is_refused_when_the_product_changed_in_the_shop(repo: Path) -> None:
    _demo_applied(repo)
    _replace(repo / "recipes" / "home.yaml", "    price: 16.00", "    price: 17.00")
    saved = shelf("plan", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output
    db = db_of(repo)
    changed = call(
        db, "PATCH", f"/product/{TENANT}/products/stoneware-mug", json={"taxClasses": {"DE": "FULL"}}
    )
    assert changed.status_code == 204
    stale = shelf("apply", "plan.json")
    assert stale.exit_code == 4, stale.output
    assert "product.stoneware-mug changed in the shop since the plan" in stale.stderr

    again = shelf("plan", "--out", "plan.json")
    assert again.exit_code == 0
    reset_stats(db)
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert stats(db)["writes"] == 1
    assert product(db, "stoneware-mug")["taxClasses"] == {"DE": "FULL"}
