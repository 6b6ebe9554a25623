"""Benchmark runner: every platform, catalog size and phase, measured from outside, as one Markdown table.

For each platform it generates a catalog (products with 2 options and 12 variants, from ``catalog.py``;
for AppXite, subscriptions from ``licences.py``), starts the platform's emulator as a process of
its own on loopback (``emulator.py``), and runs the real ``shelf`` command as a child process for each
phase: first apply, no-op plan, one change (a price; AppXite: a seat count) and, with ``--images``, one
changed picture. Each row gives:

* requests, from the emulator's own counts, against the fewest the API allows (``minimum.py``);
* wall time against the latency floor, requests x latency / concurrency;
* shelf's CPU (user + system) and peak resident memory, from ``wait4`` on its process, start-up included;
* the emulator's CPU over the phase, from ``/proc/<pid>/stat`` (Linux).

``shelf validate`` runs on recipes alone (no emulator) at ``--validate-sizes``. Two processes keep the
two CPU figures apart without guessing: in one process, the emulator's work and shelf's interleave on
one event loop, and thread CPU clocks cannot tell them apart.

    python benchmarks/run.py [--platforms xpage,emporix,partner,appxite] [--sizes 1000,10000]
        [--validate-sizes 1000,10000,100000] [--latency MS] [--concurrency N] [--images K]
        [--out FILE] [--readme]

``--readme`` rewrites the table at the top of ``benchmarks/README.md``. The exit code is 1 when a
shelf command failed (a wrong exit code), so a small run in CI keeps the runner from rotting.
"""

from __future__ import annotations

import argparse
import os
import platform as host
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import minimum
from catalog import write_catalog
from licences import organization_ids, write_subscriptions

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from pictures import write_png  # noqa: E402  (the tests' pure-Python PNG writer)

PLATFORMS = ("xpage", "emporix", "partner", "appxite")
NAMES = {"xpage": "xPage", "emporix": "Emporix", "partner": "Partner API", "appxite": "AppXite"}
VENDORS = ("vendor-marina", "vendor-downtown")
ORGANIZATIONS = 10
CATEGORIES = 10
SECRET = "sandbox"  # the sandboxes' own token, client secret and subscription key, passed by environment
ENV = {"SHELF_BENCH_TOKEN": SECRET, "SHELF_BENCH_SECRET": SECRET, "SHELF_BENCH_KEY": SECRET}
START, END = "<!-- runner-table:start -->", "<!-- runner-table:end -->"


@dataclass
class Row:
    platform: str
    size: int
    phase: str
    wall: float
    shelf_cpu: float
    shelf_rss: int
    requests: int | None = None
    minimum: int | None = None
    floor: float | None = None
    emulator_cpu: float | None = None
    failure: str = ""


@dataclass
class Run:
    """What one shelf command cost, seen from outside its process."""

    code: int
    wall: float
    cpu: float
    rss: int
    stderr: str


def run_shelf(root: Path, *arguments: str) -> Run:
    """``shelf -c ROOT/shelf.yaml ARGUMENTS`` as a child process; its own rusage comes from ``wait4``."""
    command = [sys.executable, "-m", "engine", "-q", "-c", str(root / "shelf.yaml"), *arguments]
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=root, env={**os.environ, **ENV}, stdout=subprocess.DEVNULL,
                                 stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Run(child.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, stderr)


class Emulator:
    """A platform's sandbox in its own process on loopback (``emulator.py``)."""

    def __init__(self, platform: str, db: Path, latency: float, categories: Sequence[str] = ()):
        command = [sys.executable, str(HERE / "emulator.py"), "--platform", platform, "--db", str(db),
                   "--latency", str(latency), *(f"--category={name}" for name in categories)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if line[:1] != ["port"]:
            self.close()
            raise RuntimeError(f"the {platform} emulator did not start")
        self.url = f"http://127.0.0.1:{line[1]}"
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def cpu(self) -> float:
        """Seconds of CPU (user + system) the emulator's process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def take_counts(self) -> int:
        """Requests the API routes received since the last call (control routes are not counted)."""
        answer = self.client.get("/_sandbox/stats")
        answer.raise_for_status()
        self.client.post("/_sandbox/stats/reset").raise_for_status()
        return sum(answer.json()["requests"].values())

    def control(self, path: str, body: dict[str, Any]) -> None:
        self.client.post(path, json=body).raise_for_status()

    def close(self) -> None:
        if hasattr(self, "client"):
            self.client.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a request still in flight keeps uvicorn from stopping
            self.process.kill()
            self.process.wait()


def target(platform: str, url: str, concurrency: int) -> str:
    """The benchmark target in shelf.yaml: the served emulator, secrets from the environment."""
    settings = {
        "xpage": [f"base_url: {url}/api/apps/v1", "token: ${SHELF_BENCH_TOKEN}"],
        "emporix": [f"base_url: {url}", "tenant: sandbox", "client_id: sandbox",
                    "client_secret: ${SHELF_BENCH_SECRET}", "currency: EUR", "country: DE"],
        "partner": [f"base_url: {url}", "chain_id: sandbox", "token: ${SHELF_BENCH_TOKEN}",
                    f"vendors: [{', '.join(VENDORS)}]", "locales: {en: en_AE}",
                    "image_base_url: https://cdn.example.com/catalog/",
                    "rate_limit: 1000000"],
        "appxite": [f"base_url: {url}", "subscription_key: ${SHELF_BENCH_KEY}", "client_id: sandbox",
                    "client_secret: ${SHELF_BENCH_SECRET}", "referer: https://portal.example.com"],
    }[platform]
    lines = [f"platform: {platform}", *settings, f"concurrency: {concurrency}"]
    return "recipes: [recipes]\ndefault_target: bench\ntargets:\n  bench:\n" + "".join(
        f"    {line}\n" for line in lines
    )


def shape(platform: str, size: int, images: int) -> minimum.Shape:
    if platform == "appxite":
        return minimum.Shape(subscriptions=size, organizations=ORGANIZATIONS)
    return minimum.Shape(products=size, variants=12, images=images, categories=CATEGORIES,
                         vendors=len(VENDORS))


def change_one(platform: str, root: Path, size: int) -> None:
    """One product's price (item 1, whose price only it has), or one subscription's seat count."""
    if platform == "appxite":
        write_subscriptions(root, size, ORGANIZATIONS, more_seats=1)
        return
    recipe = root / "recipes" / "products-0000.yaml"
    recipe.write_text(recipe.read_text().replace("price: 11.50", "price: 11.75", 1))


def change_picture(root: Path) -> None:
    write_png(root / "recipes" / "images" / "item-000002" / "view-0.png", seed=10**6, size=8)


def bench_platform(platform: str, size: int, args: argparse.Namespace) -> list[Row]:
    root = Path(tempfile.mkdtemp(prefix=f"shelf-run-{platform}-"))
    rows: list[Row] = []
    emulator: Emulator | None = None
    try:
        images = args.images if platform != "appxite" else 0
        if platform == "appxite":
            write_subscriptions(root, size, ORGANIZATIONS)
            categories: list[str] = []
        else:
            write_catalog(root, size, images=images, categories=CATEGORIES)
            categories = [f"Category {n}" for n in range(CATEGORIES)]
        emulator = Emulator(platform, root / "emulator.sqlite", args.latency, categories)
        if platform == "appxite":
            for n, org in enumerate(organization_ids(ORGANIZATIONS)):
                emulator.control("/_sandbox/organizations", {"id": org, "name": f"Organization {n}"})
        (root / "shelf.yaml").write_text(target(platform, emulator.url, args.concurrency))
        floor_shape = shape(platform, size, images)
        phases: list[tuple[str, tuple[str, ...], Any]] = [
            (minimum.FIRST_APPLY, ("apply", "--auto-approve"), None),
            (minimum.NOOP_PLAN, ("plan", "--detailed-exitcode"), None),
            (minimum.ONE_CHANGE, ("apply", "--auto-approve"), lambda: change_one(platform, root, size)),
        ]
        if images and platform in ("xpage", "emporix"):
            phases.append((minimum.ONE_IMAGE, ("apply", "--auto-approve"), lambda: change_picture(root)))
        for phase, command, edit in phases:
            if edit is not None:
                edit()
            cpu_before = emulator.cpu()
            run = run_shelf(root, *command)
            requests = emulator.take_counts()
            row = Row(NAMES[platform], size, phase, run.wall, run.cpu, run.rss, requests=requests,
                      minimum=minimum.total(platform, phase, floor_shape),
                      floor=requests * args.latency / 1000 / args.concurrency if args.latency else None,
                      emulator_cpu=emulator.cpu() - cpu_before)
            rows.append(row)
            if run.code != 0:
                row.failure = f"exit {run.code}"
            print(render_row(row), file=sys.stderr, flush=True)
            if row.failure:
                print(run.stderr[-2000:], file=sys.stderr)
                break
    finally:
        if emulator is not None:
            emulator.close()
        shutil.rmtree(root, ignore_errors=True)
    return rows


def bench_validate(size: int) -> Row:
    root = Path(tempfile.mkdtemp(prefix="shelf-run-validate-"))
    try:
        write_catalog(root, size, categories=CATEGORIES)
        run = run_shelf(root, "validate")
        row = Row("recipes", size, "validate", run.wall, run.cpu, run.rss)
        if run.code != 0:
            row.failure = f"exit {run.code}"
        print(render_row(row), file=sys.stderr, flush=True)
        if row.failure:
            print(run.stderr[-2000:], file=sys.stderr)
        return row
    finally:
        shutil.rmtree(root, ignore_errors=True)


HEADER = (
    "| platform | size | phase | requests | minimum | wall | latency floor | shelf CPU | shelf peak RSS "
    "| emulator CPU |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def render_row(row: Row) -> str:
    requests = "-" if row.requests is None else f"{row.requests:,}"
    floor = "-" if row.minimum is None else f"{row.minimum:,}"
    wall = _seconds(row.wall) + (f" ({row.failure})" if row.failure else "")
    return (
        f"| {row.platform} | {row.size:,} | {row.phase} | {requests} | {floor} | {wall} "
        f"| {_seconds(row.floor)} | {_seconds(row.shelf_cpu)} | {row.shelf_rss / 2**20:,.0f} MiB "
        f"| {_seconds(row.emulator_cpu)} |"
    )


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")
    load = f"load average {os.getloadavg()[0]:.1f} at the start" if hasattr(os, "getloadavg") else ""
    return f"{os.cpu_count()} cores{', ' + model if model else ''}, Python {host.python_version()}, {load}"


def table(rows: Sequence[Row], args: argparse.Namespace, argv: Sequence[str], where: str) -> str:
    shown = [a for i, a in enumerate(argv) if a != "--out" and (i == 0 or argv[i - 1] != "--out")]
    command = shlex.join(["python", "benchmarks/run.py", *shown])
    intro = (
        f"`{command}` on {date.today().isoformat()}, {where}; latency {args.latency:g} ms, "
        f"concurrency {args.concurrency}:"
    )
    return "\n".join([intro, "", HEADER, *(render_row(r) for r in rows)]) + "\n"


def write_readme(text: str) -> None:
    readme = HERE / "README.md"
    current = readme.read_text(encoding="utf-8")
    if START in current and END in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1]
    else:
        title, _, after = current.partition("\n")
        before, after = title + "\n\n", "\n" + after
    readme.write_text(f"{before}{START}\n{text}{END}{after}", encoding="utf-8")


def sizes(text: str) -> list[int]:
    return [int(part.replace("_", "").replace("k", "000")) for part in text.split(",") if part]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platforms", default=",".join(PLATFORMS), help="comma-separated (default: all)")
    parser.add_argument("--sizes", type=sizes, default=[1000, 10000],
                        help="catalog sizes against the emulators (default 1000,10000)")
    parser.add_argument("--validate-sizes", type=sizes, default=[1000, 10000, 100000],
                        help="catalog sizes for `shelf validate` (default 1000,10000,100000; '' for none)")
    parser.add_argument("--latency", type=float, default=0.0, help="milliseconds every answer waits")
    parser.add_argument("--concurrency", type=int, default=16, help="the target's changes at once")
    parser.add_argument("--images", type=int, default=0, help="pictures per product (adds a picture phase)")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    parser.add_argument("--readme", action="store_true", help="rewrite the table in benchmarks/README.md")
    args = parser.parse_args(argv)
    chosen = [p.strip() for p in args.platforms.split(",") if p.strip()]
    unknown = sorted(set(chosen) - set(PLATFORMS))
    if unknown:
        parser.error(f"unknown platform(s) {', '.join(unknown)}; choose from {', '.join(PLATFORMS)}")
    where = machine()  # before the run loads the machine itself
    rows: list[Row] = [bench_validate(size) for size in args.validate_sizes]
    for platform in chosen:
        for size in args.sizes:
            rows += bench_platform(platform, size, args)
    text = table(rows, args, argv, where)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if args.readme:
        write_readme(text)
    return 1 if any(row.failure for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
