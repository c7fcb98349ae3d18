"""The review's Check Run: started before the model is called, always completed.

:func:`start_check` creates ``docgen / docstrings`` on the pull request's head,
``in_progress``, unless the repository turned it off (``check.mode: off``) or the
installation has not granted the Checks permission (GitHub answers 403: the review
goes on without a check). The job completes it once: with the run's outcome, with
what analysis found when there was nothing to ask the model, or ``neutral`` with
the reason in one line when the run fails, so a pull request never keeps a
spinning check.

A run that never completes its check (its worker was killed, or a review goes on
in another job) leaves the check's id in Redis, under the installation, repository
and head SHA, for a day: the next run for that head takes the same Check Run up
again instead of creating a second one beside it, which would leave the first
``in_progress`` for good. Completing the check forgets the id, because GitHub
never reopens a completed run: a later review of the head starts a new one, and
GitHub shows the newest run of a name. Redis, not a search of the head's check
runs on GitHub, because the run that created the check knows its id for free,
and a search would cost a request on every review to find nothing most of the time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import redis.asyncio
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
    Exclusion,
    check_output,
    excluded_files,
    failed_output,
    rows_for,
    superseded_output,
)
from bot.core.summary import RunReport
from bot.engine.analyse import Analysis
from bot.keys import check_run_key
from bot.logctx import get_logger
from bot.repo_config import LoadedConfig
from bot.worker.github import RepoClient
from bot.worker.lease import release_lock

log = get_logger("docgen.checks")

# What GitHub answers when the installation may not write checks (403), or the
# commit is gone (404, 422): the review itself can still be posted.
_NO_CHECK_STATUSES = frozenset({403, 404, 422})
# What GitHub answers to an update of a remembered run that is gone: create another.
_GONE_STATUSES = frozenset({404, 422})
REMEMBER_SECONDS = 24 * 3600  # how long a started check waits to be taken up again


class CheckMemory:
    """Where a run keeps the id of the Check Run it started on one head SHA, in Redis."""

    def __init__(self, client: redis.asyncio.Redis, key: str) -> None:
        self._redis = client
        self.key = key

    @classmethod
    def of(
        cls, client: redis.asyncio.Redis, repo: RepoClient, installation_id: int, head_sha: str
    ) -> CheckMemory:
        """Return the memory of the check on ``head_sha`` of ``repo``'s repository."""
        name = f"{repo.owner}/{repo.name}"
        return cls(client, check_run_key(installation_id, name, head_sha))

    async def recall(self) -> int | None:
        """Return the id an earlier run left for this head, if any."""
        value = await self._redis.get(self.key)
        try:
            return int(value) if value is not None else None
        except ValueError:  # not ours to trust; the next keep() replaces it
            return None

    async def keep(self, check_id: int) -> None:
        """Remember ``check_id`` for the next run of this head, for a day."""
        await self._redis.set(self.key, str(check_id), ex=REMEMBER_SECONDS)

    async def forget(self, check_id: int) -> None:
        """Forget ``check_id`` once it is completed; never raise.

        A failure costs only a request: the next run finds the run completed and
        creates another.
        """
        try:
            # Only if it is still this run's id: another run may have replaced it.
            await release_lock(self._redis, self.key, str(check_id))
        except redis.RedisError:
            log.warning("check_run.not_forgotten", check_run_id=check_id)


class Check:
    """One Check Run in progress; without a client or id every call does nothing."""

    def __init__(
        self,
        client: RepoClient | None = None,
        check_id: int | None = None,
        config: LoadedConfig | None = None,
        memory: CheckMemory | None = None,
    ) -> None:
        self._client = client
        self._id = check_id
        self._config = config
        self._memory = memory
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
            exclusions=_exclusions(a, paths, config),
            filters=_filters(config),
        )
        await self.complete(check_output(facts, _policy(config)))

    async def finish_empty(self) -> None:
        """Complete the check of a pull request that changes no Python file it reviews."""
        await self.finish(Analysis(), ())

    async def fail(self, exc: BaseException) -> None:
        """Complete the check ``neutral`` with why the run failed; never raise."""
        if self.completed:
            return
        try:
            await self.complete(failed_output(failure_reason(exc)))
        except Exception:  # the run's own exception is the one to report
            log.exception("check_run.not_completed", check_run_id=self._id)

    async def complete(self, output: CheckOutput) -> None:
        """Complete the check with ``output`` and forget its id."""
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
        if self._memory is not None:
            await self._memory.forget(self._id)


NO_CHECK = Check()


async def start_check(
    client: RepoClient,
    head_sha: str,
    config: LoadedConfig,
    redis_client: redis.asyncio.Redis,
    installation_id: int,
) -> Check:
    """Start the review's Check Run, ``in_progress``; a no-op check when there is none.

    An earlier run's check on ``head_sha`` that was never completed is taken up
    again; otherwise a new one is created and remembered.
    """
    if config.config.check.mode == "off":
        return NO_CHECK
    memory = CheckMemory.of(redis_client, client, installation_id, head_sha)
    try:
        check_id = await _take_up(client, await memory.recall())
        if check_id is None:
            check_id = await client.create_check_run(
                head_sha, CHECK_NAME, output_title=START_TITLE, output_summary=START_SUMMARY
            )
        await memory.keep(check_id)  # a day from this run, taken up or new
    except RequestFailed as exc:
        if isinstance(exc, RateLimitExceeded):
            raise
        if exc.response.status_code not in _NO_CHECK_STATUSES:
            raise
        # Has the installation granted checks: write?
        log.warning("check_run.not_created", status=exc.response.status_code)
        return NO_CHECK
    return Check(client, check_id, config, memory)


async def close_superseded(
    client: RepoClient, redis_client: redis.asyncio.Redis, installation_id: int, head_sha: str
) -> None:
    """Complete the check an unfinished review left on ``head_sha``, which a push replaced.

    A long review's earlier parts start its check; a later part that finds the pull
    request moved on ends it here rather than leave it in progress for good.
    """
    memory = CheckMemory.of(redis_client, client, installation_id, head_sha)
    check_id = await memory.recall()
    if check_id is None:
        return
    check = Check(client, check_id, memory=memory)
    try:
        await check.complete(superseded_output(head_sha))
    except RequestFailed as exc:
        if isinstance(exc, RateLimitExceeded) or exc.response.status_code not in _GONE_STATUSES:
            raise
        await memory.forget(check_id)  # gone with its commit


async def _take_up(client: RepoClient, check_id: int | None) -> int | None:
    """Return ``check_id`` set back to its start, or None when it cannot be taken up."""
    if check_id is None:
        return None
    try:
        reopened = await client.restart_check_run(
            check_id, output_title=START_TITLE, output_summary=START_SUMMARY
        )
    except RequestFailed as exc:
        if isinstance(exc, RateLimitExceeded) or exc.response.status_code not in _GONE_STATUSES:
            raise
        reopened = False  # deleted with its commit, or never this repository's
    if not reopened:
        log.info("check_run.not_taken_up", check_run_id=check_id)
        return None
    log.info("check_run.taken_up", check_run_id=check_id)
    return check_id


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


def _exclusions(
    analysis: Analysis, paths: Sequence[str], config: LoadedConfig
) -> tuple[Exclusion, ...]:
    """Return the files left out by the rules, and those too large to read, in path order."""
    by_rules = excluded_files(paths, config.target_rules())
    unread = (Exclusion(s.function_id, s.reason) for s in analysis.unread)
    return tuple(sorted((*by_rules, *unread), key=lambda e: e.path))


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
