"""Products with the same option set share one Emporix template (its id derived from the set); a product
whose options change moves to the template of its new set, and a template is deleted only once no
product uses it."""

from __future__ import annotations

import shutil
from pathlib import Path

from emporix_e2e_support import TENANT, call, db_of, listing, product, reset_stats, stats, write_config
from support import shelf

SHIRT = (
    "  - key: shirt\n"
    "    title: Shirt\n"
    "    options: {Size: [S, M]}\n"
    "    variant_defaults: {sku: 'SHIRT-{{ Size }}', price: 20}\n"
)
POLO = (
    "  - key: polo\n"
    "    title: Polo\n"
    "    options: {Size: [S, M]}\n"
    "    variant_defaults: {sku: 'POLO-{{ Size }}', price: 25}\n"
)


def _recipes(repo: Path, *products: str) -> None:
    shutil.rmtree(repo / "recipes", ignore_errors=True)
    (repo / "recipes").mkdir()
    (repo / "recipes" / "products.yaml").write_text("products:\n" + "".join(products))


def _converged() -> None:
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def _template(db: Path, key: str) -> str:
    return str(product(db, key)["template"]["id"])


def _exists(db: Path, template_id: str) -> bool:
    return call(db, "GET", f"/product/{TENANT}/product-templates/{template_id}").status_code == 200


def test_products_share_the_template_of_their_option_set_until_none_uses_it(repo: Path) -> None:
    write_config(repo)
    _recipes(repo, SHIRT, POLO)
    db = db_of(repo)
    db.parent.mkdir(parents=True, exist_ok=True)
    reset_stats(db)
    _converged()
    assert stats(db)["requests"]["POST /product/{tenant}/product-templates"] == 1
    shared = _template(db, "shirt")
    assert _template(db, "polo") == shared
    assert len(listing(db, "product/{t}/product-templates")) == 1

    _recipes(repo, SHIRT.replace("[S, M]", "[S, M, L]"), POLO)
    _converged()
    moved = _template(db, "shirt")
    assert moved != shared
    assert _template(db, "polo") == shared and _exists(db, shared), "polo still uses it"
    assert {c["code"] for c in listing(db, "product/{t}/products", q="parentVariantId:shirt")} == {
        "SHIRT-S",
        "SHIRT-M",
        "SHIRT-L",
    }

    simple_polo = "  - key: polo\n    title: Polo\n    sku: POLO\n    price: 25\n"
    _recipes(repo, SHIRT.replace("[S, M]", "[S, M, L]"), simple_polo)
    _converged()
    assert not _exists(db, shared), "no product uses it any more"
    assert _exists(db, moved)

    _recipes(repo, SHIRT.replace("[S, M]", "[S, M, L]"), POLO.replace("[S, M]", "[S, M, L]"))
    reset_stats(db)
    _converged()
    assert _template(db, "polo") == moved
    assert "POST /product/{tenant}/product-templates" not in stats(db)["requests"], "found, not made again"
