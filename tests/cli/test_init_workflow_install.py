"""The workflow `shelf init` writes installs this project (under its own distribution name, pinned to the
version that wrote it) and hands credentials only to the steps that talk to a shop.

The install step's script is run with a stand-in `python` on PATH, so what it would install is observed,
not read off its spelling. The distribution's name and version come from pyproject.toml and the installed
metadata, never from a literal here.
"""

from __future__ import annotations

import importlib.metadata
import os
import stat
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

import engine
from engine.importing.scaffold import scaffold_files

from support import PROJECT

CREDENTIALS = ("secrets.", "github.token")
SHOP = ("plan", "apply")


def _project_name() -> str:
    name: str = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    return name


def _workflow() -> dict[str, Any]:
    [text] = [f.text for f in scaffold_files() if f.path == ".github/workflows/shelf.yml"]
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def test_the_distribution_name_is_the_installed_one() -> None:
    name = _project_name()
    assert name != "shelf"  # an unrelated project on the package index
    assert name == engine.DISTRIBUTION
    assert importlib.metadata.version(name) == engine.__version__
    scripts = {ep.name: ep.value for ep in importlib.metadata.distribution(name).entry_points}
    assert scripts["shelf"] == "engine.cli:main"


def _run_install(tmp_path: Path, job: str, spec: str) -> list[str]:
    """The job's install step, run as Actions runs a bash step, with SHELF_PIP_SPEC as GitHub would set
    it (an unset repository variable is the empty string); the arguments `python` was called with."""
    [step] = [s for s in _workflow()["jobs"][job]["steps"] if s.get("name") == "Install shelf"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "python"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    args_file = tmp_path / "args.txt"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "ARGS_FILE": str(args_file), "SHELF_PIP_SPEC": spec}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert "SHELF_PIP_SPEC" in step["env"] and "vars.SHELF_PIP_SPEC" in step["env"]["SHELF_PIP_SPEC"]
    return args_file.read_text().splitlines()


@pytest.mark.parametrize("job", ["plan", "apply", "drift"])
def test_the_install_step_installs_this_distribution_at_this_version(tmp_path: Path, job: str) -> None:
    expected = f"{_project_name()}=={importlib.metadata.version(_project_name())}"
    assert _run_install(tmp_path, job, "") == ["-m", "pip", "install", expected]


def test_the_repository_variable_overrides_what_is_installed(tmp_path: Path) -> None:
    spec = "git+https://github.com/acme/shelf@v9.9.9"
    assert _run_install(tmp_path, "apply", spec) == ["-m", "pip", "install", spec]


def _mentions_credentials(value: Any) -> bool:
    text = yaml.safe_dump(value) if not isinstance(value, str) else value
    return any(marker in text for marker in CREDENTIALS)


def test_only_the_plan_and_apply_steps_see_secrets() -> None:
    workflow = _workflow()
    assert not _mentions_credentials(workflow.get("env", {}))
    for name, job in workflow["jobs"].items():
        assert not _mentions_credentials(job.get("env", {})), name
        steps = job["steps"]
        talks = [i for i, s in enumerate(steps) if any(f"shelf {c} " in s.get("run", "") for c in SHOP)]
        assert talks, f"job {name} runs neither shelf plan nor shelf apply"
        for step in steps[: talks[0]]:
            assert not _mentions_credentials(step), f"{name}: step {step.get('name')!r} sees a credential"
        for index in talks:
            assert "${{ secrets.XPAGE_TOKEN }}" in steps[index]["env"]["XPAGE_TOKEN"]
        for step in steps:
            assert not _mentions_credentials(step.get("run", "")), "a credential written into a script"
