"""A worker process's life around its jobs: leases while they run, a reaper for the dead.

``WorkerLife`` is made by ``bot.worker.runner.DocgenWorker``, which drops a job's
lease when arq is done with it; arq calls ``job_started`` before each job (its
``on_job_start`` hook), and the worker's startup and shutdown start and stop the two
background tasks, the lease renewal (``bot.worker.lease``) and the reaper
(``bot.worker.reaper``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import redis.asyncio

from bot.worker.lease import Leases
from bot.worker.reaper import Reaper


class WorkerLife:
    """The leases and the reaper of one worker process."""

    def __init__(self, leases: Leases, reaper: Reaper) -> None:
        self.leases = leases
        self.reaper = reaper
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, client: redis.asyncio.Redis) -> None:
        """Start renewing leases and reaping, in the background (once)."""
        if self._tasks:
            return
        self._tasks = [
            asyncio.create_task(self.leases.run(client), name="docgen-leases"),
            asyncio.create_task(self.reaper.run(client), name="docgen-reaper"),
        ]

    async def stop(self) -> None:
        """Stop both background tasks (after the jobs have ended)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def job_started(self, ctx: dict[str, Any]) -> None:
        """Take the job's lease before it runs: arq's ``on_job_start`` hook."""
        self.start(ctx["redis"])  # a lease nobody renews would hand the job to another run
        ctx["lease"] = await self.leases.take(ctx["redis"], ctx["job_id"])
