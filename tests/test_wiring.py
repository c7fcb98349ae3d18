"""Settings translated into the model side's plain values: caller, endpoint, limiter, planner."""

from __future__ import annotations

import pytest
import redis.asyncio

from bot.llm.run import REASONING_ALLOWANCE
from bot.llm.skeleton import SkeletonCaller
from bot.settings import Settings
from bot.wiring import (
    budgets_for,
    caller_for,
    endpoint_for,
    limiter_for,
    overhead_for,
    planner_for,
)

AZURE = {
    "AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com",
    "AZURE_OPENAI_API_KEY": "azure-secret",
    "AZURE_OPENAI_DEPLOYMENT": "docs",
}
OPENAI = {"OPENAI_API_KEY": "openai-secret", "DOCGEN_MODEL": "gpt-4o"}


async def test_the_skeleton_provider_is_chosen_by_settings() -> None:
    settings = Settings.from_env({"DOCGEN_PROVIDER": "skeleton"})
    async with caller_for(settings, style="numpy") as caller:
        assert caller == SkeletonCaller("numpy")
    with pytest.raises(ValueError, match="no model provider"):
        caller_for(Settings.from_env({}))


def test_the_endpoint_carries_the_settings_and_hides_the_key() -> None:
    azure = endpoint_for(Settings.from_env({**AZURE, "DOCGEN_REQUEST_TIMEOUT_SECONDS": "7"}))
    assert azure is not None and azure.kind == "azure"
    assert (azure.url, azure.deployment, azure.requested_model) == (
        "https://res.openai.azure.com",
        "docs",
        "docs",
    )
    assert azure.api_version == "2024-10-21" and azure.timeout == 7.0
    assert "azure-secret" not in repr(azure)
    openai = endpoint_for(Settings.from_env(OPENAI))
    assert openai is not None and openai.kind == "openai"
    assert (openai.url, openai.requested_model) == (None, "gpt-4o")
    assert "openai-secret" not in repr(openai)
    assert endpoint_for(Settings.from_env({"DOCGEN_PROVIDER": "skeleton"})) is None
    assert endpoint_for(Settings.from_env({})) is None


async def test_the_limiter_is_shared_per_host_and_deployment(
    redis_client: redis.asyncio.Redis,
) -> None:
    assert limiter_for(Settings.from_env(AZURE), redis_client) is None  # no quotas set
    quota = {"DOCGEN_TOKENS_PER_MINUTE": "1000"}
    azure = limiter_for(Settings.from_env({**AZURE, **quota}), redis_client)
    assert azure is not None and azure.key == "docgen:ratelimit:res.openai.azure.com/docs"
    assert (azure.rpm, azure.tpm) == (None, 1000)
    openai = limiter_for(Settings.from_env({**OPENAI, **quota}), redis_client)
    assert openai is not None and openai.key == "docgen:ratelimit:api.openai.com/gpt-4o"
    skeleton = Settings.from_env({"DOCGEN_PROVIDER": "skeleton", **quota})
    assert limiter_for(skeleton, redis_client) is None  # the skeleton calls no API


def test_the_planner_follows_the_model_and_the_quota() -> None:
    settings = Settings.from_env({"DOCGEN_MODEL": "gpt-5-mini", "DOCGEN_TOKENS_PER_MINUTE": "9000"})
    overhead = overhead_for(settings)
    planner = planner_for(settings, style="numpy", overhead=overhead)
    assert planner.facts == settings.model_facts()
    assert planner.config.style == "numpy"
    assert planner.config.schema_overhead == overhead.planned > 0
    assert planner.config.max_request_tokens == 9000
    assert planner.config.reasoning_allowance == REASONING_ALLOWANCE  # a reasoning model
    plain = planner_for(Settings.from_env({}))
    assert plain.config.reasoning_allowance == 0 and plain.config.schema_overhead == 0


async def test_budgets_are_the_runs_alone_unless_an_installation_is_given(
    redis_client: redis.asyncio.Redis,
) -> None:
    settings = Settings.from_env({"DOCGEN_MAX_COST_PER_RUN_USD": "0.5"})
    local = budgets_for(settings)
    assert local.monthly is None and local.facts == settings.model_facts()
    assert (await local.left())[0].cost_usd == 0.5
    app = budgets_for(settings, redis_client=redis_client, installation_id=7)
    assert app.monthly is not None
