"""20 SIGKILLs at random points of Emporix create and update runs (products with variants, prices,
media assets for pictures and files, coupons), then one apply converges with nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from kill_runs import GrowingCatalog, count, report, run_kills

CONFIG = """recipes: [recipes]
default_target: shop
targets:
  shop:
    platform: emporix
    sandbox: true
    languages: [en]
"""


class EmporixCatalog(GrowingCatalog):
    platform = "emporix"
    target = "shop"

    def __init__(self, batch: int):
        super().__init__(CONFIG, batch=batch, promotions=True, category=True)

    def duplicates(self, db: Path) -> dict[str, int]:
        rows = sum(3 if n % 4 == 1 else 1 for n in range(self.count))
        return {
            "products and variants": count(db, "SELECT COUNT(*) FROM emporix_products") - rows,
            "prices": count(db, "SELECT COUNT(*) - COUNT(DISTINCT item_id) FROM emporix_prices"),
            "media assets": count(db, "SELECT COUNT(*) FROM emporix_assets")
            - self.wanted_images
            - self.wanted_files,
            "coupons": count(db, "SELECT COUNT(*) FROM emporix_coupons") - self.wanted_promotions,
        }


@pytest.mark.slow
def test_twenty_kills_then_one_apply_converges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    catalog = EmporixCatalog(batch=8)
    figures = run_kills(catalog, tmp_path, kills=20, seed=1314, delays=(0.0, 1.5))
    print(report("emporix", figures, catalog.count))
    assert all(v == 0 for v in figures.duplicates.values()), figures.duplicates
    assert figures.landed == 20, figures.kills
