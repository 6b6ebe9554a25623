"""`shelf sandbox serve --faults PROFILE --latency MS`: a bad profile is one error naming its file and
field; a served sandbox that fails at random still takes the demo catalog in one `shelf apply`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from support import shelf

PROFILE = """\
# what a flaky shop does
rates:
  5xx: 0.1
  "429": 0.05
  lost: 0.05
  drop: 0.02
seed: 11
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def _served(repo: Path, *args: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`shelf sandbox serve ARGS --port P` as its own process, until the block ends."""
    port = _free_port()
    command = [str(Path(sys.executable).parent / "shelf"), "sandbox", "serve", *args, "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, (process.stdout.read() if process.stdout else b"").decode()
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.05)
        yield port, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("rates:\n  5xx: 0.1\n  lost: 3\n", "profile.yaml:3:9: fault profile field rates.lost: must be at"),
        ("rates: {5xx: 0.1}\nseeed: 4\n", "profile.yaml:2:1: fault profile field seeed: unknown field"),
        ('{"rates": {"slow": 0.5, "drop": 0.6}}', "profile.yaml:1:11: fault profile field rates: add up to"),
        ("rates: [0.1\n", "profile.yaml:1:8: YAML syntax error"),
    ],
)
def test_a_bad_profile_is_one_error_naming_file_and_field(repo: Path, text: str, said: str) -> None:
    (repo / "profile.yaml").write_text(text)
    run = shelf("sandbox", "serve", "--platform", "xpage", "--port", "0", "--faults", "profile.yaml")
    assert run.exit_code == 1, run.output
    assert said in run.stderr, run.stderr
    assert "Traceback" not in run.output and run.stdout == ""


def test_an_inline_profile_and_a_missing_file_are_named_too(repo: Path) -> None:
    inline = shelf("sandbox", "serve", "--platform", "partner", "--faults", '{"rates": {"5xx": "often"}}')
    assert inline.exit_code == 1
    assert "--faults:1:19: fault profile field rates.5xx: must be a number" in inline.stderr, inline.stderr
    missing = shelf("sandbox", "serve", "--platform", "partner", "--faults", "nowhere.yaml")
    assert missing.exit_code == 1 and "nowhere.yaml:1:1: cannot read the fault profile" in missing.stderr


@pytest.mark.slow  # a server process and the retries' backoff: about 8 s
def test_a_served_sandbox_with_a_profile_takes_the_catalog_in_one_apply(repo: Path) -> None:
    (repo / "flaky.yaml").write_text(PROFILE)
    with _served(repo, "--platform", "xpage", "--faults", "flaky.yaml", "--latency", "2") as (port, _):
        root = f"http://127.0.0.1:{port}"
        shown = httpx.get(f"{root}/_sandbox/faults/profile").json()
        assert shown["rates"]["5xx"] == 0.1 and shown["seed"] == 11 and shown["latency_ms"] == 2
        (repo / "shelf.yaml").write_text(
            "recipes: [recipes]\ndefault_target: shop\ntargets:\n  shop:\n    platform: xpage\n"
            f"    base_url: {root}/api/apps/v1\n    token: ${{XPAGE_TOKEN}}\n"
        )
        env = {"XPAGE_TOKEN": "sandbox"}
        applied = shelf("apply", "--auto-approve", env=env)
        assert applied.exit_code == 0, applied.output
        again = shelf("plan", "--detailed-exitcode", env=env)
        assert again.exit_code == 0, again.output

        requests = httpx.get(f"{root}/_sandbox/stats").json()["requests"]
        assert sum(requests.values()) > 40  # enough requests that the profile had its say
        assert httpx.delete(f"{root}/_sandbox/faults/profile").status_code == 204
        api = httpx.Client(base_url=f"{root}/api/apps/v1", headers={"Authorization": "Bearer sandbox"})
        products = api.get("/product", params={"page_size": 200}).json()["data"]["products"]
        files = api.get("/file", params={"page_size": 200}).json()["data"]["files"]
        titles = Counter(p["title"] for p in products)
        assert len(products) == 13 and max(titles.values()) == 1, titles
        names = Counter(f["name"] for f in files)
        assert names and max(names.values()) == 1, names
