"""The ledger: what shelf last sent for what a platform cannot read back, one JSON file per target.

shelf's rule is that the shop is the state. A few things cannot be read from some platforms (the Partner
API's promotions and stock quantities); for those only, the provider records what it sent and what the
platform's job said, and reads its own record back as the live value. Without the file those objects plan
as a re-send, which is harmless. Entries are grouped in sections (``quantities``, ``promotions``...) and
keyed by whatever the platform identifies them by; values are plain JSON. The file never holds a secret.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from engine.errors import ConfigError

FORMAT = 1


class Ledger:
    def __init__(self, path: Path, target: str):
        self.path = path
        self.target = target
        self._sections: dict[str, dict[str, Any]] = {}
        self.loaded = False
        if path.exists():
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(
                    f"the ledger {path} cannot be read: {exc}",
                    where=target,
                    hint="delete it: shelf then re-sends what it cannot read back, which is harmless",
                ) from None
            if isinstance(document, dict) and document.get("format") == FORMAT:
                self._sections = {k: dict(v) for k, v in (document.get("sections") or {}).items()}
                self.loaded = True

    def get(self, section: str, key: str) -> Any:
        return self._sections.get(section, {}).get(key)

    def section(self, section: str) -> dict[str, Any]:
        return dict(self._sections.get(section, {}))

    def put(self, section: str, key: str, value: Any) -> None:
        self._sections.setdefault(section, {})[key] = value

    def drop(self, section: str, key: str) -> None:
        self._sections.get(section, {}).pop(key, None)

    def save(self) -> None:
        """Write the file whole (through a temporary file, so a crash never leaves half a ledger)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {"format": FORMAT, "target": self.target, "sections": self._sections}
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)


def ledger_path(state_dir: Path, root: Path, target: str, setting: str | None) -> Path:
    """``ledger:`` from shelf.yaml (relative to its folder), else ``.shelf/ledger/<target>.json``."""
    if setting:
        return (root / setting).resolve()
    return state_dir / "ledger" / f"{target}.json"
