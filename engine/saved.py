"""Applying a saved plan: exactly what was reviewed, and only if the shop has not moved since.

Each change in a saved plan records the live object's version (a platform version or a content hash) at
plan time. Before anything is written, the objects the plan touches are read again; if one changed, or
an object the plan would create now exists, the plan is stale and nothing is applied (exit 4).
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.core import Session
from engine.errors import StalePlanError
from engine.plan.model import Action, Plan
from engine.plan.planfile import load_plan
from engine.plan.uploads import with_owners
from engine.plan.variants import product_of


def planned_target(path: Path) -> str | None:
    """The target a plan file names, so `shelf apply plan.json` needs no --target; None if unreadable
    (load_plan then reports the problem properly)."""
    try:
        target = json.loads(path.read_text(encoding="utf-8")).get("target")
    except (OSError, ValueError, AttributeError):
        return None
    return target if isinstance(target, str) else None


async def load_and_check(session: Session, path: Path) -> Plan:
    plan = load_plan(path, target=session.target.name)
    # an upload and a variant deletion need their product read too
    wanted = set(with_owners(c.address for c in plan.changes))
    wanted.update(home for c in plan.changes if (home := product_of(c)) is not None)
    live = await session.provider.read(
        session.desired, only=lambda a: a in wanted or a.startswith("category.")
    )
    stale: list[str] = []
    for change in plan.changes:
        now = live.versions.get(product_of(change) or change.address)
        if change.action is Action.CREATE:
            if change.address in live.ids:
                stale.append(f"{change.address} was created in the shop since the plan")
        elif change.action is not Action.UPLOAD and change.live_version not in (None, now):
            what = "was removed from" if now is None else "changed in"
            stale.append(f"{change.address} {what} the shop since the plan")
    if stale:
        raise StalePlanError(
            "the plan is stale: " + "; ".join(stale),
            where=str(path),
            hint="run `shelf plan` again",
        )
    return plan
