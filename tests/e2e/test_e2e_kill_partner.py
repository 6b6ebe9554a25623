"""20 SIGKILLs at random points of Partner API create and update runs (SKUs on two vendors, promotions,
batched into asynchronous jobs), then one apply converges with nothing twice and nothing lost: the
ledger of what cannot be read back (promotions, stock) survives every kill."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from kill_runs import GrowingCatalog, count, report, run_kills

VENDORS = ("vendor-marina", "vendor-downtown")
CONFIG = f"""recipes: [recipes]
default_target: shop
targets:
  shop:
    platform: partner
    sandbox: true
    vendors: [{", ".join(VENDORS)}]
"""


class PartnerCatalog(GrowingCatalog):
    platform = "partner"
    target = "shop"

    def __init__(self, batch: int):
        super().__init__(CONFIG, batch=batch, files=False, images=False, promotions=True)

    def duplicates(self, db: Path) -> dict[str, int]:
        with sqlite3.connect(db) as conn:
            bodies = [json.loads(b) for (b,) in conn.execute("SELECT body FROM partner_promotions")]
        active = [b for b in bodies if b.get("active", True)]
        return {
            "products": count(db, "SELECT COUNT(*) FROM partner_products")
            - self.wanted_variants * len(VENDORS),
            "active promotions": len(active) - self.wanted_promotions,
        }


@pytest.mark.slow
def test_twenty_kills_then_one_apply_converges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    catalog = PartnerCatalog(batch=8)
    figures = run_kills(catalog, tmp_path, kills=20, seed=1315, delays=(0.0, 1.0))
    print(report("partner", figures, catalog.count))
    assert all(v == 0 for v in figures.duplicates.values()), figures.duplicates
    assert figures.landed == 20, figures.kills
