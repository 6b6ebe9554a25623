"""Helpers for the end-to-end tests: the real CLI in-process and the sandbox as another client sees it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from engine.cli import cli

PROJECT = Path(__file__).resolve().parent.parent
DEMO_RECIPES = PROJECT / "recipes"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def shelf(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Run:
    """Run the real `shelf` command in-process, in the current folder."""
    runner = CliRunner()
    result = runner.invoke(cli, list(args), env=env, input=input, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def sandbox_control(db_path: Path, method: str, path: str, body: Any = None) -> Any:
    """Talk to the in-process xPage sandbox's control API on the same SQLite file the CLI used."""
    from engine.sandbox.xpage.app import create_app

    async def call() -> Any:
        transport = httpx.ASGITransport(app=create_app(db_path))
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            response = await client.request(method, path, json=body)
            response.raise_for_status()
            return response.json() if response.content else None

    return asyncio.run(call())


def xpage_api(db_path: Path, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Call the sandbox's xPage API directly, as another app (not shelf) would."""
    from engine.sandbox.xpage.app import create_app

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(db_path))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://sandbox/api/apps/v1",
            headers={"Authorization": "Bearer sandbox"},
        ) as client:
            response = await client.request(method, path, **kwargs)
            await response.aread()
            return response

    return asyncio.run(call())


def sandbox_db(repo: Path) -> Path:
    return repo / ".shelf" / "sandbox" / "xpage.sqlite"
