"""The AppXite sandbox as a client other than shelf sees it: headers, ids, a clock tests move."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from engine.sandbox.appxite.app import create_app
from engine.sandbox.appxite.db import ACME

PORTAL = "https://portal.example.com"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def headers(organization: str = ACME, **extra: str) -> dict[str, str]:
    return {
        "Ocp-Apim-Subscription-Key": "sandbox",
        "Authorization": "Bearer sandbox",
        "api-version": "3.1",
        "X-On-Behalf-Of": organization,
        "Referer": PORTAL,
        **extra,
    }


def client(db: Path, clock: Clock | None = None, **options: Any) -> httpx.AsyncClient:
    app = create_app(db, clock=clock, **options)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox")
