"""Generated subscriptions ordered from the AppXite sandbox while it fails at random: one apply converges
(every subscription ordered and provisioned), with no order item twice and none missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from fault_run_support import (
    PROFILE,
    SMALL_RUN,
    WITH_TIMEOUTS,
    assert_converged,
    assert_met_timeouts,
    duplicates,
    rows,
    run_under_faults,
)

from engine.sandbox.appxite.db import ACME, GLOBEX

CONFIG = (
    "recipes: [recipes]\ndefault_target: licences\n"
    "targets:\n  licences: {platform: appxite, sandbox: true}\n"
)
M365 = "3d800b57-0958-4d86-a6a6-144243908f4f"
BACKUP = "7c2d4e6f-3333-4b1a-9e8d-2c3b4a5f6e70"


def write_catalog(root: Path, subscriptions: int) -> None:
    """``subscriptions`` subscriptions over the two seeded organizations and two offers."""
    (root / "shelf.yaml").write_text(CONFIG)
    lines = ["subscriptions:"]
    for i in range(subscriptions):
        organization = ACME if i % 2 else GLOBEX
        lines += [f"  - key: sub-{i:04d}", f"    organization: {organization}"]
        if i % 3:
            form = f'{{quantityBox1: {1 + i % 7}, DataCenter: "12"}}'
            lines += [f"    offer: {BACKUP}", f"    form_data: {form}"]
        else:
            form = f"{{quantityBox1: {1 + i % 9}, ChargePeriod: {{pricingFrequency: Monthly}}}}"
            lines += [f"    offer: {M365}", f"    form_data: {form}"]
    (root / "recipes").mkdir()
    (root / "recipes" / "subscriptions.yaml").write_text("\n".join(lines) + "\n")


def check_shop(root: Path, subscriptions: int) -> None:
    items = [i for (i,) in rows(root, "appxite", "SELECT id FROM appxite_items")]
    assert duplicates(items) == [] and len(items) == subscriptions, (len(items), duplicates(items)[:5])
    states = {s for (s,) in rows(root, "appxite", "SELECT status FROM appxite_items")}
    assert states == {"provision_finished"}, states


def test_forty_subscriptions_converge_in_one_apply_under_faults_and_timeouts(tmp_path: Path) -> None:
    write_catalog(tmp_path, 40)
    run = run_under_faults(tmp_path, "appxite", SMALL_RUN, quick=True, provision_delay=0)
    assert_converged(run)
    assert_met_timeouts(run)
    check_shop(tmp_path, 40)


@pytest.mark.slow
@pytest.mark.parametrize(("count", "profile"), [(300, PROFILE), (1000, WITH_TIMEOUTS)])
def test_many_subscriptions_converge_in_one_apply_under_faults(
    tmp_path: Path, count: int, profile: dict[str, object]
) -> None:
    write_catalog(tmp_path, count)
    run = run_under_faults(tmp_path, "appxite", profile, provision_delay=0)
    print(f"\nappxite {count} subscriptions: {run.requests} requests, faults injected {run.injected}")
    assert_converged(run)
    check_shop(tmp_path, count)
