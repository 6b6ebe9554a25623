"""Files shelf uploaded that nothing in the shop uses, as the provider reports them (``LiveState.orphans``).

They are deleted under the rules of every other deletion: only when the target lists ``files`` under
``prune``, selected by ``--only``/``--exclude`` like any address. No recipe describes a file on its own,
so ``protect`` has nothing to name; leaving ``files`` out of ``prune`` keeps them, and the plan then says
how many there are, so they are never invisible.
"""

from __future__ import annotations

from collections.abc import Collection

from engine.plan.model import Action, Change, FieldChange
from engine.plan.platform import LiveState

FILES = "files"
"""The prune collection of orphan files."""
SHOWN = 3


def orphan_changes(live: LiveState, prune: Collection[str]) -> tuple[list[Change], list[str]]:
    """A deletion per orphan when ``files`` is pruned; otherwise a note counting them."""
    if not live.orphans:
        return [], []
    if FILES not in prune:
        names = sorted(live.orphans)
        more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
        return [], [
            f"{len(names)} file(s) shelf uploaded are used by nothing in the shop ({', '.join(names[:SHOWN])}"
            f"{more}); list `files` under the target's prune to delete them"
        ]
    changes = []
    for addr in sorted(live.orphans):
        asset = live.orphans[addr]
        listing = [("name", asset.ref), ("size", asset.size), ("mime_type", asset.mime_type)]
        if asset.sha256:
            listing.append(("sha256", asset.sha256[:12]))
        changes.append(
            Change(
                addr,
                Action.DELETE,
                [FieldChange(path, value, None) for path, value in listing if value is not None],
                live_id=asset.live_id,
                live_version=live.versions.get(addr),
            )
        )
    return changes, []
