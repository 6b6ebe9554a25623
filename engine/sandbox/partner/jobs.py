"""Asynchronous jobs: every Partner write is queued and answered ``202 {job_id, job_status}``.

A job becomes due ``delay`` seconds after it was queued and is carried out by the first request to the
chain after that moment, whichever endpoint it calls, as the platform works through its queue whether or
not anybody polls. Until then its status is ``QUEUED`` (first half of the delay) or ``IN_PROGRESS``.
A finished job is ``COMPLETED`` even when it rejected some SKUs: the guide says a completed job can still
reject single SKUs, so ``FAILED`` is kept for a payload that could not be processed at all.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from engine.sandbox.partner.catalog_work import run_create, run_update
from engine.sandbox.partner.promotion_work import run_promotion
from engine.sandbox.store import Store

Kind = Literal["catalog_create", "catalog_update", "promotion"]


@dataclass
class Jobs:
    store: Store
    clock: Callable[[], float]
    delay: float = 0.0
    price_decimals: Literal["reject", "truncate"] = "reject"

    def queue(self, chain: str, kind: Kind, payload: str) -> dict[str, Any]:
        """A new job for ``payload`` (the request body as sent, so money keeps its digits); the answer
        the write endpoint gives."""
        job_id = str(uuid.uuid4())
        now = self.clock()
        with self.store.write() as db:
            db.execute(
                "INSERT INTO partner_jobs (job_id, chain_id, kind, status, ready_at, created_at, payload)"
                " VALUES (?, ?, ?, 'QUEUED', ?, ?, ?)",
                (job_id, chain, kind, now + self.delay, now, payload),
            )
        return {"job_id": job_id, "job_status": "QUEUED"}

    def run_due(self, chain: str) -> None:
        """Carry out every job of ``chain`` whose time has come, oldest first."""
        now = self.clock()
        due = self.store.query(
            "SELECT job_id FROM partner_jobs WHERE chain_id = ? AND status IN ('QUEUED', 'IN_PROGRESS')"
            " AND ready_at <= ? ORDER BY created_at, rowid",
            (chain, now),
        )
        for row in due:
            with self.store.write() as db:
                job = db.execute(
                    "SELECT * FROM partner_jobs WHERE job_id = ? AND status IN ('QUEUED', 'IN_PROGRESS')",
                    (row["job_id"],),
                ).fetchone()
                if job is None:
                    continue
                status, result = self._run(db, job)
                db.execute(
                    "UPDATE partner_jobs SET status = ?, result = ? WHERE job_id = ?",
                    (status, json.dumps(result), job["job_id"]),
                )

    def _run(self, db: sqlite3.Connection, job: sqlite3.Row) -> tuple[str, dict[str, Any]]:
        payload = json.loads(job["payload"], parse_float=Decimal)
        chain = job["chain_id"]
        if job["kind"] == "catalog_create":
            return "COMPLETED", run_create(db, chain, payload, self.price_decimals)
        if job["kind"] == "catalog_update":
            return "COMPLETED", run_update(db, chain, payload, self.price_decimals)
        return "COMPLETED", run_promotion(db, chain, payload)

    def status(self, chain: str, job_id: str, kinds: tuple[Kind, ...]) -> dict[str, Any] | None:
        """The job as ``GET .../jobs/{job_id}`` shows it, or None for a job of another chain or kind."""
        self.run_due(chain)
        rows = self.store.query(
            "SELECT * FROM partner_jobs WHERE job_id = ? AND chain_id = ?", (job_id, chain)
        )
        if not rows or rows[0]["kind"] not in kinds:
            return None
        job = rows[0]
        status = job["status"]
        halfway = job["created_at"] + self.delay / 2
        if status == "QUEUED" and job["kind"] != "promotion" and self.clock() >= halfway:
            status = "IN_PROGRESS"
        body: dict[str, Any] = {"job_id": job_id, "job_status": status}
        if job["result"] is not None:
            body["result"] = json.loads(job["result"])
        return body
