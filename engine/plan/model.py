"""A plan is data: the changes one apply would make to one target, and nothing else.

Rendering (text, markdown, json) and applying are separate from planning, so a saved plan can be shown
and applied later exactly as it was computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from engine.errors import Source
from engine.model import Item

FORMAT_VERSION = 1


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DEACTIVATE = "deactivate"
    UPLOAD = "upload"
    REPLACE = "replace"
    CANCEL = "cancel"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]


_SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.DELETE: "-",
    Action.DEACTIVATE: "-",
    Action.UPLOAD: "^",
    Action.REPLACE: "-/+",
    Action.CANCEL: "-",
}


@dataclass(frozen=True)
class FieldChange:
    """One field, before -> after, in normalised JSON-able form (money as a "25.00" string)."""

    path: str
    before: Any
    after: Any


@dataclass
class Change:
    """One change to one addressed object.

    ``desired`` is the canonical object the change moves towards (None for delete/deactivate);
    ``live_id`` and ``live_version`` identify the live object as it was read at plan time, so apply can
    find it and notice when it changed since.
    """

    address: str
    action: Action
    fields: list[FieldChange] = field(default_factory=list)
    desired: Item | None = None
    live_id: str | None = None
    live_version: str | None = None
    depends_on: list[str] = field(default_factory=list)
    size: int | None = None  # bytes, for uploads
    source: Source | None = None
    # a product update's live pictures, label -> the shop's URL, in the shop's order, when its images change
    pictures: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.address.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.address.split(".", 1)[1]


@dataclass
class Plan:
    target: str
    platform: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    recipes_digest: str = ""
    created_at: str = ""
    shelf_version: str = ""
    notes: list[str] = field(default_factory=list)  # e.g. what --only pulled in or left out

    def summary(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "upload": 0, "delete": 0, "unchanged": self.unchanged}
        for c in self.changes:
            if c.action is Action.CREATE:
                counts["create"] += 1
            elif c.action is Action.UPDATE:
                counts["update"] += 1
            elif c.action is Action.UPLOAD:
                counts["upload"] += 1
            elif c.action in (Action.DELETE, Action.DEACTIVATE, Action.CANCEL):
                counts["delete"] += 1
            elif c.action is Action.REPLACE:
                counts["delete"] += 1
                counts["create"] += 1
        return counts

    @property
    def upload_bytes(self) -> int:
        return sum(c.size or 0 for c in self.changes if c.action is Action.UPLOAD)

    @property
    def empty(self) -> bool:
        return not self.changes
