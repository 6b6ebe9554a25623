"""Categories are written with the ``publish`` parameter equal to ``published``, as
``category-tree.api.yml`` says (the parameter defaults to false and must match the body)."""

from __future__ import annotations

from pathlib import Path

from emporix_e2e_support import TENANT, call, db_of, write_config
from support import shelf


def _category(db: Path, category_id: str) -> dict[str, object]:
    answer = call(
        db,
        "GET",
        f"/category/{TENANT}/categories/{category_id}",
        params={"showUnpublished": "true"},
        headers={"Accept-Language": "*"},
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, object] = answer.json()
    return result


def test_new_categories_are_published_and_a_hidden_one_stays_hidden_when_renamed(repo: Path) -> None:
    write_config(repo)
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    db = db_of(repo)
    assert _category(db, "apparel")["published"] is True

    hidden = _category(db, "home")
    body = {k: v for k, v in hidden.items() if k in ("localizedName", "parentId", "code")}
    unpublished = call(
        db,
        "PUT",
        f"/category/{TENANT}/categories/home",
        params={"publish": "false"},
        json={**body, "published": False, "metadata": {"version": hidden["metadata"]["version"]}},  # type: ignore[index]
        headers={"Content-Language": "*"},
    )
    assert unpublished.status_code == 204, unpublished.text
    categories = repo / "recipes" / "categories.yaml"
    categories.write_text(categories.read_text().replace("name: Home", "name: Home & Living"))
    assert shelf("apply", "--auto-approve").exit_code == 0
    renamed = _category(db, "home")
    assert renamed["localizedName"] == {"en": "Home & Living", "de": "Home & Living"}
    assert renamed["published"] is False
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
