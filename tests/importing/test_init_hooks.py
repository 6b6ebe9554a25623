"""The pre-commit hook this repository offers: `shelf validate` on commits that touch YAML."""

from __future__ import annotations

import re

import yaml

from support import PROJECT


def test_the_hook_file_offers_shelf_validate() -> None:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    [hook] = [h for h in hooks if h["id"] == "shelf-validate"]
    assert hook["entry"] == "shelf validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    for name in ("shelf.yaml", "recipes/tees.yaml", "recipes/home.yml"):
        assert pattern.search(name), name
    for name in ("README.md", "images/tee.jpg", "yaml.txt"):
        assert not pattern.search(name), name


def test_the_hook_runs_the_installed_command() -> None:
    scripts = (PROJECT / "pyproject.toml").read_text()
    assert 'shelf = "engine.cli:main"' in scripts
