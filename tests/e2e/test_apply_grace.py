"""After the first interrupt, the changes in flight get a bounded time to finish: a shop that stops
answering cannot hold an interrupted apply open. In-process against the xPage sandbox, whose product
creates are made to hang."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from engine.apply import Halt
from engine.config import load_config
from engine.core import apply_plan, open_session, read_and_plan
from engine.sandbox.xpage.app import create_app

from support import sandbox_db


class HangingCreates:
    """Product creates never get an answer; everything else is the sandbox."""

    def __init__(self, app: Any):
        self.app = app
        self.hanging = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].endswith("/product"):
            self.hanging += 1
            await asyncio.Event().wait()
        await self.app(scope, receive, send)


async def test_the_grace_period_cuts_hanging_changes_short(repo: Path) -> None:
    app = HangingCreates(create_app(sandbox_db(repo)))
    config = load_config(None, repo)
    halt = Halt(grace=0.3)

    async def interrupt_once_creates_hang() -> None:
        while not app.hanging:
            await asyncio.sleep(0.01)
        halt.interrupt()

    async with open_session(config, None, transport=httpx.ASGITransport(app=app)) as session:
        plan, _ = await read_and_plan(session)
        interrupter = asyncio.ensure_future(interrupt_once_creates_hang())
        started = time.monotonic()
        report = await apply_plan(session, plan, halt=halt)
        elapsed = time.monotonic() - started
        await interrupter
        halt.close()

    assert elapsed < 5
    counts = report.counts()
    assert report.halted == "interrupted" and not report.verified
    assert counts["applied"] == 0 and counts["cut_short"] == app.hanging >= 1
    assert counts["cut_short"] + counts["not_started"] == len(plan.changes)
    assert report.changed_anything  # a cut-short create may have landed: exit 3, not 1


class HangingReadsLater:
    """Reads hang once ``hang_reads`` is set (after the writes), like a shop that stops answering."""

    def __init__(self, app: Any):
        self.app = app
        self.hang_reads = False
        self.hanging = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self.hang_reads:
            self.hanging += 1
            await asyncio.Event().wait()
        await self.app(scope, receive, send)


async def test_an_interrupt_while_verifying_ends_the_apply_unverified(repo: Path) -> None:
    app = HangingReadsLater(create_app(sandbox_db(repo)))
    config = load_config(None, repo)
    halt = Halt()

    async def interrupt_once_reads_hang() -> None:
        while not app.hanging:
            await asyncio.sleep(0.01)
        halt.interrupt()

    async with open_session(config, None, transport=httpx.ASGITransport(app=app)) as session:
        plan, _ = await read_and_plan(session)
        done: list[object] = []

        def on_done(result: object) -> None:
            done.append(result)
            app.hang_reads = len(done) == len(plan.changes)

        interrupter = asyncio.ensure_future(interrupt_once_reads_hang())
        report = await asyncio.wait_for(apply_plan(session, plan, halt=halt, on_done=on_done), 10)
        await interrupter
        halt.close()

    assert report.counts()["applied"] == len(plan.changes)
    assert report.halted == "interrupted" and not report.verified and not report.not_converged
