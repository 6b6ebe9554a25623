"""The provider against the emulator's other readings of the answers (PascalCase names, a bare list of
orders): ordering, planning and updating work the same, and a second plan is empty."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from engine.config import load_config
from engine.core import apply_plan, open_session, read_and_plan
from engine.plan.model import Action
from engine.sandbox.appxite.app import create_app

from appxite_support import CONFIG, write_catalog


@pytest.mark.parametrize(("answers", "envelope"), [("camel", True), ("pascal", False)])
async def test_the_provider_reads_either_answer_shape(tmp_path: Path, answers: str, envelope: bool) -> None:
    (tmp_path / "shelf.yaml").write_text(CONFIG)
    write_catalog(tmp_path)
    app = create_app(tmp_path / "a.sqlite", answers=answers, orders_envelope=envelope, provision_delay=0)
    config = load_config(tmp_path / "shelf.yaml", tmp_path)
    lines: list[str] = []

    async def run() -> list[Action]:
        transport = httpx.ASGITransport(app=app)
        async with open_session(config, None, transport=transport) as session:
            plan, _ = await read_and_plan(session)
            report = await apply_plan(session, plan, wait=5, progress=lines.append)
            assert report.ok, report
            again, _ = await read_and_plan(session)
            assert again.empty, again.changes
        return [c.action for c in plan.changes]

    assert await run() == [Action.CREATE, Action.CREATE]
    write_catalog(tmp_path, seats=30)
    config = load_config(tmp_path / "shelf.yaml", tmp_path)
    assert await run() == [Action.UPDATE]
    assert "subscription.m365: provision_finished after 0 s" in lines
