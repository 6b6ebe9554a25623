"""The demo catalog applied, then changed the way a merchandiser's pull request changes it: a price, an alt
text, a reordered gallery, a new picture, a removed variant and a product taken out of the recipes (which
prune deactivates on xPage). Shared by the tests of every plan format; not a test itself."""

from __future__ import annotations

from pathlib import Path

from pictures import write_png
from support import shelf

PRUNING = "targets:\n  sandbox:\n    platform: xpage\n    sandbox: true\n    prune: [products]\n"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1))


def _cut_product(path: Path, key: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("  - key: ")]
    for n, start in enumerate(starts):
        if lines[start].strip() == f"- key: {key}":
            end = starts[n + 1] if n + 1 < len(starts) else len(lines)
            path.write_text("".join(lines[:start] + lines[end:]))
            return
    raise AssertionError(f"no product {key} in {path}")


def apply_then_change(repo: Path, config: str = PRUNING, env: dict[str, str] | None = None) -> bytes:
    """Apply the demo catalog to the xPage sandbox (or the target ``config`` names), then edit the
    recipes; the new picture's bytes."""
    (repo / "shelf.yaml").write_text(config)
    applied = shelf("apply", "--auto-approve", env=env)
    assert applied.exit_code == 0, applied.output
    recipes = repo / "recipes"
    accessories = recipes / "accessories.yaml"
    _edit(accessories, "price: 18.00", "price: 19.00")
    _edit(accessories, "alt: The inside pocket}", "alt: The zipped inside pocket}")
    _edit(
        accessories,
        "      - images/wool-beanie/charcoal.png\n      - images/wool-beanie/mustard.png\n",
        "      - images/wool-beanie/mustard.png\n      - images/wool-beanie/charcoal.png\n",
    )
    picture = write_png(recipes / "images" / "everyday-socks" / "rolled.png", seed=41, size=24)
    _edit(accessories, "images: [images/everyday-socks/pair.png]",
          "images: [images/everyday-socks/pair.png, images/everyday-socks/rolled.png]")
    _edit(accessories, 'Size: ["36-39", "40-43", "44-47"]', 'Size: ["36-39", "40-43"]')
    _cut_product(recipes / "apparel.yaml", "zip-hoodie")
    return picture
