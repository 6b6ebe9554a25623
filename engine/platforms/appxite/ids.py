"""Order item ids shelf can compute instead of remember.

The Order API wants a client-made id for every cart addition. shelf derives it from the target, the
organization and the subscription's key (a name-based UUID), so a plan finds its items again with nothing
stored anywhere, and a create whose answer was lost is found by the id it would have had. The
organization is part of the name because an order item belongs to one: a subscription moved to another
organization is a new item there.

An order item that was cancelled (or whose provisioning failed) cannot be ordered again, so ordering the
subscription once more takes the next *generation*: ``<target>/<organization>/<key>`` for the
first order, ``...#2``, ``#3`` after it. A read recognises every generation up to
:data:`MAX_GENERATIONS`.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("0b7c6a52-3f1e-5d4a-9c8b-7e6f5a4d3c2b")
MAX_GENERATIONS = 50


def order_item_id(target: str, organization: str, key: str, generation: int = 1) -> str:
    name = f"{target}/{organization.lower()}/{key}"
    return str(uuid.uuid5(NAMESPACE, name if generation <= 1 else f"{name}#{generation}"))


def generations(target: str, organization: str, key: str) -> dict[str, int]:
    """Every id the subscription ``key`` may have had in ``organization`` on ``target`` -> its generation."""
    return {order_item_id(target, organization, key, g): g for g in range(1, MAX_GENERATIONS + 1)}
