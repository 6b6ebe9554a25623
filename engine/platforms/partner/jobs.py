"""Waiting for the Partner API's asynchronous jobs: poll with backoff, bounded by ``--wait``.

The first poll goes out at once (a job may be done already), then after 0.5 s, 1 s, 2 s... at most 30 s
apart, until the job is ``COMPLETED``, ``FAILED`` or ``DUPLICATE``, or until ``wait`` seconds have passed.
A job still running then is an error naming it: its outcome is unknown, and the next plan reads what it did.
Each poll of an unfinished job is logged (``-v``); once a job has taken several seconds, every poll is
also reported to ``report`` (``shelf apply`` prints it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from engine.errors import PlatformError
from engine.platforms.partner.api import PartnerApi

log = logging.getLogger(__name__)

DONE = frozenset({"COMPLETED", "FAILED", "DUPLICATE"})
FIRST_PAUSE = 0.5
LONGEST_PAUSE = 30.0


class JobWaiter:
    def __init__(
        self,
        api: PartnerApi,
        wait: float,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        report: Callable[[str], None] | None = None,
    ):
        self.api = api
        self.wait = wait
        self._sleep = sleep
        self._clock = clock
        self._report = report

    async def outcome(self, kind: str, job_id: str) -> dict[str, Any]:
        """The finished job; PlatformError when it is still running after ``wait`` seconds."""
        started = self._clock()
        pause = FIRST_PAUSE
        while True:
            job = await self.api.job(kind, job_id)
            if str(job.get("job_status")) in DONE:
                return job
            waited = self._clock() - started
            log.info("%s job %s is %s after %.0f s", kind, job_id, job.get("job_status"), waited)
            if self._report is not None and pause >= LONGEST_PAUSE / 4:
                self._report(
                    f"  waiting for {kind} job {job_id}: {job.get('job_status')} after {waited:.0f} s"
                )
            left = self.wait - waited
            if left <= 0:
                raise PlatformError(
                    f"{kind} job {job_id} is still {job.get('job_status')} after {self.wait:g} s",
                    where=self.api.http.where,
                    status=202,  # accepted, not failed: a create is never sent again for it
                    hint="run `shelf plan` later: it reads what the job did;"
                    " `shelf apply --wait N` waits longer",
                )
            await self._sleep(min(pause, left))
            pause = min(pause * 2, LONGEST_PAUSE)


def rejections(job: dict[str, Any]) -> dict[str, list[str]]:
    """SKU -> the reasons the job rejected it (``rejected_data: rejected_reason``)."""
    out: dict[str, list[str]] = {}
    result = job.get("result") or {}
    for entry in result.get("item_level_feedback") or []:
        reasons = [
            f"{r.get('rejected_data')}: {r.get('rejected_reason')}"
            for r in entry.get("rejection_reasons") or []
        ]
        status = str(entry.get("status") or "").upper()
        if reasons or status in ("REJECTED", "FAILED"):
            out[str(entry.get("sku"))] = reasons or [status.lower()]
    return out
