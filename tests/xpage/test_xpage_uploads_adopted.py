"""A file shelf uploaded is never uploaded again: when the product update that was to place it fails (or
the process dies before it), the next apply finds the file by the content hash in its stored name and
places that one, with no second upload and no second copy in the shop."""

from __future__ import annotations

import json
from hashlib import sha256
from pathlib import Path
from typing import Any

from pictures import write_png
from support import sandbox_control, sandbox_db, shelf, xpage_api

SOCKS = "recipes/images/everyday-socks/pair.png"
GUIDE = "recipes/files/capsule-wardrobe-guide.pdf"


def _stats(repo: Path) -> dict[str, Any]:
    found: dict[str, Any] = sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")
    return found


def shop_files(repo: Path) -> list[dict[str, Any]]:
    """Every file in the shop, as another app would list it."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = xpage_api(sandbox_db(repo), "GET", "/file", params={"page": page, "page_size": 200})
        assert answer.status_code == 200, answer.text
        body = answer.json()["data"]
        found += body["files"]
        if page >= body["pagination"]["last_page"]:
            return found
        page += 1


def _copies(repo: Path, marker: str) -> int:
    return sum(1 for f in shop_files(repo) if f".{marker}." in f["name"])


def _failing_update(repo: Path) -> None:
    """The next product update is refused (as a shop that rejects it would), after its uploads went up."""
    fault = {"route": "POST /product/{id}/update", "status": 422, "times": 1}
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/faults", fault)


def _converged(repo: Path) -> None:
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_an_image_uploaded_before_a_failed_update_is_placed_not_uploaded_again(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    new = write_png(repo / SOCKS, seed=777, size=24)
    planned = json.loads(shelf("plan", "--format", "json").stdout)
    assert [c["address"] for c in planned["changes"] if c["action"] == "upload"] == [
        "image.everyday-socks/pair.png"
    ]
    _failing_update(repo)
    failed = shelf("apply", "--auto-approve")
    assert failed.exit_code == 3, failed.output
    _stats(repo)

    text = shelf("plan").stderr
    assert "^ upload" not in text and "images: + pair.png" in text, text
    elsewhere = shelf("plan", "--exclude", "product.everyday-socks").stderr
    assert "orphan." not in elsewhere, elsewhere  # left out of the plan, still the product's file
    retried = shelf("apply", "--auto-approve")
    assert retried.exit_code == 0, retried.output
    stats = _stats(repo)
    assert stats["upload_bytes"] == 0 and "POST /file" not in stats["requests"]
    assert _copies(repo, sha256(new).hexdigest()[:12]) == 1
    _converged(repo)


def test_a_digital_file_uploaded_before_a_failed_update_is_placed_not_uploaded_again(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    guide = repo / GUIDE
    changed = guide.read_bytes().replace(b"%%EOF", b"% second edition\n%%EOF")
    guide.write_bytes(changed)
    _failing_update(repo)
    assert shelf("apply", "--auto-approve").exit_code == 3
    _stats(repo)

    retried = shelf("apply", "--auto-approve")
    assert retried.exit_code == 0, retried.output
    stats = _stats(repo)
    assert stats["upload_bytes"] == 0 and "POST /file" not in stats["requests"]
    assert _copies(repo, sha256(changed).hexdigest()[:12]) == 1
    _converged(repo)
