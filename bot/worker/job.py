"""The worker's job: review one pull request and post suggestions plus a summary.

Steps, in the design notes' order: GitHub facts (PR, files, contents, config),
the shared engine (analysis, plan, model calls, render and checks), then posting.
A job is idempotent: suggestions already on the PR are found by their markers
and not posted again, and the summary is edited in place.

A ``/docgen`` command is checked and answered by ``bot.worker.command`` (who may
run it, help, usage, reactions); what it asks of the review (every function,
some files, a style, a dry run, suggesting again) travels in ``Review.command``.

One review of a pull request runs at a time (a Redis lock, tied to the job's
lease by ``bot.worker.lease``, so a dead worker's lock lapses with its lease and
the review runs again at once; ``LOCK_SECONDS`` bounds it only where a worker
takes no leases). A job that finds the lock taken queues itself again and waits
its turn, however long the running review takes, rather than spending arq's
retries and being lost; it joins the lock's waiting line (``bot.worker.waiters``),
and the review that releases the lock starts it at once.

A long review asks the model one wave of requests per job (``bot.worker.workitems``):
between waves it goes to the back of the queue, so other installations' reviews
take their turns; its last part posts the review and the summary.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Any

from arq import Retry
from arq.connections import ArqRedis
from githubkit.exception import RateLimitExceeded, RequestError, RequestFailed, RequestTimeout

from bot.contract import JOB_FUNCTION, ReviewJob
from bot.core.command import Command, parse_command
from bot.core.render import collect_docstrings
from bot.core.review import FnMarker, parse_fn_markers
from bot.core.skips import Skip
from bot.core.summary import RunReport, summary_body
from bot.engine.analyse import SourceFile, analyse, is_python
from bot.engine.document import (
    Engine,
    Outcome,
    Proposal,
    delivery,
    document,
    progress_of,
    remember,
)
from bot.keys import lock_key, lock_waiters_key, slot_waiters_key
from bot.lifecycle import is_suspended
from bot.llm.overhead_redis import load_overhead, share_overhead
from bot.logctx import get_logger
from bot.repo_config import (
    CONFIG_PATH,
    ORG_CONFIG_REPO,
    REPO_FILES,
    LoadedConfig,
    load_repo_config,
    render_options,
)
from bot.wiring import answer_book_for, answer_cache_for, budgets_for, planner_for
from bot.worker.checks import NO_CHECK, Check, close_superseded, start_check
from bot.worker.command import command_config, command_failed, conclude, open_command, reply_plan
from bot.worker.fairness import give_slot, take_job_slot
from bot.worker.github import ChangedFile, PullRequest, RepoClient
from bot.worker.github_limits import GitHubBlocked
from bot.worker.giveup import give_up, out_of_tries
from bot.worker.lease import forget_lock, lock_owner, release_lock, take_lock
from bot.worker.posting import find_summary, post_suggestions, upsert_summary
from bot.worker.services import Services
from bot.worker.spend import add_pr_cost
from bot.worker.waiters import join, wake_first
from bot.worker.workitems import Stored, clear, load, queue_part, save

log = get_logger("docgen.job")

LOCK_SECONDS = 660  # a little over the job timeout: the longest a live review holds it
LOCK_WAIT_SECONDS = 15.0  # how soon a job that found the lock taken looks again
# The lock expires after LOCK_SECONDS, so a job waits this many turns only if
# other reviews of the PR keep taking it before it; then it fails, visibly.
MAX_LOCK_WAITS = 3 * LOCK_SECONDS // int(LOCK_WAIT_SECONDS)
FETCH_CONCURRENCY = 8
MAX_PYTHON_FILES = 300  # beyond this a PR is a mass change; the summary says what was left


class LockWaitExceeded(RuntimeError):
    """Other reviews (of the pull request, or of its installation) kept a job waiting too long."""


async def review_pull_request(ctx: dict[str, Any], **kwargs: Any) -> str:
    """Review one pull request; return what happened in a few words (kept as arq's result)."""
    args = ReviewJob.from_kwargs(kwargs)
    services: Services = ctx["services"]
    if await is_suspended(services.redis, args.installation_id):
        return "ignored: installation suspended"
    cap = services.settings.docgen_max_jobs_per_installation
    queue: ArqRedis = ctx["redis"]
    if not await take_job_slot(ctx, services.redis, args.installation_id, args.delivery_id, cap):
        return await wait_turn(
            queue,
            args,
            reason="the installation's other reviews are",
            for_slot=True,
            line=slot_waiters_key(args.installation_id),
        )
    lock = lock_key(args.repo, args.number)
    owner = lock_owner(ctx, args.delivery_id)  # this run's lease token, if it has one
    try:
        if not await take_lock(ctx, services.redis, lock, owner, seconds=LOCK_SECONDS):
            return await wait_turn(queue, args, line=lock_waiters_key(args.repo, args.number))
        try:
            return await _review(services, args, queue)
        except Exception as exc:
            retry = _as_retry(exc)
            if retry is not None and not out_of_tries(ctx):
                raise retry from exc
            # Out of retries, or a failure that would recur: say so once, then fail.
            answered = args.is_command and retry is None  # _review replied to the command
            await give_up(services, args, exc, attempts=ctx.get("job_try", 1), answered=answered)
            raise
        finally:
            forget_lock(ctx, lock)
            if await release_lock(services.redis, lock, owner):
                await wake_first(
                    services.redis,
                    lock_waiters_key(args.repo, args.number),
                    queue.default_queue_name,
                )
    finally:
        await give_slot(
            services.redis,
            args.installation_id,
            args.delivery_id,
            queue_name=queue.default_queue_name,
        )


def _as_retry(exc: Exception) -> Retry | None:
    """Return the retry a transient failure deserves; None for one that would fail again."""
    if isinstance(exc, GitHubBlocked):  # GitHub asked for a long pause: wait it in the queue
        return Retry(defer=math.ceil(exc.wait))
    if isinstance(exc, RateLimitExceeded | RequestTimeout):
        return Retry(defer=_retry_after(exc))
    if isinstance(exc, RequestFailed):
        return Retry(defer=30) if exc.response.status_code >= 500 else None
    if isinstance(exc, RequestError):  # connection errors and failed token mints
        return Retry(defer=30)
    return None


async def wait_turn(
    queue: ArqRedis,
    args: ReviewJob,
    *,
    reason: str = "another review of this pull request is",
    for_slot: bool = False,
    line: str | None = None,
) -> str:
    """Queue the review again, to look for its turn in ``LOCK_WAIT_SECONDS``.

    A fresh job (id ``<delivery>~<turn>``) does not spend this job's arq tries,
    so a long review of the same pull request, or a burst of the installation's
    other reviews, can never make this one lost. Only turns spent behind the pull
    request's lock are bounded (``MAX_LOCK_WAITS``): an installation's slots always
    come free (they lapse with their leases), however long its burst takes to drain.
    With ``line``, the new turn also joins that waiting line (``bot.worker.waiters``),
    once queued, so whoever frees what it waits for starts it at once.
    """
    if args.lock_waits >= MAX_LOCK_WAITS:
        raise LockWaitExceeded(
            f"{args.repo}#{args.number}: waited {args.lock_waits} turns ({reason} running)"
        )
    turn = args.next_turn(for_slot=for_slot)
    await queue.enqueue_job(
        JOB_FUNCTION, _job_id=turn.job_id, _defer_by=LOCK_WAIT_SECONDS, **turn.to_kwargs()
    )
    if line is not None:
        await join(queue, line, turn.job_id)
    log.info("job.wait_turn", turn=turn.waits, waiting_for=reason.rsplit(" ", 1)[0])
    return f"waiting: {reason} running"  # reason ends in "is" or "are"


def _retry_after(exc: Exception) -> int:
    if isinstance(exc, RateLimitExceeded):
        return max(int(exc.retry_after.total_seconds()), 1)
    return 30


async def _review(services: Services, args: ReviewJob, queue: ArqRedis) -> str:
    client = services.github.repo(args.installation_id, args.repo)
    stored = await load(services.redis, args)
    if stored.part > args.part:  # this part ran already: make sure the next one is queued
        await queue_part(queue, args.as_part(stored.part, stored.head_sha))
        return f"continued: part {stored.part} carries on"
    parts = Parts(queue, stored)
    if not args.is_command:
        return await _review_pr(services, client, args, None, parts)
    # A later part carries on a command the first part checked and acknowledged.
    command = (
        parse_command(args.command) if args.part else await open_command(services, client, args)
    )
    if isinstance(command, str):  # answered, or refused, without a review
        return command
    try:
        result = await _review_pr(services, client, args, command, parts)
    except Exception as exc:
        if _as_retry(exc) is None:  # a retried job may still succeed: say nothing yet
            await command_failed(client, args, exc)
        raise
    await conclude(client, args, result)
    return result


@dataclass(frozen=True)
class Parts:
    """Where a review's next work item goes, and what its earlier items produced."""

    queue: ArqRedis
    stored: Stored = Stored()


async def _review_pr(
    services: Services,
    client: RepoClient,
    args: ReviewJob,
    command: Command | None,
    parts: Parts,
) -> str:
    pr = await client.pull_request(args.number)
    if pr.state != "open":
        return "ignored: pull request is not open"
    if args.head_sha is not None and pr.head_sha != args.head_sha:
        if args.part:  # the review's earlier parts started a check on that head
            await close_superseded(client, services.redis, args.installation_id, args.head_sha)
        return "superseded: the pull request moved on"
    config = command_config(await _load_config(services, client, args, pr), command)
    if not config.config.enabled:
        return "ignored: disabled by .github/docgen.yml"
    if args.from_fork and command is None and not config.config.forks:
        return "ignored: pull request from a fork (set forks: true)"
    if (
        pr.draft
        and not args.is_command
        and not config.config.effective_review_drafts(services.settings.docgen_review_drafts)
    ):
        return "ignored: draft pull request"
    # A dry run replies with a plan and posts nothing: no Check Run either.
    dry = command is not None and command.dry_run
    check = (
        NO_CHECK
        if dry
        else await start_check(client, pr.head_sha, config, services.redis, args.installation_id)
    )
    try:
        files, left_out = await _fetch_files(client, pr, config, command)
        if not files:
            await check.finish_empty()
            return "nothing to do: no Python files changed" + _matching(command)
        review = Review(services, client, args, pr, config, parts, command, check)
        return await _run(review, files, left_out)
    except BaseException as exc:
        await check.fail(exc)
        raise


def _matching(command: Command | None) -> str:
    if command is None or not command.paths:
        return ""
    return " that match " + ", ".join(f"`{p}`" for p in command.paths)


async def _load_config(
    services: Services, client: RepoClient, args: ReviewJob, pr: PullRequest
) -> LoadedConfig:
    """Read docgen's settings and the repository's docstring rules from its default branch.

    Never from the pull request's head: a pull request cannot change the rules it is
    reviewed by.
    """
    owner = args.repo.split("/", 1)[0]
    org_client = services.github.repo(args.installation_id, f"{owner}/{ORG_CONFIG_REPO}")
    # Ask only for the files the root has: most repositories have two or three of the
    # eleven rule files, and many no .github folder. A listing GitHub cut short (None)
    # proves no absence: ask for them all.
    present = await client.root_names(pr.default_branch)
    settings_dir = CONFIG_PATH.split("/", 1)[0] + "/"
    has_settings = present is None or settings_dir in present
    rule_paths = [p for p in REPO_FILES if present is None or p in present]
    paths = (CONFIG_PATH, *rule_paths) if has_settings else tuple(rule_paths)
    texts = await asyncio.gather(*(client.file_text(p, pr.default_branch) for p in paths))
    own_text = texts[0] if has_settings else None
    try:
        org_text = await org_client.file_text(CONFIG_PATH, "HEAD")
    except RequestFailed:  # the installation may not cover the org's .github repository
        org_text = None
    rule_texts = dict(zip(rule_paths, texts[len(paths) - len(rule_paths) :], strict=True))
    return load_repo_config(own_text, org_text, rule_files=rule_texts)


async def _fetch_files(
    client: RepoClient, pr: PullRequest, config: LoadedConfig, command: Command | None
) -> tuple[list[SourceFile], int]:
    every = command is not None and command.every_function
    changed = [
        f
        for f in await client.changed_files(pr.number)
        if is_python(f.path)
        and f.status != "removed"
        and config.config.path_included(f.path)
        and (command is None or command.selects(f.path))
    ]
    chosen, left_out = changed[:MAX_PYTHON_FILES], max(len(changed) - MAX_PYTHON_FILES, 0)
    gate = asyncio.Semaphore(FETCH_CONCURRENCY)

    async def fetch(f: ChangedFile) -> SourceFile:
        async with gate:
            head = await client.file_text(f.path, pr.head_sha)
            size = client.oversized.get(f.path) if head is None else None  # refused for size
            base = None
            if f.status not in ("added",):
                base = await client.file_text(f.previous_path or f.path, pr.base_sha)
        too_large = None if size is None else (size, client.max_file_bytes)
        return SourceFile(
            f.path,
            head,
            f.status,
            f.patch,
            base,
            f.previous_path,
            every_function=every,
            too_large=too_large,
        )

    return list(await asyncio.gather(*(fetch(f) for f in chosen))), left_out


@dataclass(frozen=True)
class Review:
    """One review in progress: the job's arguments and what was learnt before the engine."""

    services: Services
    client: RepoClient
    args: ReviewJob
    pr: PullRequest
    config: LoadedConfig
    parts: Parts
    command: Command | None = None  # the /docgen command that asked, if one did
    check: Check = NO_CHECK


async def _run(r: Review, files: list[SourceFile], left_out: int) -> str:
    client, pr = r.client, r.pr
    command = r.command
    previous = [] if command is not None and command.force else await _previous(client, pr)
    analysis = analyse(files, r.config.target_rules(), previous=previous)
    conversation = await client.issue_comments(pr.number)
    summary = find_summary(conversation)
    # Suggestions already on the PR with no summary: a run that died before its
    # summary. This run posts none of them again but writes the summary, as it
    # does to say that a file was too large to read.
    to_report = analysis.work or analysis.done or analysis.unchanged or analysis.unread
    if not to_report and summary is None:
        await r.check.finish(analysis, [f.path for f in files])
        return "nothing to do: every changed function is documented or out of scope"
    engine = await _engine(r, files)
    if command is not None and command.dry_run:
        return await reply_plan(client, r.args, engine, analysis)
    outcome = await document(
        engine,
        analysis,
        progress=r.parts.stored.progress,
        max_requests=r.services.settings.docgen_max_concurrency,  # one wave per work item
    )
    await share_overhead(r.services.redis, r.services.overhead)
    if outcome.unasked:
        return await _continue(r, outcome)
    suggestions = [p.suggestion for p in outcome.proposals]
    posted, refused = await post_suggestions(client, pr.number, pr.head_sha, suggestions)
    on_github = set(posted)
    delivered = [p for p in outcome.proposals if p.work.function.id in on_github]
    await remember(engine, delivered)
    pr_cost = await add_pr_cost(
        r.services.redis, r.args.repo, r.args.number, outcome.usage.cost_usd
    )
    report = _report(r, outcome, Posted(posted, refused, delivered), left_out, pr_cost)
    await upsert_summary(client, pr.number, summary_body(report), summary)
    await r.check.finish(analysis, [f.path for f in files], report)
    await clear(r.services.redis, r.args)
    log.info(
        "review.posted",
        suggested=len(posted),
        skipped=len(report.skipped),
        cost_usd=round(outcome.usage.cost_usd, 6),
    )
    return f"suggested {len(posted)}, skipped {len(report.skipped)}"


async def _continue(r: Review, outcome: Outcome) -> str:
    """Keep this work item's results and queue the review's next part behind the others."""
    following = r.args.as_part(r.args.part + 1, r.pr.head_sha)
    stored = Stored(following.part, r.pr.head_sha, progress_of(outcome))
    await save(r.services.redis, r.args, stored)  # before queueing: the next part reads it
    await queue_part(r.parts.queue, following)
    left = len(outcome.unasked)
    log.info("review.continues", part=following.part, unasked=left)
    return f"continued: {left} functions left for part {following.part}"


async def _previous(client: RepoClient, pr: PullRequest) -> list[FnMarker]:
    """Return the markers of what docgen suggested on the pull request before."""
    review_comments = await client.review_comments(pr.number)
    return [m for c in review_comments if c.author_is_bot for m in parse_fn_markers(c.body)]


async def _engine(r: Review, files: list[SourceFile]) -> Engine:
    services, settings, config = r.services, r.services.settings, r.config
    await load_overhead(services.redis, services.overhead)  # another worker may have measured
    samples = collect_docstrings(f.head_text for f in files if f.head_text)
    options = render_options(config, samples=samples)
    budgets = budgets_for(
        settings, redis_client=services.redis, installation_id=r.args.installation_id
    )
    budgets.run.carry(*r.parts.stored.progress.spent)  # the run's limits span its work items
    return Engine(
        planner=planner_for(settings, style=options.style, overhead=services.overhead),
        caller=services.caller,
        render=options,
        budgets=budgets,
        overhead=services.overhead,
        concurrency=settings.docgen_max_concurrency,
        max_functions=config.config.effective_max_functions(settings.docgen_max_functions_per_run),
        require_complete=config.require_complete,
        docrules=config.docrules,
        answers=answer_book_for(
            settings,
            answer_cache_for(settings, services.redis, r.args.installation_id),
            style=options.style,
        ),
    )


@dataclass(frozen=True)
class Posted:
    """What reached the pull request: the ids posted, the refused, their proposals."""

    ids: list[str]
    refused: list[Skip]
    proposals: list[Proposal]


def _report(
    r: Review, outcome: Outcome, posted: Posted, left_out: int, pr_cost: float
) -> RunReport:
    a = outcome.analysis
    usage = outcome.usage
    notes = [*r.config.problems, *outcome.notes]
    if left_out:
        notes.append(f"{left_out} more Python files were not reviewed (limit {MAX_PYTHON_FILES})")
    monthly = next((x for x in outcome.left if x.period != "run"), None)
    delivered = delivery(a, posted.proposals)
    return RunReport(
        model=r.services.settings.docgen_model,
        usage=usage,
        suggested=tuple(posted.ids),
        incomplete=delivered.incomplete,
        skipped=(*outcome.skipped, *posted.refused),
        not_commentable=tuple(a.not_commentable),
        unchanged=tuple(a.unchanged),
        done=tuple(a.done),
        coverage_before=a.coverage_before,
        coverage_after=delivered.coverage_after,
        pr_cost_usd=pr_cost,
        budget_remaining_usd=monthly.cost_usd if monthly is not None else None,
        notes=tuple(notes),
        cached=delivered.cached,
        rules=r.config.docrules.describe(),
    )
