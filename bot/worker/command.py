"""The ``/docgen`` command in the worker: who may run it, the answers, the reactions.

Only people with write access (write, maintain, admin) start anything; their
permission is cached in Redis for ``PERMISSION_SECONDS``. Anyone else gets one
polite reply per pull request and nothing more, however often they comment: no
reaction, no help, no model call. So a person without write access can make the
bot speak at most once per pull request.

For a writer: 👀 on receipt; ``help``, ``usage`` and a command that was not
understood are answered at once, without a model call (🚀, or 😕 for the last);
a review or its dry run ends with 🚀 when posted, or 😕 and a one-line reply when
it could not be done.
"""

from __future__ import annotations

import redis.asyncio
from githubkit.exception import RequestFailed

from bot.contract import ReviewJob
from bot.core.command import Action, Command, help_text, parse_command
from bot.engine.analyse import Analysis
from bot.engine.cost import cost_bound
from bot.engine.document import Engine, plan_of
from bot.keys import command_refused_key, permission_key
from bot.logctx import get_logger
from bot.repo_config import LoadedConfig
from bot.worker.github import ReactionContent, RepoClient
from bot.worker.replies import PlanFacts, plan_text, refusal_text, unknown_text, usage_text
from bot.worker.services import Services
from bot.worker.spend import read_pr_cost

log = get_logger("docgen.command")

WRITE_PERMISSIONS = frozenset({"admin", "write", "maintain"})
PERMISSION_SECONDS = 300  # a changed permission counts within five minutes
REFUSAL_SECONDS = 30 * 86_400  # one reply per person per pull request, for a month

# How a job's result (its first word) ends a command.
DONE = ("suggested", "planned")  # the review or the plan is posted: 🚀
QUIET = ("nothing to do",)  # replied with the reason, and 🚀: the command was carried out
PENDING = ("waiting", "continued")  # a later turn or part of the same review concludes


async def open_command(services: Services, client: RepoClient, args: ReviewJob) -> Command | str:
    """Check who asked and answer what needs no review.

    Return the command to carry out as a review (or its dry run), or, when
    nothing more is to be done, the job's result in a few words.
    """
    assert args.comment_id is not None
    login = args.commenter or ""
    if not await may_write(services.redis, client, args):
        await refuse_once(services.redis, client, args)
        return "ignored: commenter lacks write access"
    await client.react(args.comment_id, "eyes")
    command = parse_command(args.command)
    if command.action is Action.HELP:
        await _answer(client, args, help_text(), "rocket")
        return "answered: help"
    if command.action is Action.USAGE:
        await _answer(client, args, await _usage(services, args), "rocket")
        return "answered: usage"
    if command.action is Action.UNKNOWN:
        await _answer(client, args, unknown_text(command.reason), "confused")
        log.info("command.not_understood", commenter=login, reason=command.reason)
        return f"refused: {command.reason}"
    return command


async def may_write(client: redis.asyncio.Redis, repo: RepoClient, args: ReviewJob) -> bool:
    """Tell whether the commenter has write access, asking GitHub at most every few minutes."""
    login = args.commenter or ""
    key = permission_key(args.installation_id, args.repo, login)
    cached = await client.get(key)
    if cached is not None:
        permission = cached.decode()
    else:
        permission = await _permission(repo, login)
        await client.set(key, permission, ex=PERMISSION_SECONDS)
    if permission not in WRITE_PERMISSIONS:
        log.info("command.refused", commenter=login, permission=permission)
        return False
    return True


async def _permission(repo: RepoClient, login: str) -> str:
    try:
        return await repo.permission(login)
    except RequestFailed as exc:
        if exc.response.status_code == 404:  # not a user GitHub knows on this repository
            return "none"
        raise


async def refuse_once(client: redis.asyncio.Redis, repo: RepoClient, args: ReviewJob) -> bool:
    """Reply to a commenter without write access, once per pull request; tell whether it did."""
    login = args.commenter or ""
    key = command_refused_key(args.installation_id, args.repo, args.number, login)
    if not await client.set(key, "1", nx=True, ex=REFUSAL_SECONDS):
        return False
    await repo.create_comment(args.number, refusal_text(login))
    return True


async def _usage(services: Services, args: ReviewJob) -> str:
    from bot.wiring import budgets_for

    budgets = budgets_for(
        services.settings, redis_client=services.redis, installation_id=args.installation_id
    )
    assert budgets.monthly is not None  # given a Redis client and an installation
    spent = await budgets.monthly.spent()
    pr_cost = await read_pr_cost(services.redis, args.repo, args.number)
    return usage_text(spent, pr_cost, args.number)


def command_config(loaded: LoadedConfig, command: Command | None) -> LoadedConfig:
    """Return the settings in force for this run: the command's ``--style`` over the repo's."""
    if command is None or command.style is None:
        return loaded
    return loaded.with_config(loaded.config.model_copy(update={"style": command.style}))


async def conclude(client: RepoClient, args: ReviewJob, result: str) -> None:
    """End a command whose review ran: 🚀 when done, else a one-line reply and 😕."""
    assert args.comment_id is not None
    if result.startswith(PENDING):
        return
    if result.startswith(DONE):
        await client.react(args.comment_id, "rocket")
    elif result.startswith(QUIET):
        await _answer(client, args, f"docgen: {result}.", "rocket")
    else:
        await _answer(client, args, f"docgen did not run: {result}.", "confused")


async def command_failed(client: RepoClient, args: ReviewJob, error: BaseException) -> None:
    """Say, with 😕 and one line, that the command's run failed; never raise."""
    assert args.comment_id is not None
    what = type(error).__name__
    try:
        await _answer(
            client,
            args,
            f"docgen could not finish this run ({what}); see the worker's log.",
            "confused",
        )
    except Exception:  # the failure being reported matters more than this one
        log.exception("command.failure_not_reported")


async def reply_plan(
    client: RepoClient, args: ReviewJob, engine: Engine, analysis: Analysis
) -> str:
    """Reply with the run's plan and worst-case cost, spending nothing; return the result."""
    plan = plan_of(engine, analysis)
    bound = cost_bound(engine, plan, analysis.work)
    facts = PlanFacts(
        to_document=len(analysis.work),
        already_suggested=len(analysis.unchanged),
        outside_diff=len(analysis.not_commentable),
        style=engine.render.style,
    )
    await client.create_comment(args.number, plan_text(plan, bound, facts))
    functions = sum(len(r.functions) for r in plan.requests)
    return f"planned {functions} functions in {len(plan.requests)} requests (dry run)"


async def _answer(
    client: RepoClient, args: ReviewJob, body: str, reaction: ReactionContent
) -> None:
    assert args.comment_id is not None
    await client.create_comment(args.number, body)
    await client.react(args.comment_id, reaction)
