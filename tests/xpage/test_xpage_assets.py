"""xPage live files matched to recipe assets by the hash in their names or by their URL, and the file ids an
update sends."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.model import Asset, Product, Variant
from engine.platforms.xpage.asset_metadata import AssetIds, add_assets, live_files
from engine.platforms.xpage.assets import FileUsers, Matcher, live_assets, stored_name, url_hash
from engine.platforms.xpage.mapping import metadata_for

FRONT = Asset(ref="images/front.png", path="/r/images/front.png", sha256="3fa9c2d1e0b4" + "0" * 52)
SIDE = Asset(ref="https://cdn.example.com/side.jpg", url="https://cdn.example.com/side.jpg")


def _file(file_id: str, name: str, **extra: Any) -> dict[str, Any]:
    url = f"https://shop.example.com/files/{file_id}/{name}"
    return {"id": file_id, "name": name, "url": url, "permanent_url": url, "size": 10, **extra}


def test_stored_names() -> None:
    assert stored_name(FRONT) == "front.3fa9c2d1e0b4.png"
    assert stored_name(SIDE) == f"side.u{url_hash(SIDE.ref)[:12]}.jpg"
    bare = Asset(ref="https://cdn.example.com/picture", url="https://cdn.example.com/picture")
    assert stored_name(bare, "image/webp").endswith(".webp")


def test_matching_by_hash_by_url_hash_and_by_url() -> None:
    matcher = Matcher([FRONT, SIDE])
    front = matcher.live(_file("f1", "front.3fa9c2d1e0b4.png", alt="Front"), owned=True)
    assert (front.ref, front.sha256, front.alt, front.live_id, front.owned) == (
        FRONT.ref,
        "3fa9c2d1e0b4",
        "Front",
        "f1",
        True,
    )
    again = matcher.live(_file("f2", "front.3fa9c2d1e0b4.png"), owned=True)
    assert again.ref == "front.3fa9c2d1e0b4.png"  # each recipe asset matches one live file
    side = matcher.live(_file("f3", f"side.u{url_hash(SIDE.ref)[:12]}.jpg"), owned=False)
    assert (side.ref, side.url, side.sha256) == (SIDE.ref, SIDE.url, None)
    foreign = Matcher([SIDE]).live({"id": "f4", "name": "photo.jpg", "url": SIDE.url}, owned=True)
    assert foreign.ref == SIDE.ref and foreign.owned is False  # matched by its URL; not shelf's name


def test_live_assets_of_a_product() -> None:
    red = Asset(ref="images/red.png", path="/r/images/red.png", sha256="aa" * 32)
    wanted = Product(
        key="tee",
        title={"*": "Tee"},
        images=(FRONT,),
        options=(("Color", ("Black", "Red")),),
        variants=(
            Variant(options=(("Color", "Black"),), price=Decimal(1), image=FRONT.ref),
            Variant(options=(("Color", "Red"),), price=Decimal(1), image=red.ref, own_image=red),
        ),
    )
    colors = [{"id": "c1", "order": 0, "value": "Black"}, {"id": "c2", "order": 1, "value": "Red"}]
    raw = {
        "images": [_file("f1", "front.3fa9c2d1e0b4.png")],
        "options": [{"id": "o1", "name": "Color", "order": 0, "values": colors}],
        "variants": [
            {
                "id": "v1",
                "image": _file("f1", "front.3fa9c2d1e0b4.png"),
                "values": [{"order": 0, "value": "Black"}],
            },
            {
                "id": "v2",
                "image": _file("f9", f"red.{'aa' * 6}.png"),
                "values": [{"order": 0, "value": "Red"}],
            },
        ],
    }
    found = live_assets(raw, wanted, lambda file_id: True)
    assert [a.ref for a in found.images] == [FRONT.ref]
    assert found.variant_images["v1"] == (FRONT.ref, None)
    ref, own = found.variant_images["v2"]
    assert ref == red.ref and own is not None and own.live_id == "f9"

    ids = AssetIds(images={FRONT.ref: "f1"}, own={red.ref: "f9"})
    metadata = metadata_for(wanted, category_id=None, live=raw)
    assert not add_assets(metadata, wanted, ids, live_files(raw))
    ids.images[FRONT.ref] = "f2"
    assert add_assets(metadata, wanted, ids, live_files(raw))
    assert metadata["images"] == [{"id": "f2", "order": 0}]


def test_file_users() -> None:
    users = FileUsers()
    users.read(
        [{"id": "p1", "images": [{"id": "f1"}]}, {"id": "p2", "images": [{"id": "f1"}, {"id": "f2"}]}],
        whole_shop=True,
    )
    assert not users.only_user("p1")("f1") and users.only_user("p2")("f2")
    users.record("p2", {"f2"})
    assert users.only_user("p1")("f1")
