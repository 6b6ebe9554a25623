"""How an order item moves through its statuses once it leaves the cart.

Readings where ``order-api.md`` is silent:

* Statuses beyond the documented three are ``in_cart``, ``pending_approval`` and ``cancelled``.
* ``place_order`` starts provisioning (``provision_started``); after the offer's ``delay`` seconds the
  item is ``provision_finished``, or ``provision_failed`` with the offer's reason in ``statusReason``.
  An offer configured for manual processing goes to ``pending_approval`` instead, until it is approved
  in the portal (here: the control API), which starts provisioning.
* An ``update`` of a provisioned item provisions it again, with the same outcome rules.
* Time is only looked at when somebody asks: every request first settles the items whose delay is over,
  so there is no background task and a test's clock decides.
"""

from __future__ import annotations

import sqlite3

IN_CART = "in_cart"
STARTED = "provision_started"
FINISHED = "provision_finished"
FAILED = "provision_failed"
PENDING = "pending_approval"
CANCELLED = "cancelled"

OUTCOMES = ("finish", "fail", "approval")


def start(db: sqlite3.Connection, item_id: str, offer: sqlite3.Row, now: float, *,
          approved: bool = False) -> None:
    """Send the item to provisioning, or to the approval queue for a manual offer."""
    if offer["outcome"] == "approval" and not approved:
        db.execute(
            "UPDATE appxite_items SET status = ?, status_reason = NULL, ready_at = NULL, next_status = NULL,"
            " next_reason = NULL WHERE id = ?",
            (PENDING, item_id),
        )
        return
    failed = offer["outcome"] == "fail"
    db.execute(
        "UPDATE appxite_items SET status = ?, status_reason = NULL, ready_at = ?, next_status = ?,"
        " next_reason = ? WHERE id = ?",
        (
            STARTED,
            now + float(offer["delay"]),
            FAILED if failed else FINISHED,
            (offer["reason"] or "provisioning failed at the vendor") if failed else None,
            item_id,
        ),
    )


def settle(db: sqlite3.Connection, now: float) -> None:
    """Finish (or fail) every item whose provisioning delay is over."""
    db.execute(
        "UPDATE appxite_items SET status = next_status, status_reason = next_reason, ready_at = NULL,"
        " next_status = NULL, next_reason = NULL WHERE status = ? AND ready_at <= ?",
        (STARTED, now),
    )
