"""One platform's sandbox served on loopback, in a process of its own, for the benchmark runner.

The runner measures shelf's CPU and the emulator's apart, which is simplest and truest when they are two
processes: the runner reads this one's CPU time from ``/proc/<pid>/stat``. Unlike ``shelf sandbox
serve``, it switches off what would measure the platform's limits instead of shelf: the Partner API's
60-a-minute block and AppXite's provisioning time (0 here: an order is done by its first poll). Every
answer is ``--latency`` milliseconds late (the sandboxes' own ``latency_ms``).

    python benchmarks/emulator.py --platform xpage --db shop.sqlite [--latency 20] [--category NAME]...

It prints ``port N`` once it listens, then serves until stopped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.sandbox.registry import SANDBOX_PLATFORMS, sandbox_app
from engine.sandbox.server import serve

WITHOUT_LIMITS: dict[str, dict[str, Any]] = {
    "partner": {"rate_limit": None},
    "appxite": {"provision_delay": 0.0},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", choices=SANDBOX_PLATFORMS, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--latency", type=float, default=0.0, help="milliseconds every answer waits")
    parser.add_argument("--category", action="append", default=[], help="(xPage) a category the shop holds")
    args = parser.parse_args()
    options = dict(WITHOUT_LIMITS.get(args.platform, {}))
    if args.platform == "xpage":
        options["categories"] = args.category
    app = sandbox_app(args.platform, args.db, latency_ms=args.latency, **options)

    def ready(port: int) -> None:
        print(f"port {port}", flush=True)

    serve(app, port=0, on_ready=ready)


if __name__ == "__main__":
    sys.exit(main())
