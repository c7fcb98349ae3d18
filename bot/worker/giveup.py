"""A review that cannot finish says so: one log line, a metric, a note in the summary.

A job ends this way when its failure cannot succeed if tried again, or when it
could but arq's tries are spent (``ctx["job_try"]`` has reached ``ctx["max_tries"]``,
which the runner puts in ``ctx``): arq would otherwise fail the next try without
running it, and the pull request would hear nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from githubkit.exception import RateLimitExceeded, RequestError, RequestFailed, RequestTimeout
from prometheus_client import Counter

from bot.contract import ReviewJob
from bot.core.failure_note import failure_note, with_failure_note
from bot.worker.github_limits import GitHubBlocked
from bot.worker.posting import find_summary, upsert_summary
from bot.worker.services import Services

log = logging.getLogger("docgen.job")

GIVEN_UP = Counter("docgen_jobs_given_up", "Reviews that ended without finishing.", ["cause"])
NOTE_SECONDS = 20.0  # the note is worth a short wait, not a stuck worker


def out_of_tries(ctx: dict[str, Any]) -> bool:
    """Tell whether this run of the job is the last arq will make."""
    max_tries = ctx.get("max_tries")
    return isinstance(max_tries, int) and int(ctx.get("job_try") or 1) >= max_tries


def cause_of(exc: BaseException) -> tuple[str, str]:
    """Return a failure's kind (a metric label) and its words for the note."""
    if isinstance(exc, GitHubBlocked) or isinstance(exc, RateLimitExceeded):
        return "rate_limit", "GitHub's rate limit for this installation is spent"
    if isinstance(exc, RequestFailed):
        status = exc.response.status_code
        return ("github_5xx" if status >= 500 else "github_4xx"), f"GitHub kept answering {status}"
    if isinstance(exc, RequestTimeout):
        return "github_timeout", "GitHub kept timing out"
    if isinstance(exc, RequestError):
        return "github_unreachable", "GitHub could not be reached"
    return "error", f"an internal error ({type(exc).__name__}; see the worker's log)"


async def give_up(
    services: Services,
    args: ReviewJob,
    exc: BaseException,
    *,
    attempts: int,
    answered: bool = False,
) -> None:
    """Log the failure in one line and leave the note, unless ``answered`` already.

    ``answered``: the ``/docgen`` command's reply already said the run failed.
    Never raises: the failure being reported matters more than this one.
    """
    kind, cause = cause_of(exc)
    GIVEN_UP.labels(kind).inc()
    note = "not needed" if answered else await _leave_note(services, args, cause, attempts, exc)
    log.error(
        "review failed delivery=%s repo=%s pr=%d attempts=%d cause=%s note=%s error=%r",
        args.delivery_id,
        args.repo,
        args.number,
        attempts,
        kind,
        note,
        exc,
    )


async def _leave_note(
    services: Services, args: ReviewJob, cause: str, attempts: int, exc: BaseException
) -> str:
    if isinstance(exc, GitHubBlocked | RateLimitExceeded):
        return "not posted (rate limited)"  # the note would be refused the same way
    client = services.github.repo(args.installation_id, args.repo)
    try:
        async with asyncio.timeout(NOTE_SECONDS):
            summary = find_summary(await client.issue_comments(args.number))
            body = with_failure_note(
                summary.body if summary else None, failure_note(cause, attempts)
            )
            await upsert_summary(client, args.number, body, summary)
    except Exception as failure:
        return f"not posted ({type(failure).__name__})"
    return "posted"
