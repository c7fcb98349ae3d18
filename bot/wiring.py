"""Operator settings translated into the model side's plain values, at the edge.

Everything under ``bot/llm`` takes plain values (model facts, limits, an
endpoint) and knows nothing of ``bot.settings``: settings import the model
table (``bot.llm.models``), so the model side importing settings pointed the
wrong way, and plain values keep it usable and testable without an
environment. The fronts that hold settings, the worker and ``docgen suggest``,
build their planner, budgets, caller and rate limiter here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import redis.asyncio

from bot.llm.answers import DAY_SECONDS, AnswerBook, AnswerCache, NoCache
from bot.llm.answers_files import FileAnswerCache, default_answer_dir
from bot.llm.answers_redis import RedisAnswerCache
from bot.llm.budget import MonthlyBudget, RunBudget
from bot.llm.plan import PlanConfig, Planner
from bot.llm.prompt import ANSWER_SCHEMA, Style
from bot.llm.ratelimit import SharedRateLimiter
from bot.llm.run import REASONING_ALLOWANCE, Budgets
from bot.llm.skeleton import SkeletonCaller
from bot.llm.tokens import SchemaOverhead, TokenCounter
from bot.settings import Settings

if TYPE_CHECKING:  # bot.llm.client imports the SDK, which takes a second: see endpoint_for
    from bot.llm.client import Endpoint, OpenAICaller, RetryPolicy


def overhead_for(settings: Settings) -> SchemaOverhead:
    """Return the (unmeasured) response-schema overhead for the configured model."""
    facts = settings.model_facts()
    return SchemaOverhead.for_schema(TokenCounter.for_model(facts), facts.name, ANSWER_SCHEMA)


def planner_for(
    settings: Settings, *, style: Style = "google", overhead: SchemaOverhead | None = None
) -> Planner:
    """Return the planner for the configured model, quotas and schema overhead."""
    facts = settings.model_facts()
    reasoning = facts.token_param == "max_completion_tokens"
    config = PlanConfig(
        style=style,
        schema_overhead=overhead.planned if overhead is not None else 0,
        # No single request may need more than a minute's token quota.
        max_request_tokens=settings.docgen_tokens_per_minute,
        reasoning_allowance=REASONING_ALLOWANCE if reasoning else 0,
    )
    return Planner(facts, TokenCounter.for_model(facts), config)


def budgets_for(
    settings: Settings,
    *,
    redis_client: redis.asyncio.Redis | None = None,
    installation_id: int | None = None,
) -> Budgets:
    """Return the run's budgets, with the installation's monthly ones when in the App."""
    run = RunBudget(
        max_prompt_tokens=settings.docgen_max_prompt_tokens_per_run,
        max_cost_usd=settings.docgen_max_cost_per_run_usd,
    )
    monthly = None
    if redis_client is not None and installation_id is not None:
        monthly = MonthlyBudget(
            redis_client,
            installation_id=installation_id,
            max_cost_usd=settings.docgen_monthly_budget_usd,
            max_tokens=settings.docgen_monthly_token_budget,
        )
    return Budgets(settings.model_facts(), run, monthly)


def endpoint_for(settings: Settings) -> Endpoint | None:
    """Return the configured model API; None for the skeleton or when none is configured."""
    provider = settings.provider()
    if provider != "azure" and provider != "openai":
        return None
    # Imported here, not above: the CLI's offline runs never load the SDK.
    from bot.llm.client import Endpoint

    if provider == "azure":
        return Endpoint(
            kind="azure",
            url=settings.azure_openai_endpoint,
            model=settings.docgen_model,
            api_key=settings.azure_openai_api_key,
            timeout=settings.docgen_request_timeout_seconds,
            deployment=settings.azure_openai_deployment,
            api_version=settings.azure_openai_api_version,
        )
    return Endpoint(
        kind="openai",
        url=settings.openai_base_url,
        model=settings.docgen_model,
        api_key=settings.openai_api_key,
        timeout=settings.docgen_request_timeout_seconds,
    )


def caller_for(
    settings: Settings,
    *,
    style: Style = "google",
    limiter: SharedRateLimiter | None = None,
    policy: RetryPolicy | None = None,
) -> OpenAICaller | SkeletonCaller:
    """Return the caller for the configured provider: azure, openai or skeleton.

    Use it as an async context manager, so the SDK's connections are closed.
    Raises ValueError when no provider is configured.
    """
    if settings.provider() == "skeleton":
        return SkeletonCaller(style)
    endpoint = endpoint_for(settings)
    if endpoint is None:
        raise ValueError("no model provider is configured (see Settings.provider)")
    from bot.llm.client import RetryPolicy, open_caller

    return open_caller(
        endpoint, settings.model_facts(), policy=policy or RetryPolicy(), limiter=limiter
    )


def limiter_for(settings: Settings, redis_client: redis.asyncio.Redis) -> SharedRateLimiter | None:
    """Return the limiter every worker on this deployment shares; None without quotas."""
    endpoint = endpoint_for(settings)
    if endpoint is None:  # the skeleton calls no API: there is no quota to share
        return None
    from bot.llm.client import shared_limiter

    return shared_limiter(
        redis_client,
        name=endpoint.quota_name,
        requests_per_minute=settings.docgen_requests_per_minute,
        tokens_per_minute=settings.docgen_tokens_per_minute,
    )


def answer_book_for(settings: Settings, cache: AnswerCache, *, style: Style) -> AnswerBook:
    """Return the answers a run may reuse: ``cache`` seen through the configured model."""
    return AnswerBook(cache, model=settings.docgen_model, style=style)


def answer_cache_for(
    settings: Settings, redis_client: redis.asyncio.Redis, installation_id: int
) -> AnswerCache:
    """Return the installation's answer cache in Redis; NoCache when caching is off."""
    days = settings.docgen_answer_cache_days
    if days == 0:
        return NoCache()
    return RedisAnswerCache(redis_client, installation_id, days * DAY_SECONDS)


def local_answer_cache_for(settings: Settings) -> AnswerCache:
    """Return ``docgen suggest``'s answer cache in the user cache folder.

    NoCache when caching is off, and for the offline skeleton, whose answers cost
    nothing and must never be mistaken for a model's.
    """
    days = settings.docgen_answer_cache_days
    if days == 0 or settings.provider() in (None, "skeleton"):
        return NoCache()
    return FileAnswerCache(default_answer_dir(settings.docgen_cache_dir), days * DAY_SECONDS)
