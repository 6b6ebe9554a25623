"""Two applies on one target do not interleave: the second refuses and names the first.

The first holder here is a real child process, so the test also shows that the lock ends with its
process however it ends: after a SIGKILL, the next apply runs.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from engine.lock import lock_path, target_lock

from support import shelf

HOLD = """
import sys, time
from pathlib import Path
from engine.lock import target_lock
with target_lock(Path(sys.argv[1]), "sandbox"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_apply_refuses_and_names_the_first(repo: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(repo / ".shelf")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = shelf("apply", "--auto-approve")
        assert refused.exit_code == 1
        assert "target 'sandbox' is being changed by another `shelf apply`" in refused.stderr
        assert f"pid {holder.pid}" in refused.stderr
        assert "Apply complete" not in refused.output
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_plan_needs_no_lock(repo: Path) -> None:
    """Reading is safe beside an apply: plans (for example in pull requests) are not blocked."""
    with target_lock(repo / ".shelf", "sandbox"):
        planned = shelf("plan")
    assert planned.exit_code == 0, planned.output


def test_the_lock_file_holds_no_secret_and_is_emptied_after(repo: Path) -> None:
    path = lock_path(repo / ".shelf", "sandbox")
    with target_lock(repo / ".shelf", "sandbox"):
        held = json.loads(path.read_text())
        assert set(held) == {"command", "pid", "host", "started"}
        assert time.strptime(held["started"], "%Y-%m-%dT%H:%M:%SZ")
    assert path.read_text() == ""
