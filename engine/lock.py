"""One apply at a time per target on this machine.

Two applies on one target interleave their writes and their verification: each may undo what the other
just did, or create what the other is about to create. ``shelf apply`` therefore holds an exclusive lock
on ``.shelf/locks/<target>.lock`` while it runs; a second one refuses at once and names the first.

The lock is the operating system's (``flock``), not the file's existence: it ends with the process that
holds it, however that process ends (a crash or a SIGKILL leaves no stale lock behind). It guards one
machine's working copy; CI runners on several machines are kept apart by the workflow's concurrency
group per target (see docs/catalog-in-git.md).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.errors import ShelfError


class LockedError(ShelfError):
    """Another shelf holds the target's lock."""


def lock_path(state_dir: Path, target: str) -> Path:
    return state_dir / "locks" / f"{target}.lock"


@contextmanager
def target_lock(state_dir: Path, target: str, command: str = "shelf apply") -> Iterator[None]:
    """Hold ``target``'s lock for the block; raise :class:`LockedError` naming the holder if taken."""
    path = lock_path(state_dir, target)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"target '{target}' is being changed by another {_holder(fd)}",
                where=target,
                hint="wait for it to finish, then run again (its lock ends with it, even if it crashes)",
            ) from None
        holder = {
            "command": command,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    """The running holder as its lock file describes it."""
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict) or "pid" not in data:
        return "shelf"
    return (
        f"`{data.get('command', 'shelf')}` (pid {data['pid']} on {data.get('host', '?')}, "
        f"started {data.get('started', '?')})"
    )
