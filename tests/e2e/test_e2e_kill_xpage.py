"""20 SIGKILLs at random points of xPage create and update runs (pictures, alt texts, digital files,
variants), then one apply converges: nothing left to change, no product, variant or file twice, and no
file shelf uploaded left unused (the target prunes `files`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kill_runs import GrowingCatalog, count, report, run_kills

CONFIG = """recipes: [recipes]
default_target: shop
targets:
  shop:
    platform: xpage
    sandbox: true
    prune: [files]
"""


class XPageCatalog(GrowingCatalog):
    platform = "xpage"
    target = "shop"

    def __init__(self, batch: int):
        super().__init__(CONFIG, batch=batch)

    def duplicates(self, db: Path) -> dict[str, int]:
        return {
            "products": count(db, "SELECT COUNT(*) FROM xpage_products") - self.count,
            "variants": count(db, "SELECT COUNT(*) FROM xpage_variants") - self.wanted_variants,
            "skus": count(db, "SELECT COUNT(sku) - COUNT(DISTINCT sku) FROM xpage_variants"),
            "files": count(db, "SELECT COUNT(*) - COUNT(DISTINCT name) FROM xpage_files"),
            "files beyond the catalog's": count(db, "SELECT COUNT(*) FROM xpage_files")
            - self.wanted_images
            - self.wanted_files,
        }


@pytest.mark.slow
def test_twenty_kills_then_one_apply_converges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    catalog = XPageCatalog(batch=8)
    figures = run_kills(catalog, tmp_path, kills=20, seed=1313, delays=(0.0, 1.5))
    print(report("xpage", figures, catalog.count))
    assert all(v == 0 for v in figures.duplicates.values()), figures.duplicates
    assert figures.landed == 20, figures.kills


def test_three_kills_then_one_apply_converges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The small run of the default suite: three kills on a few products."""
    monkeypatch.chdir(tmp_path)
    catalog = XPageCatalog(batch=4)
    figures = run_kills(catalog, tmp_path, kills=3, seed=7, delays=(0.0, 0.25))
    assert all(v == 0 for v in figures.duplicates.values()), figures.duplicates
    assert figures.landed == 3, figures.kills
