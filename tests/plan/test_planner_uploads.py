"""Uploads in plans: which assets are sent, their addresses, sizes, order and dependencies, selection,
and the note for a file the platform deletes. The planner knows no platform: ``live_id`` on a desired
asset (set by a provider's prepare) is what says the shop holds it already, and ``resend`` that its bytes
go again all the same."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from test_planner import XPAGE_LIKE, catalog, live_state, plan

from engine.errors import Source
from engine.model import Asset, Product, Variant
from engine.plan.model import Action, Change
from engine.plan.render import render_text
from engine.plan.uploads import file_name, locate, owner, product_assets, removal_notes, with_owners

FRONT = Asset(ref="images/tote/front.png", path="/r/images/tote/front.png", sha256="a" * 64, size=84 * 1024)
BACK = Asset(
    ref="images/tote/back.png", path="/r/images/tote/back.png", sha256="b" * 64, size=2048, alt="Back"
)
SIDE = Asset(ref="https://cdn.example.com/x/side.jpg", url="https://cdn.example.com/x/side.jpg")
GUIDE = Asset(ref="files/guide.pdf", path="/r/files/guide.pdf", sha256="c" * 64, size=1000)


def tote(*images: Asset, **kw: object) -> Product:
    return Product(
        key="tote",
        title={"*": "Tote"},
        images=images,
        variants=(Variant(sku="TOTE", price=Decimal("18")),),
        source=Source("recipes/r.yaml", 2, 5),
        **kw,  # type: ignore[arg-type]
    )


def held(asset: Asset, live_id: str) -> Asset:
    return replace(asset, live_id=live_id)


def test_a_new_product_uploads_every_asset_after_its_create() -> None:
    result = plan(catalog(tote(FRONT, BACK, SIDE)), live_state(), XPAGE_LIKE)
    assert [(c.address, c.action) for c in result.changes] == [
        ("product.tote", Action.CREATE),
        ("image.tote/front.png", Action.UPLOAD),
        ("image.tote/back.png", Action.UPLOAD),
        ("image.tote/side.jpg", Action.UPLOAD),
    ]
    uploads = result.changes[1:]
    assert all(c.depends_on == ["product.tote"] for c in uploads)
    assert [c.size for c in uploads] == [84 * 1024, 2048, None]
    assert result.summary()["upload"] == 3 and result.upload_bytes == 86 * 1024
    text = render_text(result)
    assert "  ^ upload image.tote/front.png (84 KB)\n" in text
    assert "  ^ upload image.tote/side.jpg\n" in text
    assert text.endswith("Plan: 1 to create, 0 to update, 3 to upload (86 KB), 0 to delete.\n")


def test_assets_the_shop_holds_are_not_uploaded() -> None:
    desired = tote(held(FRONT, "f1"), BACK)
    live = live_state(tote(held(FRONT, "f1")))
    result = plan(catalog(desired), live, XPAGE_LIKE)
    assert [(c.address, c.action) for c in result.changes] == [
        ("product.tote", Action.UPDATE),
        ("image.tote/back.png", Action.UPLOAD),
    ]
    update = result.changes[0]
    assert update.depends_on == ["image.tote/back.png"]
    assert [f.path for f in update.fields] == ["images[back.png]"]


def test_nothing_to_upload_when_everything_is_held() -> None:
    desired = tote(held(FRONT, "f1"), held(BACK, "f2"))
    result = plan(catalog(desired), live_state(desired), XPAGE_LIKE)
    assert result.empty


def test_a_held_asset_marked_resend_is_uploaded_after_its_products_update() -> None:
    desired = tote(replace(held(BACK, "f2"), resend=True), held(FRONT, "f1"), SIDE)
    live = live_state(tote(replace(held(FRONT, "f1"), owned=True), replace(held(BACK, "f2"), owned=True)))
    result = plan(catalog(desired), live, XPAGE_LIKE)
    assert [(c.address, c.action, c.size) for c in result.changes] == [
        ("product.tote", Action.UPDATE, None),
        ("image.tote/back.png", Action.UPLOAD, 2048),
        ("image.tote/side.jpg", Action.UPLOAD, None),
    ]
    update, back, side = result.changes
    assert back.depends_on == ["product.tote"] and side.depends_on == []
    assert update.depends_on == ["image.tote/side.jpg"]
    assert result.upload_bytes == 2048
    assert removal_notes(result.changes, live) == []


def test_a_resend_is_no_upload_when_its_product_is_unchanged() -> None:
    desired = tote(replace(held(FRONT, "f1"), resend=True))
    assert plan(catalog(desired), live_state(tote(held(FRONT, "f1"))), XPAGE_LIKE).empty


def test_variant_images_and_files_have_their_own_addresses() -> None:
    red = Asset(ref="images/tee/red.png", path="/r/images/tee/red.png", sha256="d" * 64, size=10)
    shirt = Product(
        key="tee",
        title={"*": "Tee"},
        digital=True,
        options=(("Color", ("Black", "Red")),),
        images=(FRONT,),
        files=(GUIDE,),
        variants=(
            Variant(
                options=(("Color", "Black"),), sku="B", price=Decimal(1), image=FRONT.ref, file=GUIDE.ref
            ),
            Variant(options=(("Color", "Red"),), sku="R", price=Decimal(1), image=red.ref, own_image=red),
        ),
    )
    located = product_assets(shirt)
    assert [(a.address, a.role, a.position) for a in located] == [
        ("image.tee/front.png", "image", 0),
        ("image.tee/red.png", "variant_image", 0),
        ("file.tee/guide.pdf", "file", 0),
    ]
    assert [v.sku for v in located[1].variants] == ["R"]
    result = plan(catalog(shirt), live_state(), XPAGE_LIKE)
    assert [c.address for c in result.changes] == ["product.tee", *(a.address for a in located)]
    change = result.changes[2]
    assert locate(change).asset == red


def test_names_that_collide_fall_back_to_the_path_as_written() -> None:
    other = Asset(ref="images/old/front.png", path="/r/images/old/front.png", sha256="e" * 64)
    addresses = [a.address for a in product_assets(tote(FRONT, other, BACK))]
    assert addresses == [
        "image.tote/images/tote/front.png",
        "image.tote/images/old/front.png",
        "image.tote/back.png",
    ]
    assert file_name("https://cdn.example.com/a%20b/side%201.jpg?w=2") == "side 1.jpg"


def test_owner_of_an_upload() -> None:
    assert owner("image.tote/front.png") == "product.tote"
    assert owner("file.guide/files/guide.pdf") == "product.guide"
    assert owner("product.tote") is None and owner("image.broken") is None
    assert with_owners(["image.tote/front.png", "product.mug"]) == [
        "image.tote/front.png",
        "product.mug",
        "product.tote",
    ]


def test_locate_refuses_an_address_the_product_lacks() -> None:
    with pytest.raises(LookupError):
        locate(Change("image.tote/nothing.png", Action.UPLOAD, desired=tote(FRONT)))


def test_only_keeps_a_products_uploads_with_it() -> None:
    desired = catalog(tote(FRONT, BACK), replace(tote(), key="mug"))
    result = plan(desired, live_state(), XPAGE_LIKE, only=["product.tote"])
    assert [c.address for c in result.changes] == [
        "product.tote",
        "image.tote/front.png",
        "image.tote/back.png",
    ]
    assert "image.tote/front.png pulled in: part of product.tote" in result.notes


def test_only_an_upload_pulls_in_the_product_it_needs() -> None:
    result = plan(catalog(tote(FRONT, BACK)), live_state(), XPAGE_LIKE, only=["image.tote/back.png"])
    assert [c.address for c in result.changes] == [
        "product.tote",
        "image.tote/front.png",
        "image.tote/back.png",
    ]
    assert "product.tote pulled in: image.tote/back.png depends on it" in result.notes


def test_a_file_the_platform_deletes_is_noted() -> None:
    stored = Asset(ref="front.aaaaaaaaaaaa.png", sha256="a" * 12, live_id="f1", owned=True)
    foreign = Asset(ref="photo.jpg", url="https://shop/photo.jpg", live_id="f2")
    result = plan(
        catalog(tote(held(BACK, "f3"))), live_state(tote(stored, foreign, held(BACK, "f3"))), XPAGE_LIKE
    )
    [change] = result.changes
    assert change.fields[0].path == "images[front.aaaaaaaaaaaa.png]"
    assert result.notes == [
        "product.tote: front.aaaaaaaaaaaa.png is taken off the product and its file deleted from the shop"
        " (shelf uploaded it and nothing else uses it)"
    ]
