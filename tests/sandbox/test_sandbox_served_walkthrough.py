"""`shelf sandbox serve` as the README walks through it, over loopback: a real `serve` process, a target
whose base_url points at it, and `shelf apply` with no other step, for xPage (the categories the recipes
name are served, and found) and for Emporix (`--tenant`, and a wrong tenant named as such)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support import shelf

slow = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def _served(repo: Path, *args: str) -> Iterator[int]:
    """`shelf sandbox serve ARGS --port P` run in ``repo`` as its own process, until the block ends."""
    port = _free_port()
    command = [str(Path(sys.executable).parent / "shelf"), "sandbox", "serve", *args, "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, (process.stdout.read() if process.stdout else b"").decode()
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.05)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@slow
def test_the_demo_catalog_applies_to_a_served_xpage_sandbox_without_copying_ids(repo: Path) -> None:
    (repo / "recipes" / "outdoor.yaml").write_text(
        "categories:\n  - key: outdoor\n    name: Outdoor\n"
        "products:\n  - key: camp-mug\n    title: Camp Mug\n    category: outdoor\n"
        "    price: 12.00\n    sku: CAMP-MUG\n"
    )
    with _served(repo, "--platform", "xpage") as port:
        (repo / "shelf.yaml").write_text(
            "recipes: [recipes]\ndefault_target: shop\ntargets:\n  shop:\n    platform: xpage\n"
            f"    base_url: http://127.0.0.1:{port}/api/apps/v1\n    token: ${{XPAGE_TOKEN}}\n"
        )
        env = {"XPAGE_TOKEN": "sandbox"}
        applied = shelf("apply", "--auto-approve", env=env)
        assert applied.exit_code == 0, applied.output
        assert "Apply complete: 38 applied, 0 failed" in applied.stderr
        again = shelf("plan", "--detailed-exitcode", env=env)
        assert again.exit_code == 0, again.output
        assert "No changes" in again.stderr


@slow
def test_a_served_emporix_sandbox_takes_a_tenant_and_names_a_wrong_one(repo: Path) -> None:
    config = (
        "recipes: [recipes]\ndefault_target: eu\ntargets:\n  eu:\n    platform: emporix\n"
        "    base_url: http://127.0.0.1:{port}\n    tenant: {tenant}\n    client_id: sandbox\n"
        "    client_secret: ${{EMPORIX_SECRET}}\n    currency: EUR\n    country: DE\n"
    )
    env = {"EMPORIX_SECRET": "sandbox"}
    for recipe in (repo / "recipes").glob("*.yaml"):
        if recipe.name != "home.yaml":
            recipe.unlink()
    (repo / "recipes" / "home.yaml").write_text(
        "categories:\n  - key: home\n    name: Home\n"
        "products:\n  - key: camp-mug\n    title: Camp Mug\n    category: home\n"
        "    price: 12.00\n    sku: CAMP-MUG\n"
    )
    with _served(repo, "--platform", "emporix", "--tenant", "acme") as port:
        (repo / "shelf.yaml").write_text(config.format(port=port, tenant="acme"))
        applied = shelf("apply", "--auto-approve", env=env)
        assert applied.exit_code == 0, applied.output
        again = shelf("plan", "--detailed-exitcode", env=env)
        assert again.exit_code == 0, again.output

        (repo / "shelf.yaml").write_text(config.format(port=port, tenant="sandbox"))
        wrong = shelf("plan", env=env)
    assert wrong.exit_code == 1
    assert (
        "eu: GET /product/sandbox/products: the credentials are not valid for tenant 'sandbox' (403)"
        " (check this target's tenant: the API key (client_id) belongs to another tenant)" in wrong.stderr
    )
    assert "scope" not in wrong.stderr and "permission" not in wrong.stderr


def test_tenant_is_only_for_emporix(repo: Path) -> None:
    result = shelf("sandbox", "serve", "--platform", "xpage", "--tenant", "acme")
    assert result.exit_code == 1
    assert "--tenant is for --platform emporix" in result.stderr
