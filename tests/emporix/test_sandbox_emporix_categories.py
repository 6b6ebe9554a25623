"""Categories and assignments in the Emporix sandbox: the tree, codes, publishing, languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from emporix_sandbox_support import CATEGORIES, TENANT, basic, client, make_app

REFERENCES = f"/category/{TENANT}/assignments/references"


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    return make_app(tmp_path / "shop.sqlite")


async def category(c: httpx.AsyncClient, name: str, **extra: Any) -> str:
    response = await c.post(CATEGORIES, json={"localizedName": {"en": name}, "published": True, **extra})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_create_read_and_version(app: Starlette) -> None:
    async with client(app) as c:
        apparel = await category(c, "Apparel", code="apparel", localizedSlug={"en": "apparel"})
        read = (await c.get(f"{CATEGORIES}/{apparel}")).json()
        patched = await c.patch(
            f"{CATEGORIES}/{apparel}", json={"localizedName": {"de": "Kleidung"}, "metadata": {"version": 0}}
        )
        stale = await c.patch(f"{CATEGORIES}/{apparel}", json={"position": 3, "metadata": {"version": 0}})
        after = (await c.get(f"{CATEGORIES}/{apparel}")).json()
    assert read["localizedName"] == {"en": "Apparel"} and read["code"] == "apparel"
    assert read["metadata"]["version"] == 0 and read["position"] == 0 and read["media"] == []
    assert "parentId" not in read
    assert patched.status_code == 204 and stale.status_code == 409
    assert after["localizedName"] == {"en": "Apparel", "de": "Kleidung"} and after["metadata"]["version"] == 1


async def test_tree_by_parent_id(app: Starlette) -> None:
    async with client(app) as c:
        apparel = await category(c, "Apparel")
        shirts = await category(c, "Shirts", parentId=apparel)
        tees = await category(c, "Tees", parentId=shirts)
        root = await category(c, "Home", parentId="root")
        roots = await c.get(CATEGORIES, params={"showRoots": "true"})
        cycle = await c.patch(f"{CATEGORIES}/{apparel}", json={"parentId": tees, "metadata": {}})
        itself = await c.patch(f"{CATEGORIES}/{apparel}", json={"parentId": apparel, "metadata": {}})
        orphan = await c.post(
            CATEGORIES, json={"localizedName": {"en": "X"}, "published": True, "parentId": "ghost"}
        )
        second = await category(c, "Hoodies", parentId=apparel)
        positions = [(await c.get(f"{CATEGORIES}/{i}")).json()["position"] for i in (shirts, second)]
    assert {x["id"] for x in roots.json()} == {apparel, root}
    assert cycle.status_code == 400 and itself.status_code == 400 and orphan.status_code == 400
    assert positions == [0, 1]


async def test_delete_with_and_without_subcategories(app: Starlette) -> None:
    async with client(app) as c:
        a = await category(c, "A")
        b = await category(c, "B", parentId=a)
        d = await category(c, "D", parentId=b)
        lifted = await c.delete(f"{CATEGORIES}/{a}")
        b_now = (await c.get(f"{CATEGORIES}/{b}")).json()
        branch = await c.delete(f"{CATEGORIES}/{b}", params={"withSubcategories": "true"})
        d_now = await c.get(f"{CATEGORIES}/{d}")
        unknown = await c.delete(f"{CATEGORIES}/{a}")
    assert lifted.status_code == 204 and "parentId" not in b_now
    assert branch.status_code == 204 and d_now.status_code == 404
    assert unknown.status_code == 404
    assert set(unknown.json()) == {"code", "status", "message", "details"}


async def test_codes_and_ecns_are_unique(app: Starlette) -> None:
    async with client(app) as c:
        await category(c, "A", code="apparel", ecn=["E1"])
        same_code = await c.post(
            CATEGORIES, json={"localizedName": {"en": "B"}, "published": True, "code": "APPAREL"}
        )
        same_ecn = await c.post(
            CATEGORIES, json={"localizedName": {"en": "C"}, "published": True, "ecn": ["E1"]}
        )
        by_code = await c.get(CATEGORIES, params={"code": "Apparel"})
    assert same_code.status_code == 409 and same_ecn.status_code == 409
    assert same_ecn.json()["message"].startswith("Duplicated ECN value")
    assert [x["code"] for x in by_code.json()] == ["apparel"]


async def test_upsert_publish_and_validation(app: Starlette) -> None:
    async with client(app) as c:
        created = await c.put(
            f"{CATEGORIES}/tees", json={"localizedName": {"en": "Tees"}, "published": False}
        )
        updated = await c.put(
            f"{CATEGORIES}/tees",
            params={"publish": "true"},
            json={"localizedName": {"en": "T"}, "published": True},
        )
        mismatch = await c.put(
            f"{CATEGORIES}/tees",
            params={"publish": "true"},
            json={"localizedName": {"en": "T"}, "published": False},
        )
        missing = await c.post(CATEGORIES, json={"localizedName": {"en": "X"}})
        empty_name = await c.post(CATEGORIES, json={"localizedName": {}, "published": True})
        diacritics = await c.post(
            CATEGORIES,
            json={"localizedName": {"de": "Röcke"}, "localizedSlug": {"de": "röcke"}, "published": True},
        )
        language = await c.post(
            CATEGORIES,
            json={"localizedName": {"en": "X", "de": "Y"}, "published": True},
            headers={"Content-Language": "en"},
        )
        classification = await c.post(
            CATEGORIES, json={"localizedName": {"en": "X"}, "published": True, "type": "CLASSIFICATION"}
        )
        unpublished_read = await c.get(f"{CATEGORIES}/tees")
        listed = await c.get(CATEGORIES, headers={"X-Total-Count": "true"})
    assert created.status_code == 201 and created.json() == {"id": "tees"}
    assert updated.status_code == 204 and mismatch.status_code == 400
    for response in (missing, empty_name, diacritics, language, classification):
        assert response.status_code == 400, response.text
        assert response.json()["details"]
    assert unpublished_read.status_code == 200
    assert listed.headers["X-Total-Count"] == "1"


async def test_unpublished_are_hidden_by_default(app: Starlette) -> None:
    async with client(app) as c:
        hidden = await category(c, "Hidden", published=False)
        await category(c, "Shown")
        listed = await c.get(CATEGORIES)
        shown = await c.get(CATEGORIES, params={"showUnpublished": "true"})
        one = await c.get(f"{CATEGORIES}/{hidden}")
        one_shown = await c.get(f"{CATEGORIES}/{hidden}", params={"showUnpublished": "true"})
    assert [x["localizedName"]["en"] for x in listed.json()] == ["Shown"]
    assert len(shown.json()) == 2
    assert one.status_code == 404 and one_shown.status_code == 200


async def test_accept_language_filters_maps(app: Starlette) -> None:
    async with client(app) as c:
        cid = await category(c, "Shoes", localizedName={"en": "Shoes", "de": "Schuhe"})
        german = (await c.get(f"{CATEGORIES}/{cid}", headers={"Accept-Language": "de"})).json()
        every = (await c.get(f"{CATEGORIES}/{cid}")).json()
        unknown = await c.get(f"{CATEGORIES}/{cid}", headers={"Accept-Language": "xx"})
        by_name = await c.get(CATEGORIES, params={"localizedName": "schu"})
        by_q = await c.get(CATEGORIES, params={"q": "localizedName.de:Schuhe"})
    assert german["localizedName"] == {"de": "Schuhe"}
    assert every["localizedName"] == {"en": "Shoes", "de": "Schuhe"}
    assert unknown.status_code == 400
    assert len(by_name.json()) == 1 and len(by_q.json()) == 1


async def test_assignments_both_ways(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        await basic(c, "cup", "CUP")
        apparel = await category(c, "Apparel")
        tees = await category(c, "Tees", parentId=apparel)
        first = await c.put(f"{CATEGORIES}/{tees}/assignments/references/mug")
        again = await c.put(f"{CATEGORIES}/{tees}/assignments/references/mug")
        posted = await c.post(
            f"{CATEGORIES}/{apparel}/assignments", json={"ref": {"id": "cup", "type": "PRODUCT"}}
        )
        twice = await c.post(
            f"{CATEGORIES}/{apparel}/assignments", json={"ref": {"id": "cup", "type": "PRODUCT"}}
        )
        ghost = await c.put(f"{CATEGORIES}/{tees}/assignments/references/ghost")
        no_category = await c.put(f"{CATEGORIES}/nope/assignments/references/mug")
        of_mug = await c.get(f"{REFERENCES}/mug", params={"expandSupercategoriesIds": "true"})
        in_tees = await c.get(f"{CATEGORIES}/{tees}/assignments")
        in_apparel = await c.get(f"{CATEGORIES}/{apparel}/assignments", params={"withSubcategories": "true"})
        product = (await c.get("/product/acme/products/mug")).json()
        removed = await c.delete(f"{CATEGORIES}/{tees}/assignments/references/mug")
        removed_again = await c.delete(f"{CATEGORIES}/{tees}/assignments/references/mug")
        none_left = await c.get(f"{REFERENCES}/mug")
        unknown_ref = await c.get(f"{REFERENCES}/ghost")
        all_of_cup = await c.delete(f"{REFERENCES}/cup")
        all_of_cup_again = await c.delete(f"{REFERENCES}/cup")
    assert first.status_code == 201 and first.json()["id"]
    assert again.status_code == 204
    assert posted.status_code == 201 and twice.status_code == 400
    assert ghost.status_code == 400 and no_category.status_code == 404
    assert [x["id"] for x in of_mug.json()] == [tees] and of_mug.json()[0]["supercategoriesIds"] == [apparel]
    assert in_tees.json()[0]["ref"] == {"id": "mug", "type": "PRODUCT", "localizedName": {"en": "Mug"}}
    assert in_tees.json()[0]["categoryId"] == tees
    assert {x["ref"]["id"] for x in in_apparel.json()} == {"mug", "cup"}
    assert product["categoryIds"] == [tees]
    assert removed.status_code == removed_again.status_code == 204
    assert none_left.json() == []
    assert unknown_ref.status_code == 404
    assert all_of_cup.status_code == 204 and all_of_cup_again.status_code == 404


async def test_deleting_products_and_categories_drops_assignments(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        cid = await category(c, "A")
        await c.put(f"{CATEGORIES}/{cid}/assignments/references/mug")
        await c.delete("/product/acme/products/mug")
        left = await c.get(f"{CATEGORIES}/{cid}/assignments")
    assert left.json() == []
