"""The broken-recipe corpus: every case fails with exactly the errors its expect.txt lists, at their places.

Each case is a folder under tests/broken/ holding recipes/ (and a shelf.yaml where targets matter) and an
expect.txt of ``file:line:col: message`` lines.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from engine.config import default_config, load_config
from engine.errors import RecipeErrors
from engine.recipes import validate_all

CORPUS = Path(__file__).resolve().parents[1] / "broken"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expect.txt").is_file())


def _expected(case: Path) -> list[str]:
    return [line for line in (case / "expect.txt").read_text().splitlines() if line.strip()]


def test_the_corpus_is_large() -> None:
    assert len(CASES) >= 24


@pytest.mark.parametrize("name", CASES)
def test_broken_case_reports_every_expected_error(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("validating recipes must not open a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    case = tmp_path / name  # a copy: checking images writes a hash cache under the case's .shelf/
    shutil.copytree(CORPUS / name, case, symlinks=True)
    config_file = case / "shelf.yaml"
    config = load_config(config_file, case) if config_file.exists() else default_config(case)

    with pytest.raises(RecipeErrors) as caught:
        validate_all(config)

    rendered = caught.value.render().splitlines()
    expected = _expected(case)
    for line in expected:
        place, _, message = line.partition(": ")
        matching = [r for r in rendered if r.startswith(place + ": ")]
        assert matching, f"no error at {place}; got:\n" + "\n".join(rendered)
        assert any(message in r for r in matching), f"at {place} expected {message!r}; got {matching}"
    assert len(rendered) == len(expected), "errors beyond the expected ones:\n" + "\n".join(rendered)


def test_every_case_error_is_a_recipe_error_with_a_source() -> None:
    case = CORPUS / "several-errors-at-once"
    with pytest.raises(RecipeErrors) as caught:
        validate_all(default_config(case))
    assert len(caught.value.errors) == 5
    assert all(e.where is not None and str(e.where).startswith("recipes/") for e in caught.value.errors)
    assert caught.value.exit_code == 1
