"""Generated AppXite subscriptions of any number, for the benchmark runner and the request-count guard.

AppXite's orderable unit is a subscription (an offer ordered for an organization), not a product, so
its catalog is ``count`` subscriptions to one offer spread evenly over ``organizations`` organizations.
The first two organizations and the offer are the AppXite sandbox's seed; more organizations have
name-based ids that :func:`organization_ids` gives, for the runner to add to the sandbox first.
"""

from __future__ import annotations

import uuid
from pathlib import Path

SEEDED = ("4f7c0d2e-1111-4a3b-9c55-0a1b2c3d4e5f", "9a1e6b0c-2222-4d5e-8f70-1b2c3d4e5f60")
OFFER = "3d800b57-0958-4d86-a6a6-144243908f4f"  # the seed's Microsoft 365 offer: provisioning finishes
SEATS = 25


def organization_ids(organizations: int) -> list[str]:
    extra = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"shelf-bench/org/{n}")) for n in range(2, organizations)]
    return [*SEEDED[:organizations], *extra]


def write_subscriptions(root: Path, count: int, organizations: int = 2, *, more_seats: int = 0) -> Path:
    """Write ``recipes/licences.yaml`` under ``root``; the first ``more_seats`` subscriptions hold one
    seat more than the rest (the one-change phase)."""
    orgs = organization_ids(organizations)
    lines = ["subscriptions:"]
    for i in range(count):
        seats = SEATS + 1 if i < more_seats else SEATS
        lines += [
            f"  - key: licence-{i:06d}",
            f"    organization: {orgs[i % len(orgs)]}",
            f"    offer: {OFFER}",
            f"    form_data: {{quantityBox1: {seats}, ChargePeriod: {{pricingFrequency: Monthly}}}}",
        ]
    path = root / "recipes" / "licences.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
