"""Content hashes of local files, remembered between runs so unchanged images are not read again.

Every plan needs the SHA-256 of every image and file a catalog names, since that hash is how shelf tells
whether the shop already holds the same bytes. Reading hundreds of images on each run would dominate a
plan, so the hash is kept in ``.shelf/cache/assets.json`` keyed by the file's path (relative to the
catalog root), size and ``st_mtime_ns``: a file whose size and modification time are unchanged is not
read again.

A file modified within :data:`RACY_SECONDS` of being hashed is not remembered: file systems keep
modification times in coarse steps, so a second write within the same step could leave size and time
unchanged while the bytes differ (git calls such entries "racily clean"). The cache only saves time:
a cache that cannot be read is ignored, and one that cannot be written is not written.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.filetypes import SNIFF_BYTES

CACHE_VERSION = 1
RACY_SECONDS = 2.0
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileFacts:
    """What shelf needs to know about a file's bytes: their hash, how many, and how they start."""

    sha256: str
    size: int
    head: bytes


class HashCache:
    """Hashes of the files under one catalog ``root`` (keys are paths relative to it), read from and
    saved to the JSON file at ``path`` (None: remember nothing between runs).

    ``hashed`` counts the files whose bytes were actually read in this run.
    """

    def __init__(self, path: Path | None, root: Path):
        self.path = path
        self.root = root
        self.hashed = 0
        self._entries: dict[str, dict[str, Any]] = self._load()
        self._used: set[str] = set()
        self._changed = False

    def facts(self, file: Path, key: str) -> FileFacts:
        """The facts of ``file`` (cached under ``key``). Raises ``OSError`` when it cannot be read."""
        stat = file.stat()
        self._used.add(key)
        entry = self._entries.get(key)
        if (
            entry is not None
            and entry.get("size") == stat.st_size
            and entry.get("mtime_ns") == stat.st_mtime_ns
        ):
            try:
                return FileFacts(str(entry["sha256"]), int(entry["size"]), bytes.fromhex(entry["head"]))
            except (KeyError, TypeError, ValueError):
                pass
        facts = self._read(file)
        if time.time_ns() - stat.st_mtime_ns > RACY_SECONDS * 1e9 and facts.size == stat.st_size:
            self._entries[key] = {
                "size": facts.size,
                "mtime_ns": stat.st_mtime_ns,
                "sha256": facts.sha256,
                "head": facts.head.hex(),
            }
            self._changed = True
        elif key in self._entries:
            del self._entries[key]
            self._changed = True
        return facts

    def save(self) -> None:
        """Write the cache if anything changed, dropping entries of files that are gone."""
        if self.path is None or not self._changed:
            return
        kept = {
            key: entry
            for key, entry in sorted(self._entries.items())
            if key in self._used or (self.root / key).is_file()
        }
        document = {"version": CACHE_VERSION, "files": kept}
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.partial")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(partial, self.path)
        except OSError:
            partial.unlink(missing_ok=True)
        self._changed = False

    def _read(self, file: Path) -> FileFacts:
        self.hashed += 1
        digest = hashlib.sha256()
        size = 0
        head = b""
        with file.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                if size == 0:
                    head = chunk[:SNIFF_BYTES]
                digest.update(chunk)
                size += len(chunk)
        return FileFacts(digest.hexdigest(), size, head)

    def _load(self) -> dict[str, dict[str, Any]]:
        if self.path is None:
            return {}
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(document, dict) or document.get("version") != CACHE_VERSION:
            return {}
        files = document.get("files")
        if not isinstance(files, dict):
            return {}
        return {str(k): v for k, v in files.items() if isinstance(v, dict)}
