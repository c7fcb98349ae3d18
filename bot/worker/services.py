"""The clients a worker process shares between jobs, opened once on start-up."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio

from bot.llm.tokens import SchemaOverhead
from bot.llm.usage import ModelCaller
from bot.settings import Settings
from bot.wiring import caller_for, limiter_for, overhead_for
from bot.worker.github import GitHubApp


@dataclass
class Services:
    """Shared by every job of a worker: settings, GitHub, the model caller, Redis."""

    settings: Settings
    github: GitHubApp
    caller: ModelCaller
    overhead: SchemaOverhead
    redis: redis.asyncio.Redis

    async def aclose(self) -> None:
        """Close the model client's connections."""
        close = getattr(self.caller, "aclose", None)
        if close is not None:
            await close()


async def open_services(settings: Settings, redis_client: redis.asyncio.Redis) -> Services:
    """Create the shared clients for ``settings``; Redis is the worker's own pool."""
    caller = caller_for(settings, limiter=limiter_for(settings, redis_client))
    return Services(
        settings=settings,
        github=GitHubApp(settings, redis_client),
        caller=caller,
        overhead=overhead_for(settings),
        redis=redis_client,
    )
