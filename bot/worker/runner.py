"""The arq worker: shared clients in ``ctx``, the job functions, and how to run them.

``docgen worker`` validates settings first, then runs ``build_worker``: settings
are injected into ``ctx`` rather than read at import time.

On SIGTERM the worker takes no new job and lets the jobs it runs finish, for up
to ``DRAIN_SECONDS`` (the job timeout, so any job in flight can end on its own);
the Kubernetes grace period must be longer (``deploy/k8s/worker.yaml``). Each
process beats from arq's poll loop (``bot.worker.heartbeat``): the liveness probe
reads the file it writes.

Each running job holds a short lease, and every worker runs a reaper that hands
back the jobs of a worker that stopped renewing them (``bot.worker.life``): a job
whose worker was killed runs again within about 21 s, not after the job timeout.
"""

from __future__ import annotations

from typing import Any

from arq.connections import RedisSettings
from arq.worker import Function, Worker, func

from bot.contract import JOB_FUNCTION
from bot.logctx import get_logger
from bot.settings import Settings
from bot.worker.heartbeat import Heartbeat
from bot.worker.job import review_pull_request
from bot.worker.lease import Leases
from bot.worker.life import WorkerLife
from bot.worker.metrics import serve_metrics
from bot.worker.observe import observed
from bot.worker.reaper import Reaper
from bot.worker.redeliver import redelivery_cron

log = get_logger("docgen.worker")

# A review makes a few dozen GitHub calls and a handful of model calls; ten
# minutes is generous and still bounds a stuck job.
JOB_TIMEOUT_SECONDS = 600
# Retries are raised explicitly (arq.Retry) for transient failures only.
MAX_TRIES = 4
# On SIGTERM: stop taking jobs, wait this long for the running ones, then cancel
# them (arq re-queues a cancelled job).
DRAIN_SECONDS = JOB_TIMEOUT_SECONDS
# Results are kept briefly: the web process reads them to tell a failed job
# (redeliverable) from a done one.
KEEP_RESULT_SECONDS = 24 * 3600

FUNCTIONS: list[Function] = [
    func(
        observed(review_pull_request, max_tries=MAX_TRIES),  # log context, outcome metrics
        name=JOB_FUNCTION,  # what the web process enqueues
        timeout=JOB_TIMEOUT_SECONDS,
        max_tries=MAX_TRIES,
        keep_result=KEEP_RESULT_SECONDS,
    )
]


class DocgenWorker(Worker):
    """arq's Worker, with a heartbeat, job leases and a reaper (``bot.worker.life``)."""

    def __init__(self, *args: Any, heartbeat: Heartbeat, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.heartbeat = heartbeat
        leases = Leases(on_lost=self._cancel_job)
        reaper = Reaper(
            holder=leases.holder,
            queue_name=self.queue_name,
            in_progress_seconds=self.in_progress_timeout_s,
        )
        self.life = WorkerLife(leases, reaper)
        self.ctx["life"] = self.life
        self.ctx["leases"] = leases
        self.on_job_start = self.life.job_started

    async def heart_beat(self) -> None:
        """Record arq's health, run cron jobs, then refresh this process's heartbeat."""
        await super().heart_beat()
        await self.heartbeat.beat(self.pool)

    async def run_job(self, job_id: str, score: int) -> None:
        """Run the job like arq, then drop its lease however the run ended."""
        try:
            await super().run_job(job_id, score)
        finally:
            await self.life.leases.drop(self.pool, job_id)

    async def finish_job(self, job_id: str, *args: Any, **kwargs: Any) -> None:
        """Record the job's end like arq, unless its lease was lost.

        The run that took the job over owns arq's marks now: clearing them here
        would let a third run start beside it.
        """
        if self.life.leases.is_lost(job_id):
            log.warning("job.lease_lost", job=job_id, detail="left to the run that has it")
            return
        await super().finish_job(job_id, *args, **kwargs)

    def _cancel_job(self, job_id: str) -> None:
        task = self.job_tasks.get(job_id)
        if task is not None:
            task.cancel()

    async def close(self) -> None:
        """Close like arq, then remove the heartbeat: a stopped worker is not alive."""
        if self._pool is not None:
            await self.heartbeat.stop(self.pool)
        await super().close()


async def startup(ctx: dict[str, Any]) -> None:
    """Create the clients every job shares and keep them in ``ctx``."""
    from bot.worker.services import open_services

    ctx["services"] = await open_services(ctx["settings"], ctx["redis"])
    ctx["metrics_server"] = serve_metrics(ctx["settings"])
    life = ctx.get("life")
    if isinstance(life, WorkerLife):
        life.start(ctx["redis"])
    log.info("worker.ready", model=ctx["settings"].docgen_model)


async def shutdown(ctx: dict[str, Any]) -> None:
    """Stop the leases and the reaper, close the shared clients, stop serving metrics."""
    life = ctx.get("life")
    if isinstance(life, WorkerLife):
        await life.stop()
    services = ctx.get("services")
    if services is not None:
        await services.aclose()
    server = ctx.get("metrics_server")
    if server is not None:
        server.stop()
    log.info("worker.stopped")


def redis_settings(settings: Settings) -> RedisSettings:
    """Return arq's connection settings for the configured Redis URL."""
    return RedisSettings.from_dsn(settings.redis_url.get_secret_value())


def build_worker(
    settings: Settings, *, heartbeat: Heartbeat | None = None, **overrides: Any
) -> DocgenWorker:
    """Return an arq Worker for ``settings``; ``overrides`` go to Worker (tests: burst=True).

    ``heartbeat`` defaults to one writing ``bot.worker.heartbeat.default_path()``.
    """
    options: dict[str, Any] = {
        "functions": FUNCTIONS,
        "cron_jobs": redelivery_cron(settings),  # failed deliveries come back
        "redis_settings": redis_settings(settings),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "ctx": {"settings": settings, "max_tries": MAX_TRIES},  # read by bot.worker.giveup
        "max_jobs": settings.docgen_max_concurrency * 2,
        "job_timeout": JOB_TIMEOUT_SECONDS,
        "keep_result": KEEP_RESULT_SECONDS,
        "max_tries": MAX_TRIES,
        "health_check_interval": 60,
        "job_completion_wait": DRAIN_SECONDS,
    }
    options.update(overrides)
    return DocgenWorker(heartbeat=heartbeat or Heartbeat(), **options)
