"""What product writes share: the transaction, the collected errors, and checked file references."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from engine.sandbox.forms import Upload
from engine.sandbox.responses import FieldErrors
from engine.sandbox.xpage import file_store as files
from engine.sandbox.xpage.readings import Readings


class WriteBase:
    """State of one product write; subclasses add what they write. Errors are keyed by request path."""

    def __init__(
        self,
        db: sqlite3.Connection,
        meta: Mapping[str, Any],
        *,
        images: Sequence[Upload] = (),
        digital: Sequence[Upload] = (),
        now: str,
        readings: Readings | None = None,
    ):
        self.db = db
        self.meta = meta
        self.images = images
        self.digital = digital
        self.now = now
        self.readings = readings or Readings()
        self.errors: FieldErrors = {}
        self.variant_keys: dict[str, str] = {}

    def error(self, key: str, message: str) -> None:
        messages = self.errors.setdefault(key, [])
        if message not in messages:
            messages.append(message)

    def _exists(self, table: str, row_id: str) -> bool:
        return self.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone() is not None

    # -- files ----------------------------------------------------------------------------------------

    def _file_ok(self, file_id: str, key: str, *, image: bool) -> bool:
        row = files.file_row(self.db, file_id)
        if row is None:
            self.error(key, "no file with this id")
        elif image and not row["mime_type"].startswith("image/"):
            self.error(key, f"must be an image file; this one is {row['mime_type']}")
        else:
            return True
        return False

    def _single_file(self, vid: str, role: str, file_id: str | None, key: str, *, image: bool) -> None:
        if file_id is None:
            files.unlink_role(self.db, "variant", vid, role)
        elif self._file_ok(file_id, key, image=image):
            files.link(self.db, file_id, "variant", vid, role, 0)

    def _links(
        self, pid: str, role: str, items: Sequence[Mapping[str, Any]], key: str, *, image: bool
    ) -> None:
        chosen: list[tuple[str, int]] = []
        for i, item in enumerate(items):
            if any(item["id"] == f for f, _ in chosen):
                self.error(f"{key}.{i}.id", "given twice")
            elif self._file_ok(item["id"], f"{key}.{i}.id", image=image):
                chosen.append((item["id"], item.get("order", i)))
        if self.readings.lists_replace:
            files.replace_links(self.db, "product", pid, role, chosen)
        else:
            for file_id, order in chosen:
                files.link(self.db, file_id, "product", pid, role, order)
