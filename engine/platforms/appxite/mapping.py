"""Order items <-> subscriptions, and what each status means for a plan.

An organization's items are matched to recipe keys by their order item id (:mod:`.ids`); the latest
generation of a key is the one that counts. What its status means:

* ``provision_finished``: held; form data changes are updates, ``state: cancelled`` is a cancel.
* ``provision_started``, ``pending_approval``: held, but busy: shown as pending; it can be neither
  updated nor cancelled until it is provisioned.
* ``cancelled``: no longer held; ordering again takes the next generation.
* ``provision_failed``: not held; ordering again takes the next generation.
* ``in_cart``: not held; an apply places it (after updating its form data if the recipe changed).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from engine.model import Subscription
from engine.platforms.appxite.api import RawItem, field

FINISHED = "provision_finished"
STARTED = "provision_started"
FAILED = "provision_failed"
PENDING = "pending_approval"
IN_CART = "in_cart"
CANCELLED = "cancelled"

HELD = (FINISHED, STARTED, PENDING)
BUSY = (STARTED, PENDING)


@dataclass(frozen=True)
class LiveItem:
    """One order item as read, with the organization it belongs to and, when it is a recipe key's,
    which generation of that key's ids it has."""

    raw: RawItem
    organization: str
    generation: int = 0

    @property
    def id(self) -> str:
        return str(field(self.raw, "orderItemId") or "").lower()

    @property
    def order_id(self) -> str:
        return str(field(self.raw, "orderId") or "")

    @property
    def status(self) -> str:
        return str(field(self.raw, "status") or "")

    @property
    def reason(self) -> str | None:
        reason = field(self.raw, "statusReason")
        return str(reason) if reason else None

    @property
    def offer(self) -> str:
        return str(field(self.raw, "offerId") or "").lower()

    @property
    def form_data(self) -> dict[str, Any]:
        data = field(self.raw, "formData")
        return dict(data) if isinstance(data, dict) else {}

    def subscription(self, key: str) -> Subscription:
        held = self.status in HELD
        return Subscription(
            key, self.organization, self.offer, self.form_data, state="active" if held else "cancelled"
        )

    def version(self) -> str:
        """A content hash of what a saved plan relies on: status, offer and form data."""
        text = json.dumps([self.status, self.offer, self.form_data], sort_keys=True, default=str)
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]
