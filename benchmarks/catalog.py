"""Generated catalogs of any size, for benchmarks and for the tests that need many products.

``write_catalog(root, products)`` writes a catalog repository under ``root``: a ``shelf.yaml`` naming one
sandbox target, ``recipes/categories.yaml``, and the products spread over ``recipes/products-NNNN.yaml``
files of ``per_file`` products each (a repository of that size keeps its recipes in many files, and a
repeat run after a one-file change is measured against that). Every product has ``options`` options
whose value counts multiply to ``variants`` (12 = 4 x 3), its own SKU template (so no two products share
a template source, the case that defeats a cache of compiled templates), a price, a description, a
property and a category; ``images`` small PNGs each, written once and dated an hour back, as a
checkout's files are.

Run as a script to write one: ``python benchmarks/catalog.py DIR --products 10000``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

OPTION_NAMES = ("Size", "Color", "Material", "Fit", "Length", "Finish")
VALUE_NAMES = (
    ("S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL", "6XL", "7XL", "8XL", "9XL"),
    ("Black", "White", "Red", "Blue", "Green", "Grey", "Navy", "Olive", "Sand", "Pink", "Teal", "Gold"),
)
AN_HOUR_AGO = time.time() - 3600


def value_counts(options: int, variants: int) -> list[int]:
    """How many values each option gets so that their product is ``variants``: the largest factors first
    (12 over 2 options is 4 x 3; a prime count leaves the other options one value each)."""
    counts: list[int] = []
    left = max(variants, 1)
    for remaining in range(options, 0, -1):
        if remaining == 1:
            counts.append(left)
            break
        ceiling = math.ceil(left ** (1 / remaining) - 1e-9)
        share = next(d for d in range(ceiling, 0, -1) if left % d == 0)
        counts.append(share)
        left //= share
    return sorted(counts, reverse=True)


def option_values(option: int, count: int) -> list[str]:
    """``count`` distinct values for the option at position ``option``."""
    if option < len(VALUE_NAMES) and count <= len(VALUE_NAMES[option]):
        return list(VALUE_NAMES[option][:count])
    return [f"{OPTION_NAMES[option % len(OPTION_NAMES)][:3].upper()}{n + 1}" for n in range(count)]


def write_catalog(
    root: Path,
    products: int,
    options: int = 2,
    values: int | None = None,
    images: int = 0,
    *,
    variants: int = 12,
    per_file: int = 1000,
    categories: int = 10,
) -> list[Path]:
    """Write a catalog of ``products`` products under ``root``; the recipe files written.

    ``options`` options per product (0: simple products with a top-level price and SKU); ``values``
    values per option when given (then each product has ``values ** options`` variants), else value
    counts whose product is ``variants``; ``images`` PNGs per product; ``per_file`` products per recipe
    file; ``categories`` categories the products are spread over.
    """
    recipes = root / "recipes"
    recipes.mkdir(parents=True, exist_ok=True)
    (root / "shelf.yaml").write_text(
        "recipes: [recipes]\ndefault_target: sandbox\ntargets:\n  sandbox:\n    platform: xpage\n"
        "    sandbox: true\n",
        encoding="utf-8",
    )
    lines = ["categories:"]
    for c in range(categories):
        lines += [f"  - key: category-{c:02d}", f"    name: Category {c}"]
    (recipes / "categories.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = [values] * options if values is not None else value_counts(options, variants)
    option_lines = [
        f"      {OPTION_NAMES[n % len(OPTION_NAMES)]}{'' if n < len(OPTION_NAMES) else n}: "
        f"[{', '.join(option_values(n, count))}]"
        for n, count in enumerate(counts)
    ]
    names = [line.split(":")[0].strip() for line in option_lines]
    sku_tail = "".join(f"-{{{{ {name} }}}}" for name in names)
    written: list[Path] = []
    for start in range(0, products, per_file):
        out = ["products:"]
        for i in range(start, min(start + per_file, products)):
            out += [
                f"  - key: item-{i:06d}",
                f"    title: Item {i}",
                f"    description: Generated product number {i}.",
                f"    category: category-{i % max(categories, 1):02d}",
                "    properties: {Material: Cotton}",
            ]
            if images:
                out += ["    images:", *(f"      - {e}" for e in _pictures(recipes, i, images))]
            if not counts:
                out += [f"    sku: ITEM-{i:06d}", f"    price: {10 + i % 90}.50"]
                continue
            out += [
                "    options:",
                *option_lines,
                "    variant_defaults:",
                f'      sku: "ITEM-{i:06d}{sku_tail}"',
                f"      price: {10 + i % 90}.50",
                "      stock: 5",
            ]
        path = recipes / f"products-{start // per_file:04d}.yaml"
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        written.append(path)
    return [recipes / "categories.yaml", *written]


def _pictures(recipes: Path, product: int, count: int) -> list[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from pictures import write_png  # the tests' pure-Python PNG writer

    refs = []
    for n in range(count):
        ref = f"images/item-{product:06d}/view-{n}.png"
        path = recipes / ref
        write_png(path, seed=product * count + n, size=8)
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
        refs.append(ref)
    return refs


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a generated catalog repository.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--products", type=int, required=True)
    parser.add_argument("--options", type=int, default=2)
    parser.add_argument("--values", type=int, default=None, help="values per option")
    parser.add_argument("--variants", type=int, default=12, help="variants per product (default 12)")
    parser.add_argument("--images", type=int, default=0)
    parser.add_argument("--per-file", type=int, default=1000)
    args = parser.parse_args()
    files = write_catalog(
        args.root,
        args.products,
        args.options,
        args.values,
        args.images,
        variants=args.variants,
        per_file=args.per_file,
    )
    print(f"wrote {len(files)} recipe files under {args.root / 'recipes'}")


if __name__ == "__main__":
    main()
