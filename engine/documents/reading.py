"""Reading a document file without trusting it: a regular file, of bounded size, in UTF-8.

A recipe may come from anyone's pull request. A FIFO or a device named as a recipe would block or never
end, a file of gigabytes would exhaust memory before any check ran, and bytes that are not UTF-8 cannot
be shown at a line and column. Each of these is one clear reason instead.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_RECIPE_BYTES = 16 * 1024 * 1024
"""One recipe file; a larger catalog is split into several files (every file below `recipes:` is read)."""
MAX_CONFIG_BYTES = 1024 * 1024


class UnreadableDocument(Exception):
    """The file cannot be read as a document; ``reason`` says why, ``hint`` what to do."""

    def __init__(self, reason: str, hint: str | None = None, line: int = 1, col: int = 1):
        self.reason = reason
        self.hint = hint
        self.line = line
        self.col = col
        super().__init__(reason)


def read_document(path: Path, max_bytes: int) -> str:
    """The text of ``path``. Opened without blocking and checked to be a regular file before a byte is
    read, so a FIFO or a device is refused at once."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise UnreadableDocument(exc.strerror or str(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableDocument(
                "it is not a regular file (a folder, FIFO, socket or device)", "name a YAML file"
            )
        if info.st_size > max_bytes:
            raise UnreadableDocument(
                f"it is {info.st_size} bytes; shelf reads files of at most {max_bytes} bytes",
                "split it into several files",
            )
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise UnreadableDocument(f"it holds more than {max_bytes} bytes", "split it into several files")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise UnreadableDocument(
            f"it is not UTF-8 text (byte 0x{data[exc.start]:02x})",
            "save it as UTF-8",
            line=data.count(b"\n", 0, exc.start) + 1,
            col=col,
        ) from None
