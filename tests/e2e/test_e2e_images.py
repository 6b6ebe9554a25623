"""Images end to end: the real CLI, the demo catalog's pictures and the in-process xPage sandbox.

Uploads happen once: a second apply sends nothing, a changed picture is the one upload, and reordering,
renaming or re-describing pictures uploads nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pictures import png, write_png
from support import sandbox_control, sandbox_db, shelf

SOCKS = "images/everyday-socks/pair.png"


def _stats(repo: Path) -> dict[str, Any]:
    """Request counts since the last call."""
    found: dict[str, Any] = sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")
    return found


def _writes(stats: dict[str, Any]) -> dict[str, int]:
    return {route: n for route, n in stats["requests"].items() if not route.startswith("GET")}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not written exactly once in {path.name}"
    path.write_text(text.replace(old, new))


def _applied(repo: Path) -> None:
    result = shelf("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    _stats(repo)


def test_the_first_apply_uploads_every_picture_once_and_the_second_nothing(repo: Path) -> None:
    planned = json.loads(shelf("plan", "--format", "json").stdout)
    uploads = [c for c in planned["changes"] if c["action"] == "upload"]
    pictures = [p for p in (repo / "recipes").rglob("*") if p.suffix in (".png", ".pdf")]
    assert len(uploads) == planned["summary"]["upload"] == len(pictures)
    assert sum(c["size"] for c in uploads) == sum(p.stat().st_size for p in pictures)

    first = shelf("apply", "--auto-approve")
    assert first.exit_code == 0, first.output
    stats = _stats(repo)
    assert stats["upload_bytes"] == sum(p.stat().st_size for p in pictures)
    assert stats["requests"]["POST /product"] == planned["summary"]["create"]

    again = shelf("apply", "--auto-approve")
    assert again.exit_code == 0 and "No changes" in again.stderr
    stats = _stats(repo)
    assert stats["writes"] == 0 and stats["upload_bytes"] == 0
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_changing_one_pictures_bytes_uploads_exactly_that_picture(repo: Path) -> None:
    _applied(repo)
    new = write_png(repo / "recipes" / SOCKS, seed=4242, size=30)
    text = shelf("plan")
    assert f"^ upload image.everyday-socks/pair.png ({len(new)} B)" in text.stderr
    assert f"1 to update, 1 to upload ({len(new)} B)" in text.stderr
    assert "is taken off the product and its file deleted from the shop" in text.stderr
    _applied_result = shelf("apply", "--auto-approve")
    assert _applied_result.exit_code == 0, _applied_result.output
    stats = _stats(repo)
    assert stats["upload_bytes"] == len(new)
    assert _writes(stats) == {"POST /file": 1, "POST /product/{id}/update": 1, "POST /file/{id}": 1}
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_reordering_pictures_is_one_update_and_no_upload(repo: Path) -> None:
    _applied(repo)
    _edit(
        repo / "recipes" / "accessories.yaml",
        "      - images/wool-beanie/charcoal.png\n      - images/wool-beanie/mustard.png\n",
        "      - images/wool-beanie/mustard.png\n      - images/wool-beanie/charcoal.png\n",
    )
    planned = json.loads(shelf("plan", "--format", "json").stdout)
    [change] = planned["changes"]
    assert change["address"] == "product.wool-beanie"
    assert [f["path"] for f in change["fields"]] == ["images.order"]
    assert shelf("apply", "--auto-approve").exit_code == 0
    stats = _stats(repo)
    assert stats["upload_bytes"] == 0 and _writes(stats) == {"POST /product/{id}/update": 1}
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_renaming_a_picture_without_changing_it_uploads_nothing(repo: Path) -> None:
    _applied(repo)
    images = repo / "recipes" / "images" / "everyday-socks"
    (images / "pair.png").rename(images / "a-pair-of-socks.png")
    _edit(repo / "recipes" / "accessories.yaml", SOCKS, "images/everyday-socks/a-pair-of-socks.png")
    result = shelf("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert shelf("apply", "--auto-approve").exit_code == 0
    assert _stats(repo)["writes"] == 0


def test_changing_alt_text_uploads_the_picture_again_and_deletes_the_old_file(repo: Path) -> None:
    """xPage sets alt text only on upload: the picture goes up again with it, takes the old one's place,
    and the old file (shelf's, used by nothing else) is deleted."""
    _applied(repo)
    _edit(
        repo / "recipes" / "home.yaml", "alt: The stonewashed linen weave", "alt: Stonewashed linen up close"
    )
    text = shelf("plan").stderr
    assert '.alt: "The stonewashed linen weave" -> "Stonewashed linen up close"' in text
    assert "1 to upload" in text
    assert "uploaded again to change its alt text" in text and "sets alt text only when a file" in text
    assert shelf("apply", "--auto-approve").exit_code == 0
    stats = _stats(repo)
    assert _writes(stats) == {"POST /file": 1, "POST /product/{id}/update": 1, "POST /file/{id}": 1}
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_a_saved_plan_uploads_the_same_way(repo: Path) -> None:
    direct = json.loads(shelf("plan", "--format", "json").stdout)
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    saved = json.loads((repo / "plan.json").read_text())
    assert [c["address"] for c in saved["changes"]] == [c["address"] for c in direct["changes"]]
    assert all(c["desired"]["kind"] == "product" for c in saved["changes"] if c["action"] == "upload")
    result = shelf("apply", "plan.json")
    assert result.exit_code == 0, result.output
    stats = _stats(repo)
    assert stats["requests"]["POST /product"] == direct["summary"]["create"]
    assert stats["upload_bytes"] == sum(c.get("size") or 0 for c in direct["changes"])
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_two_hundred_products_with_three_pictures_each(tmp_path: Path, monkeypatch: Any) -> None:
    """Each product's leading pictures without alt ride in its create request; only a picture with alt
    (every tenth product has one) costs a request of its own, and one update that places it by id."""
    monkeypatch.chdir(tmp_path)
    lines = ["categories:", "  - {key: home, name: Home}", "products:"]
    with_alt = 0
    for i in range(200):
        names = [f"images/p{i:03d}/{view}.png" for view in ("front", "back", "side")]
        for n, name in enumerate(names):
            write_png(tmp_path / "recipes" / name, seed=i * 3 + n)
        entries = [names[0], names[1], names[2]]
        if i % 10 == 0:
            entries[2] = f"{{file: {names[2]}, alt: Side view}}"
            with_alt += 1
        lines += [f"  - key: p{i:03d}", f"    title: Product {i}", "    category: home", "    price: 10"]
        lines += ["    images:", *(f"      - {entry}" for entry in entries)]
    (tmp_path / "recipes" / "catalog.yaml").write_text("\n".join(lines) + "\n")

    result = shelf("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    stats = _stats(tmp_path)
    assert _writes(stats) == {
        "POST /product": 200,
        "POST /file": with_alt,
        "POST /product/{id}/update": with_alt,
    }
    assert stats["writes"] == 200 + 2 * with_alt
    assert stats["upload_bytes"] == sum(len(png(s)) for s in range(600))
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_picture_too_big_for_xpage_stops_before_any_request(repo: Path) -> None:
    big = repo / "recipes" / SOCKS
    big.write_bytes(png(1) + bytes(6 * 1024 * 1024))
    for command in (["validate"], ["plan"], ["apply", "--auto-approve"]):
        result = shelf(*command)
        assert result.exit_code == 1, result.output
        assert (
            f"recipes/accessories.yaml:42:14: image '{SOCKS}' is 6 MB; xPage takes images of at most 5 MB "
            "(5242880 bytes)"
        ) in result.stderr
        assert "Traceback" not in result.output
    assert not sandbox_db(repo).exists()


def test_a_symlink_out_of_the_repository_stops_before_any_request(repo: Path, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.png"
    outside.write_bytes(png(3))
    picture = repo / "recipes" / SOCKS
    picture.unlink()
    picture.symlink_to(outside)
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = shelf(*command)
        assert result.exit_code == 1, result.output
        assert f"recipes/accessories.yaml:42:14: image '{SOCKS}' is a symlink to {outside}" in result.stderr
        assert "outside the catalog repository" in result.stderr
    assert not sandbox_db(repo).exists()


def test_a_saved_plan_of_a_changed_picture_reads_its_product_and_applies(repo: Path) -> None:
    _applied(repo)
    new = write_png(repo / "recipes" / SOCKS, seed=5151, size=30)
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    _stats(repo)  # reset the counts
    result = shelf("apply", "plan.json")
    assert result.exit_code == 0, result.output
    stats = _stats(repo)
    assert stats["upload_bytes"] == len(new)
    assert _writes(stats) == {"POST /file": 1, "POST /product/{id}/update": 1, "POST /file/{id}": 1}
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
