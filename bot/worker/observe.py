"""Wrap a job function: bind its log context, time it, count its outcome.

Every log event inside the job (GitHub calls, posting, the model client) then
carries the delivery id, installation, repository, pull request and arq job id,
and ``docgen_jobs_total`` / ``docgen_job_duration_seconds`` see every end: a
result, a retry handed back to arq, a failure, a cancellation.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Coroutine
from typing import Any

from arq import Retry

from bot import telemetry
from bot.contract import ReviewJob
from bot.logctx import get_logger, log_context

log = get_logger("docgen.job")

JobFunction = Callable[..., Coroutine[Any, Any, str]]


def observed(function: JobFunction, *, max_tries: int) -> JobFunction:
    """Return ``function`` (a review job) with its context bound and its end measured.

    ``max_tries`` is arq's limit: a retry asked for on the last try is counted as a
    failure, since arq will not run the job again.
    """

    @functools.wraps(function)
    async def job(ctx: dict[str, Any], **kwargs: Any) -> str:
        args = ReviewJob.from_kwargs(kwargs)
        with log_context(
            delivery_id=args.delivery_id or None,
            installation=args.installation_id,
            repo=args.repo,
            pr=args.number,
            job_id=ctx.get("job_id"),
        ):
            return await _measured(function, ctx, kwargs, args, max_tries)

    return job


async def _measured(
    function: JobFunction,
    ctx: dict[str, Any],
    kwargs: dict[str, Any],
    args: ReviewJob,
    max_tries: int,
) -> str:
    job_try = int(ctx.get("job_try") or 1)
    log.info("job.start", trigger=args.trigger, attempt=job_try, waits=args.waits)
    started = time.perf_counter()
    outcome, result = "failed", ""
    try:
        result = await function(ctx, **kwargs)
        outcome = telemetry.job_outcome(result)
        return result
    except Retry as retry:
        outcome = "retried" if job_try < max_tries else "failed"
        if outcome == "retried":
            telemetry.retried("job")
        log.warning(
            "job.retry", attempt=job_try, defer_s=_seconds(retry), last=job_try >= max_tries
        )
        raise
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    except Exception as exc:
        log.error("job.failed", error=type(exc).__name__, detail=str(exc)[:300])
        raise
    finally:
        seconds = time.perf_counter() - started
        telemetry.JOBS.labels(outcome).inc()
        telemetry.JOB_SECONDS.labels(outcome).observe(seconds)
        log.info("job.end", outcome=outcome, seconds=round(seconds, 3), result=result[:200])


def _seconds(retry: Retry) -> float | None:
    defer = retry.defer_score  # milliseconds, or None for arq's default
    return None if defer is None else defer / 1000
