"""Ctrl-C during an apply, the way Terraform takes it: the first one lets the apply end cleanly, the
second one ends it at once.

Without this, SIGINT cancels the whole run: requests in flight are cut (their writes may be committed,
their answers lost) and nobody learns what was applied. While an apply runs, SIGINT is taken by the event
loop instead and turned into :meth:`Halt.interrupt`; outside it (reading, planning) Ctrl-C stops shelf at
once, which is safe because nothing has been written yet.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from engine.apply import Halt
from engine.output import Output


@contextmanager
def interrupts_halt(halt: Halt, out: Output) -> Iterator[None]:
    """Within the block, Ctrl-C calls ``halt.interrupt()`` and says what happens next, on stderr.

    Must be entered from a coroutine on the main thread; where the loop cannot take signals (Windows,
    another thread) the block runs with Python's default Ctrl-C.
    """
    loop = asyncio.get_running_loop()

    def on_interrupt() -> None:
        halt.interrupt()
        if halt.interrupts == 1:
            out.warn(
                "interrupted: no new change starts; the changes in flight finish "
                f"(at most {halt.grace:.0f} s). Press Ctrl-C again to stop at once."
            )
        elif halt.interrupts == 2:
            out.warn("interrupted again: stopping now; the changes in flight are cut short")

    previous = signal.getsignal(signal.SIGINT)
    try:
        loop.add_signal_handler(signal.SIGINT, on_interrupt)
    except (NotImplementedError, RuntimeError, ValueError):
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        if previous is not None:
            signal.signal(signal.SIGINT, previous)  # asyncio.run's own handler, for what follows
        halt.close()
