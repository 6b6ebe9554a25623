"""Which change a subscription needs: licences are ordered, updated, cancelled or replaced, never edited
in place beyond their form data.

* A subscription the platform does not hold (or holds only as cancelled) is ordered: ``+ create``.
* ``state: cancelled`` on a held one is ``- cancel``; on one not held, nothing.
* Another offer or organization cannot be changed on an order item: the old item is cancelled and a new
  one ordered, ``-/+ replace``.
* Otherwise changed form data is ``~ update``, field by field.

Whether a cancel is possible right now (the platform cancels only provisioned items) is the provider's
to say, in ``prepare``: it knows each item's status.
"""

from __future__ import annotations

from engine.model import Subscription
from engine.plan.diff import created_fields, deleted_fields, diff_subscription
from engine.plan.model import Action, Change, FieldChange
from engine.plan.platform import LiveState

REPLACED_BY = ("organization", "offer")


def subscription_change(
    addr: str, want: Subscription, have: Subscription | None, live: LiveState
) -> Change | None:
    held = have is not None and have.state == "active"
    if want.state == "cancelled":
        if not held or have is None:
            return None
        change = cancel_change(addr, have, live)
        change.desired = want
        change.source = want.source
        return change
    if not held or have is None:
        return Change(addr, Action.CREATE, created_fields(want), want, source=want.source)
    fields = diff_subscription(want, have)
    if not fields:
        return None
    replaced = any(f.path in REPLACED_BY for f in fields)
    return Change(
        addr,
        Action.REPLACE if replaced else Action.UPDATE,
        fields,
        want,
        live_id=live.ids.get(addr),
        live_version=live.versions.get(addr),
        source=want.source,
    )


def cancel_change(addr: str, have: Subscription, live: LiveState) -> Change:
    """Cancel a held subscription: its state changes, the rest is listed as it was."""
    fields = [FieldChange("state", "active", "cancelled")]
    fields += [f for f in deleted_fields(have) if f.path != "state"]
    return Change(
        addr, Action.CANCEL, fields, live_id=live.ids.get(addr), live_version=live.versions.get(addr)
    )
