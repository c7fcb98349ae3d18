"""The review's Check Run: started before the model is called, always completed.

:func:`start_check` creates ``docgen / docstrings`` on the pull request's head,
``in_progress``, unless the repository turned it off (``check.mode: off``) or the
installation has not granted the Checks permission (GitHub answers 403: the review
goes on without a check). The job completes it once: with the run's outcome, with
what analysis found when there was nothing to ask the model, or ``neutral`` with
the reason in one line when the run fails, so a pull request never keeps a
spinning check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from githubkit.exception import (
    RateLimitExceeded,
    RequestError,
    RequestFailed,
    RequestTimeout,
)

from bot.core.checkrun import (
    CHECK_NAME,
    START_SUMMARY,
    START_TITLE,
    CheckFacts,
    CheckOutput,
    CheckPolicy,
    check_output,
    excluded_files,
    failed_output,
    rows_for,
)
from bot.core.summary import RunReport
from bot.engine.analyse import Analysis
from bot.logctx import get_logger
from bot.repo_config import LoadedConfig
from bot.worker.github import RepoClient

log = get_logger("docgen.checks")

# What GitHub answers when the installation may not write checks (403), or the
# commit is gone (404, 422): the review itself can still be posted.
_NO_CHECK_STATUSES = frozenset({403, 404, 422})


class Check:
    """One Check Run in progress; without a client or id every call does nothing."""

    def __init__(
        self,
        client: RepoClient | None = None,
        check_id: int | None = None,
        config: LoadedConfig | None = None,
    ) -> None:
        self._client = client
        self._id = check_id
        self._config = config
        self.completed = client is None or check_id is None

    @property
    def check_id(self) -> int | None:
        """Return the Check Run's id; None when there is none."""
        return self._id

    async def finish(
        self, analysis: Analysis, paths: Sequence[str], report: RunReport | None = None
    ) -> None:
        """Complete the check with a run's outcome; ``report`` None: analysis only.

        ``paths`` are the changed Python files the run read.
        """
        if self.completed or self._config is None:
            return
        a, config = analysis, self._config
        report = report or RunReport(
            model="",
            skipped=tuple(a.skipped),
            not_commentable=tuple(a.not_commentable),
            unchanged=tuple(a.unchanged),
            done=tuple(a.done),
            coverage_before=a.coverage_before,
            coverage_after=a.coverage_before,
        )
        stale = [w.function.id for w in a.work if w.target.mode == "replace"]
        facts = CheckFacts(
            rows=rows_for(report, documented=a.documented, stale=stale),
            coverage_before=report.coverage_before,
            coverage_after=report.coverage_after,
            rules=config.docrules.describe(),
            exclusions=excluded_files(paths, config.target_rules()),
            filters=_filters(config),
        )
        await self._complete(check_output(facts, _policy(config)))

    async def finish_empty(self) -> None:
        """Complete the check of a pull request that changes no Python file it reviews."""
        await self.finish(Analysis(), ())

    async def fail(self, exc: BaseException) -> None:
        """Complete the check ``neutral`` with why the run failed; never raise."""
        if self.completed:
            return
        try:
            await self._complete(failed_output(failure_reason(exc)))
        except Exception:  # the run's own exception is the one to report
            log.exception("check_run.not_completed", check_run_id=self._id)

    async def _complete(self, output: CheckOutput) -> None:
        assert self._client is not None and self._id is not None
        await self._client.update_check_run(
            self._id,
            status="completed",
            conclusion=output.conclusion,
            output_title=output.title,
            output_summary=output.summary,
            output_text=output.text,
        )
        self.completed = True


NO_CHECK = Check()


async def start_check(client: RepoClient, head_sha: str, config: LoadedConfig) -> Check:
    """Create the review's Check Run, ``in_progress``; a no-op check when there is none."""
    if config.config.check.mode == "off":
        return NO_CHECK
    try:
        check_id = await client.create_check_run(
            head_sha, CHECK_NAME, output_title=START_TITLE, output_summary=START_SUMMARY
        )
    except RequestFailed as exc:
        if isinstance(exc, RateLimitExceeded):
            raise
        if exc.response.status_code not in _NO_CHECK_STATUSES:
            raise
        # Has the installation granted checks: write?
        log.warning("check_run.not_created", status=exc.response.status_code)
        return NO_CHECK
    return Check(client, check_id, config)


def failure_reason(exc: BaseException) -> str:
    """Return why a run failed, in words safe to show on the pull request."""
    if isinstance(exc, RateLimitExceeded):
        return "GitHub's rate limit was reached; docgen tries again later"
    if isinstance(exc, RequestFailed):
        request = exc.response.raw_request
        return f"GitHub answered {exc.response.status_code} to {request.method} {request.url.path}"
    if isinstance(exc, RequestTimeout):
        return "GitHub did not answer in time"
    if isinstance(exc, RequestError):
        return "GitHub could not be reached"
    if isinstance(exc, asyncio.CancelledError | TimeoutError):
        return "the review was stopped before it finished (time limit or shutdown)"
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _policy(config: LoadedConfig) -> CheckPolicy:
    check = config.config.check
    return CheckPolicy(mode=check.mode, threshold=check.threshold)


def _filters(config: LoadedConfig) -> tuple[str, ...]:
    c = config.config
    out = []
    if c.include:
        out.append("only files matching `include`: " + ", ".join(f"`{p}`" for p in c.include))
    if c.exclude:
        out.append("files matching `exclude`: " + ", ".join(f"`{p}`" for p in c.exclude))
    return tuple(out)
