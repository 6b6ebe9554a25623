"""20 SIGKILLs at random points of AppXite create and update runs (licences ordered through the cart and
`place_order`, form data changed with `update`, provisioning waited for), then one apply converges: one
live order item per subscription, none left in the cart, none lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from kill_runs import count, report, run_kills

ORGANIZATIONS = ("4f7c0d2e-1111-4a3b-9c55-0a1b2c3d4e5f", "9a1e6b0c-2222-4d5e-8f70-1b2c3d4e5f60")
M365 = "3d800b57-0958-4d86-a6a6-144243908f4f"
CONFIG = """recipes: [recipes]
default_target: shop
targets:
  shop:
    platform: appxite
    sandbox: true
"""


class Licences:
    platform = "appxite"
    target = "shop"

    def __init__(self, batch: int):
        self.batch = batch
        self.count = 0
        self.seats = 5

    def write(self, repo: Path) -> None:
        (repo / "shelf.yaml").write_text(CONFIG)
        (repo / "recipes").mkdir(exist_ok=True)

    def grow(self, repo: Path, run: int) -> None:
        self.count += self.batch
        self._write(repo)

    def change(self, repo: Path, run: int) -> None:
        self.seats += 1
        self._write(repo)

    def _write(self, repo: Path) -> None:
        lines = ["subscriptions:"]
        for n in range(self.count):
            lines += [
                f"  - key: seats-{n:03}",
                f"    organization: {ORGANIZATIONS[n % 2]}",
                f"    offer: {M365}",
                f"    form_data: {{quantityBox1: {self.seats + n},"
                " ChargePeriod: {pricingFrequency: Monthly}}",
            ]
        (repo / "recipes" / "licences.yaml").write_text("\n".join(lines) + "\n")

    def duplicates(self, db: Path) -> dict[str, int]:
        live = "status NOT IN ('cancelled', 'provision_failed')"
        return {
            "live order items": count(db, f"SELECT COUNT(*) FROM appxite_items WHERE {live}") - self.count,
            "left in the cart": count(db, "SELECT COUNT(*) FROM appxite_items WHERE status = 'in_cart'"),
        }


@pytest.mark.slow
def test_twenty_kills_then_one_apply_converges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    licences = Licences(batch=6)
    figures = run_kills(licences, tmp_path, kills=20, seed=1316, delays=(0.0, 1.5))
    print(report("appxite", figures, licences.count))
    assert all(v == 0 for v in figures.duplicates.values()), figures.duplicates
    assert figures.landed == 20, figures.kills
