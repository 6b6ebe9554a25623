"""Saved plans: a faithful round trip, and refusal of anything that is not the plan that was reviewed."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from engine.errors import PlanFileError, Source
from engine.model import Catalog, Category, Product, Subscription, Variant
from engine.plan.model import Action, Change, FieldChange, Plan
from engine.plan.planfile import checksum, load_plan, plan_document, save_plan
from engine.plan.planner import make_plan
from engine.plan.render import plan_to_dict
from engine.platforms.base import Capabilities, LiveState

CAPS = Capabilities(
    managed=frozenset({"categories", "products", "subscriptions"}),
    deletable=frozenset({"products"}),
)


def planned() -> Plan:
    tee = Product(
        "classic-tee",
        {"*": "Classic Tee"},
        category="t-shirts",
        variants=(Variant((("Size", "S"),), sku="TEE-S", price=Decimal("25.0")),),
        options=(("Size", ("S",)),),
        source=Source("recipes/a.yaml", 3, 5),
    )
    desired = Catalog(
        categories={"t-shirts": Category("t-shirts", {"en": "T-Shirts", "de": "T-Shirts"})},
        products={"classic-tee": tee},
        subscriptions={"m365": Subscription("m365", "org", "offer", {"quantityBox1": 25})},
    )
    live = LiveState(
        catalog=Catalog(
            products={
                "classic-tee": Product("classic-tee", {"*": "Tee"}, category="t-shirts"),
                "old": Product("old", {"*": "Old"}),
            }
        ),
        ids={"product.classic-tee": "101", "product.old": "102"},
        versions={"product.classic-tee": "sha256:aaa", "product.old": "sha256:bbb"},
    )
    p = make_plan(
        target="shop",
        platform="xpage",
        desired=desired,
        live=live,
        capabilities=CAPS,
        prune=["products"],
        recipes_digest="sha256:digest",
    )
    p.changes.append(Change("image.classic-tee/front.jpg", Action.UPLOAD, size=2048))
    return p


def test_round_trip_gives_an_equal_plan(tmp_path: Path) -> None:
    original = planned()
    path = tmp_path / "plan.json"
    save_plan(original, path)
    loaded = load_plan(path, target="shop")
    assert loaded == original
    assert [c.source for c in loaded.changes] == [c.source for c in original.changes]
    tee = next(c for c in loaded.changes if c.address == "product.classic-tee")
    assert tee.action is Action.UPDATE
    assert tee.desired == original.changes[1].desired
    assert tee.desired.source == Source("recipes/a.yaml", 3, 5)  # type: ignore[union-attr]
    assert str(tee.desired.variants[0].price) == "25.0"  # type: ignore[union-attr]
    assert (tee.live_id, tee.live_version) == ("101", "sha256:aaa")
    assert not list(tmp_path.glob("*.partial"))


def test_saved_file_is_the_json_document_plus_desired_and_checksum(tmp_path: Path) -> None:
    original = planned()
    path = tmp_path / "plan.json"
    save_plan(original, path)
    document = json.loads(path.read_text())
    assert document["checksum"].startswith("sha256:")
    assert document["checksum"] == checksum(document)
    public = plan_to_dict(original)
    assert {k: v for k, v in document.items() if k != "checksum" and k != "changes"} == {
        k: v for k, v in public.items() if k != "changes"
    }
    for saved, shown in zip(document["changes"], public["changes"], strict=True):
        assert {k: v for k, v in saved.items() if k != "desired"} == shown
    assert document["changes"][0]["desired"]["kind"] == "category"
    assert document["changes"][-1]["desired"] is None


def test_reformatting_keeps_the_plan_valid(tmp_path: Path) -> None:
    original = planned()
    path = tmp_path / "plan.json"
    save_plan(original, path)
    path.write_text(json.dumps(json.loads(path.read_text()), sort_keys=True))
    assert load_plan(path, target="shop") == original


def test_hand_edited_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(planned(), path)
    document = json.loads(path.read_text())
    document["changes"][1]["desired"]["variants"][0]["price"] = "1.00"
    path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError) as caught:
        load_plan(path, target="shop")
    assert "changed after it was saved" in caught.value.message
    assert caught.value.where == str(path)
    assert "shelf plan --out" in (caught.value.hint or "")


def test_missing_checksum_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    document = plan_document(planned())
    del document["checksum"]
    path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError, match="checksum"):
        load_plan(path, target="shop")


def test_another_targets_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(planned(), path)
    with pytest.raises(PlanFileError) as caught:
        load_plan(path, target="staging")
    assert "for target 'shop', not 'staging'" in caught.value.message
    assert "--target shop" in (caught.value.hint or "")


def test_another_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    document = plan_document(planned())
    document["format_version"] = 2
    document["checksum"] = checksum(document)
    path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError, match="format version 2"):
        load_plan(path, target="shop")


def test_not_json_is_refused_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": 1,\n  oops}')
    with pytest.raises(PlanFileError) as caught:
        load_plan(path, target="shop")
    assert caught.value.where == Source(str(path), 2, 3)


def test_missing_and_non_object_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="cannot read"):
        load_plan(tmp_path / "nope.json", target="shop")
    path = tmp_path / "list.json"
    path.write_text("[]")
    with pytest.raises(PlanFileError, match="JSON object"):
        load_plan(path, target="shop")


def test_well_checksummed_but_malformed_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    document = plan_document(Plan("shop", "xpage", changes=[Change("product.a", Action.UPDATE)]))
    document["changes"][0]["action"] = "explode"
    document["checksum"] = checksum(document)
    path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError, match="not a well-formed plan"):
        load_plan(path, target="shop")


def test_unwritable_destination_is_a_plan_file_error(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="cannot write"):
        save_plan(planned(), tmp_path / "no-such-dir" / "plan.json")


def test_field_values_survive_exactly(tmp_path: Path) -> None:
    p = Plan(
        "shop",
        "xpage",
        changes=[
            Change(
                "subscription.s",
                Action.UPDATE,
                [FieldChange("form_data", {"a": [1, 2]}, {"a": [1, 2, 3], "b": None})],
            )
        ],
    )
    path = tmp_path / "plan.json"
    save_plan(p, path)
    assert load_plan(path, target="shop").changes[0].fields == p.changes[0].fields
