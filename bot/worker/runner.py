"""The arq worker: shared clients in ``ctx``, the job functions, and how to run them.

``docgen worker`` validates settings first, then runs ``build_worker``: settings
are injected into ``ctx`` rather than read at import time.

On SIGTERM the worker takes no new job and lets the jobs it runs finish, for up
to ``DRAIN_SECONDS`` (the job timeout, so any job in flight can end on its own);
the Kubernetes grace period must be longer (``deploy/k8s/worker.yaml``). Each
process beats from arq's poll loop (``bot.worker.heartbeat``): the liveness probe
reads the file it writes.
"""

from __future__ import annotations

import logging
from typing import Any

from arq.connections import RedisSettings
from arq.worker import Function, Worker, func

from bot.contract import JOB_FUNCTION
from bot.settings import Settings
from bot.worker.heartbeat import Heartbeat
from bot.worker.job import review_pull_request
from bot.worker.redeliver import redelivery_cron

log = logging.getLogger("docgen.worker")

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
        review_pull_request,
        name=JOB_FUNCTION,  # what the web process enqueues
        timeout=JOB_TIMEOUT_SECONDS,
        max_tries=MAX_TRIES,
        keep_result=KEEP_RESULT_SECONDS,
    )
]


class DocgenWorker(Worker):
    """arq's Worker, beating its heartbeat each time round the poll loop."""

    def __init__(self, *args: Any, heartbeat: Heartbeat, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.heartbeat = heartbeat

    async def heart_beat(self) -> None:
        """Record arq's health, run cron jobs, then refresh this process's heartbeat."""
        await super().heart_beat()
        await self.heartbeat.beat(self.pool)

    async def close(self) -> None:
        """Close like arq, then remove the heartbeat: a stopped worker is not alive."""
        if self._pool is not None:
            await self.heartbeat.stop(self.pool)
        await super().close()


async def startup(ctx: dict[str, Any]) -> None:
    """Create the clients every job shares and keep them in ``ctx``."""
    from bot.worker.services import open_services

    ctx["services"] = await open_services(ctx["settings"], ctx["redis"])
    log.info("worker ready model=%s", ctx["settings"].docgen_model)


async def shutdown(ctx: dict[str, Any]) -> None:
    """Close the shared clients."""
    services = ctx.get("services")
    if services is not None:
        await services.aclose()
    log.info("worker stopped")


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
        "ctx": {"settings": settings},
        "max_jobs": settings.docgen_max_concurrency * 2,
        "job_timeout": JOB_TIMEOUT_SECONDS,
        "keep_result": KEEP_RESULT_SECONDS,
        "max_tries": MAX_TRIES,
        "health_check_interval": 60,
        "job_completion_wait": DRAIN_SECONDS,
    }
    options.update(overrides)
    return DocgenWorker(heartbeat=heartbeat or Heartbeat(), **options)
