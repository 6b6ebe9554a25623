"""SIGKILL at random points of real `shelf apply` processes, then one apply that must converge.

A platform's scenario writes a catalog repository (recipes and a `sandbox: true` target), grows it for
*create* runs (a batch of new products) and changes it for *update* runs (prices, pictures, files,
promotions), and counts what the shop holds twice. The harness starts `shelf apply --auto-approve` as a
child process for each run and kills it with SIGKILL a delay after its first write, drawn from a seeded
generator, so the same seed gives the same kill points (as far as a busy machine's timing allows). The
sandbox runs inside the killed process: a kill stops the client and the shop at once, between or inside
writes (SQLite keeps each committed write and drops a half-done one), which is what a crash of the
machine looks like to the next apply.

After the kills, one apply runs in-process and must exit 0; a plan after it must be empty, and the
scenario's duplicate count must be 0. Nothing here is a test; the `test_e2e_kill_<platform>.py` files
use it.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pictures import minimal_pdf, png
from support import shelf


class Scenario(Protocol):
    platform: str
    target: str

    def write(self, repo: Path) -> None:
        """The first catalog: shelf.yaml and recipes."""

    def grow(self, repo: Path, run: int) -> None:
        """More products for a create run."""

    def change(self, repo: Path, run: int) -> None:
        """Changed products for an update run."""

    def duplicates(self, db: Path) -> dict[str, int]:
        """What the shop holds more than once, by kind (0 each when all is well)."""


class GrowingCatalog:
    """Products ``item-NNN``: two pictures (the second with alt text), every fourth with options (two
    variants), and, where the platform keeps them, a digital file on every third, a promotion per batch
    (on its first product, or on the category ``items`` that holds every product). Create runs add a
    batch; update runs raise every price and give a quarter of the products a new first picture (and a
    new edition of their file)."""

    def __init__(
        self,
        config: str,
        *,
        batch: int,
        files: bool = True,
        promotions: bool = False,
        images: bool = True,
        category: bool = False,
    ):
        self.config = config
        self.batch = batch
        self.files = files
        self.promotions = promotions
        self.images = images
        self.category = category
        self.count = 0
        self.price = 10
        self.editions: dict[int, int] = {}

    @property
    def wanted_images(self) -> int:
        return 2 * self.count if self.images else 0

    @property
    def wanted_files(self) -> int:
        return len([n for n in range(self.count) if n % 3 == 0]) if self.files else 0

    @property
    def wanted_promotions(self) -> int:
        return -(-self.count // self.batch) if self.promotions else 0

    @property
    def wanted_variants(self) -> int:
        return sum(2 if n % 4 == 1 else 1 for n in range(self.count))

    def write(self, repo: Path) -> None:
        (repo / "shelf.yaml").write_text(self.config)
        (repo / "recipes").mkdir(exist_ok=True)

    def grow(self, repo: Path, run: int) -> None:
        self.count += self.batch
        self._write(repo)

    def change(self, repo: Path, run: int) -> None:
        self.price += 1
        for n in range(self.count):
            if n % 4 == run % 4:
                self.editions[n] = run
        self._write(repo)

    def _write(self, repo: Path) -> None:
        lines = ["categories:", "  - {key: items, name: Items}"] if self.category else []
        lines.append("products:")
        for n in range(self.count):
            lines += self._product(repo, n)
        if self.promotions:
            lines.append("promotions:")
            for first in range(0, self.count, self.batch):
                lines += [
                    f"  - key: deal-{first:03}",
                    f"    title: Deal {first}",
                    f"    code: DEAL{first:03}",
                    f"    discount: {{percent: {5 + self.price % 10}}}",
                    "    categories: [items]" if self.category else f"    products: [item-{first:03}]",
                    "    starts_at: 2026-11-27T00:00:00Z",
                    "    ends_at: 2026-11-30T23:59:59Z",
                ]
        (repo / "recipes" / "items.yaml").write_text("\n".join(lines) + "\n")

    def _product(self, repo: Path, n: int) -> list[str]:
        key = f"item-{n:03}"
        edition = self.editions.get(n, 0)
        lines = [f"  - key: {key}", f"    title: Item {n}"]
        if self.category:
            lines.append("    category: items")
        if self.images:
            folder = repo / "recipes" / "images" / key
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "front.png").write_bytes(png(n * 1000 + edition, size=6))
            (folder / "side.png").write_bytes(png(n * 1000 + 500, size=6))
            lines += [
                "    images:",
                f"      - images/{key}/front.png",
                f"      - {{file: images/{key}/side.png, alt: Item {n} from the side}}",
            ]
        if self.files and n % 3 == 0:
            pdf = repo / "recipes" / "files" / f"{key}.pdf"
            pdf.parent.mkdir(parents=True, exist_ok=True)
            pdf.write_bytes(minimal_pdf(f"Item {n}", [f"edition {edition}"]))
            lines += ["    digital: true", f"    files: [files/{key}.pdf]"]
        if n % 4 == 1:
            lines += [
                "    options: {Size: [S, M]}",
                f"    variant_defaults: {{sku: 'ITEM-{n:03}-{{{{ Size }}}}', price: {self.price}.00}}",
            ]
        else:
            lines += [f"    sku: ITEM-{n:03}", f"    price: {self.price}.00"]
        return lines


def count(db: Path, sql: str) -> int:
    """One number from the shop's database."""
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0] or 0)


@dataclass
class Kill:
    run: str
    delay: float
    landed: bool
    writes: int


@dataclass
class Figures:
    kills: list[Kill] = field(default_factory=list)
    final_exit: int = -1
    final_writes: int = 0
    left_to_change: int = -1
    duplicates: dict[str, int] = field(default_factory=dict)

    @property
    def landed(self) -> int:
        """Runs killed after they had sent at least one write."""
        return sum(1 for k in self.kills if k.landed and k.writes > 0)

    @property
    def finished(self) -> int:
        """Runs that ended before their kill."""
        return sum(1 for k in self.kills if not k.landed)


def _command() -> list[str]:
    found = shutil.which("shelf", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "engine"]


def writes(db: Path) -> int:
    """Write requests the sandbox on ``db`` has counted so far."""
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            rows = conn.execute("SELECT route, n FROM sandbox_request_counts").fetchall()
        except sqlite3.OperationalError:
            return 0
    return sum(n for route, n in rows if not str(route).startswith("GET"))


def killed_apply(
    repo: Path, target: str, db: Path, delay: float, env: dict[str, str] | None = None
) -> bool:
    """Start `shelf apply` in ``repo``, wait for its first write to reach the shop on ``db``, and SIGKILL
    it ``delay`` seconds later; False when it ended first. Counting from the first write puts every kill
    among the writes, whatever the time the process takes to start, read and plan on a busy machine."""
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    environment.pop("GITHUB_ACTIONS", None)
    before = writes(db)
    process = subprocess.Popen(
        [*_command(), "apply", "--auto-approve", "--target", target],
        cwd=repo,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while writes(db) == before and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        return True


def run_kills(
    scenario: Scenario,
    repo: Path,
    *,
    kills: int,
    seed: int,
    delays: tuple[float, float],
    env: dict[str, str] | None = None,
    before_final: Callable[[], None] | None = None,
) -> Figures:
    """Applies alternating create runs and update runs, each killed among its writes, until ``kills``
    of them were killed (a run that ends before its kill is counted, not killed: at most ``3 * kills``
    runs); then the converging apply."""
    scenario.write(repo)
    db = repo / ".shelf" / "sandbox" / f"{scenario.platform}.sqlite"
    draw = random.Random(seed)
    figures = Figures()
    for n in range(3 * kills):
        if sum(1 for k in figures.kills if k.landed) >= kills:
            break
        kind = "create" if n % 2 == 0 else "update"
        if kind == "create":
            scenario.grow(repo, n)
        else:
            scenario.change(repo, n)
        delay = round(draw.uniform(*delays), 3)
        before = writes(db)
        landed = killed_apply(repo, scenario.target, db, delay, env)
        figures.kills.append(Kill(kind, delay, landed, writes(db) - before))
        time.sleep(0.05)
    if before_final is not None:
        before_final()
    before = writes(db)
    final = shelf("apply", "--auto-approve", "--target", scenario.target, env=env)
    figures.final_exit = final.exit_code
    figures.final_writes = writes(db) - before
    if final.exit_code != 0:
        raise AssertionError(final.output)
    again = shelf("plan", "--detailed-exitcode", "--target", scenario.target, env=env)
    figures.left_to_change = again.exit_code
    if again.exit_code != 0:
        raise AssertionError(again.output)
    figures.duplicates = scenario.duplicates(db)
    return figures


def report(platform: str, figures: Figures, items: int) -> str:
    """One line of figures, printed by the tests (``pytest -s`` shows it); ``items``: the catalog's
    products (or licences) at the end."""
    kinds = {k: sum(1 for x in figures.kills if x.run == k and x.landed) for k in ("create", "update")}
    return (
        f"{platform}, {items} items: {kinds['create'] + kinds['update']} kills"
        f" ({kinds['create']} in create runs,"
        f" {kinds['update']} in update runs, {figures.landed} after a write; {figures.finished} runs ended"
        f" before their kill), 1 apply to converge ({figures.final_writes} writes), duplicates"
        f" {figures.duplicates}"
    )
