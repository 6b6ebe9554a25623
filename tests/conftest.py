"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import DEMO_RECIPES


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A catalog repository holding a copy of the demo recipes (no shelf.yaml: the defaults apply)."""
    shutil.copytree(DEMO_RECIPES, tmp_path / "recipes")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    yield tmp_path
