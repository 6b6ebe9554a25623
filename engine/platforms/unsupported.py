"""Recipe collections a platform cannot hold, refused at plan time at their recipe lines.

Recipes may hold everything every platform can express (promotions, subscriptions, ...); a target whose
platform has no such thing gets one plan error per item rather than a silent drop. Every provider's
``prepare`` starts here, so the wording and the hint are the same on every platform.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.errors import PlanError

_WHO_HOLDS = {
    "promotions": "list only other platforms' targets under its targets:",
    "subscriptions": "list only AppXite targets under its targets:",
}


def refuse(
    collection: str, items: Mapping[str, Any], platform: str, reason: str | None = None
) -> Iterable[PlanError]:
    """One :class:`PlanError` per item of ``collection`` (``"promotions"``, ``"subscriptions"``), which
    ``platform`` (as messages name it) cannot hold; ``reason`` replaces "<platform> has no <collection>"."""
    kind = collection.removesuffix("s")
    why = reason or f"{platform} has no {collection}"
    for key, item in items.items():
        yield PlanError(
            f"{kind} '{key}': {why}",
            where=getattr(item, "source", None) or f"{kind}.{key}",
            hint=_WHO_HOLDS.get(collection, "list only other platforms' targets under its targets:"),
        )
